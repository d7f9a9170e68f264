import ShopStreamHTTP

extension PubSubClient {
    /// One REST call: what it does to which resource, the IAM permission it needs, and how its
    /// failures read.
    struct Operation {
        var verb: String
        /// "topic shop.sales", "subscription shop.sales.bronze".
        var resource: String
        var permission: String
        /// A predefined role that holds `permission`.
        var role: String
        /// A 404 means the topic (not the subscription) is missing, for creating a subscription.
        var missingIsTopic: String?

        static func getTopic(_ t: String) -> Self {
            Self(verb: "get", resource: "topic \(t)", permission: "pubsub.topics.get", role: "roles/pubsub.viewer")
        }
        static func createTopic(_ t: String) -> Self {
            Self(verb: "create", resource: "topic \(t)", permission: "pubsub.topics.create", role: "roles/pubsub.editor")
        }
        static func patchTopic(_ t: String) -> Self {
            Self(verb: "update", resource: "topic \(t)", permission: "pubsub.topics.update", role: "roles/pubsub.editor")
        }
        static func publish(_ t: String) -> Self {
            Self(verb: "publish to", resource: "topic \(t)", permission: "pubsub.topics.publish", role: "roles/pubsub.publisher")
        }
        static func getSubscription(_ s: String) -> Self {
            Self(verb: "get", resource: "subscription \(s)", permission: "pubsub.subscriptions.get", role: "roles/pubsub.viewer")
        }
        static func createSubscription(_ s: String, topic: String) -> Self {
            Self(
                verb: "create", resource: "subscription \(s)",
                permission: "pubsub.subscriptions.create (and pubsub.topics.attachSubscription on topic \(topic))",
                role: "roles/pubsub.editor", missingIsTopic: topic)
        }
        static func patchSubscription(_ s: String) -> Self {
            Self(verb: "update", resource: "subscription \(s)", permission: "pubsub.subscriptions.update", role: "roles/pubsub.editor")
        }
        static func deleteSubscription(_ s: String) -> Self {
            Self(verb: "delete", resource: "subscription \(s)", permission: "pubsub.subscriptions.delete", role: "roles/pubsub.editor")
        }
        static func pull(_ s: String) -> Self { consume("pull from", s) }
        static func acknowledge(_ s: String) -> Self { consume("acknowledge on", s) }
        static func modifyAckDeadline(_ s: String) -> Self { consume("modify ack deadlines on", s) }
        private static func consume(_ verb: String, _ s: String) -> Self {
            Self(verb: verb, resource: "subscription \(s)", permission: "pubsub.subscriptions.consume", role: "roles/pubsub.subscriber")
        }

        /// The HTTP failure as a `PubSubError` that says what to do.
        func failure(_ error: HTTPError, client: PubSubClient) -> PubSubError {
            let what = "\(verb) \(resource) in \(client.location)"
            let detail = error.googleMessage ?? error.message
            if error.code == .credentials { return PubSubError(.credentials, "\(what): \(error.message)", http: error) }
            // Not `.service`: Google's status on the failure waited out (UNAVAILABLE) would read as transient.
            if error.code == .stopped { return PubSubError(.stopped, "\(what): \(error.message)", http: error) }
            switch error.status {
            case 401:
                return PubSubError(
                    .credentials,
                    "\(what): Pub/Sub refused the credentials from \(client.credentials.source) (\(detail)); run `gcloud auth application-default login` or check GOOGLE_APPLICATION_CREDENTIALS",
                    http: error)
            case 403:
                let who = client.credentials.principal ?? "the credentials from \(client.credentials.source)"
                return PubSubError(
                    .permissionDenied,
                    "\(what): \(who) lacks the permission \(permission) (\(detail)); grant a role that holds it, e.g. \(role): gcloud projects add-iam-policy-binding \(client.project) --member=… --role=\(role)",
                    http: error)
            case 404:
                let missing = missingIsTopic.map { "topic \($0)" } ?? resource
                return PubSubError(
                    .notFound,
                    "\(what): \(missing) does not exist (\(detail)); create the topics and subscriptions first: shopstream topics apply --pubsub \(client.project)",
                    http: error)
            case 409 where error.googleReason == "ALREADY_EXISTS":
                return PubSubError(.alreadyExists, "\(what): it already exists", http: error)
            case 400:
                return PubSubError(.invalidArgument, "\(what): Pub/Sub refused the request: \(detail)", http: error)
            default:
                return PubSubError(.service, "\(what) failed: \(error.message)", http: error)
            }
        }
    }
}

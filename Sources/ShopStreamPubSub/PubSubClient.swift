import Foundation
import ShopStreamCore
import ShopStreamHTTP

/// Cloud Pub/Sub over its REST API v1: topics and subscriptions (get, create, patch), publish,
/// pull, acknowledge and modifyAckDeadline. The same code talks to Google and to Google's
/// emulator; only the endpoint and the credentials differ (`PUBSUB_EMULATOR_HOST`, as Google's
/// client libraries read it: plain http, no token).
///
/// Calls block the calling thread (libcurl); call them from threads of your own. Retries are the
/// HTTP client's, under its policy, and counted there (`takeRetries()`); its waits, and a pull's
/// pauses, end on the stop given to `interruptWaits(on:)`.
public final class PubSubClient: Sendable {
    /// Where and how to reach Pub/Sub.
    public struct Configuration: Sendable {
        /// `https://pubsub.googleapis.com`, or an emulator's base URL.
        public var endpoint: String
        public var http: HTTPClientConfiguration
        /// Idle connections kept for reuse (one per concurrent caller is enough).
        public var maximumIdleConnections: Int

        public init(
            endpoint: String = PubSubClient.googleEndpoint, http: HTTPClientConfiguration = HTTPClientConfiguration(),
            maximumIdleConnections: Int = 16
        ) {
            self.endpoint = endpoint
            self.http = http
            self.maximumIdleConnections = maximumIdleConnections
        }

        /// `http://HOST:PORT` when `PUBSUB_EMULATOR_HOST` is set (Google's libraries take it as
        /// host:port and speak plain http to it; a scheme given is kept), else nil.
        public static func emulatorEndpoint(environment: [String: String]) -> String? {
            EmulatorHost.endpoint("PUBSUB_EMULATOR_HOST", environment: environment)
        }
    }

    public static let googleEndpoint = "https://pubsub.googleapis.com"

    /// The Google Cloud project that holds the topics and subscriptions.
    public let project: String
    public let configuration: Configuration
    public let credentials: any AccessTokenProvider
    private let pool: HTTPClientPool

    public init(project: String, credentials: any AccessTokenProvider, configuration: Configuration = Configuration()) throws {
        if let problem = PubSubNames.projectProblem(project) {
            throw PubSubError(.invalidArgument, "Pub/Sub project \"\(project)\" \(problem); pass --pubsub PROJECT with your project id")
        }
        self.project = project
        self.credentials = credentials
        var configuration = configuration
        while configuration.endpoint.hasSuffix("/") { configuration.endpoint.removeLast() }
        self.configuration = configuration
        pool = HTTPClientPool(configuration: configuration.http, maximumIdle: configuration.maximumIdleConnections)
    }

    /// Reads the endpoint and credentials from the environment: `PUBSUB_EMULATOR_HOST` means that
    /// emulator and no credentials; otherwise Google with Application Default Credentials.
    public convenience init(
        project: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClientConfiguration = HTTPClientConfiguration()
    ) throws {
        let access = try GoogleAccess(
            emulator: Configuration.emulatorEndpoint(environment: environment), environment: environment, http: http,
            failure: { PubSubError(.credentials, "Pub/Sub project \(project): \($0.message)", http: $0) })
        try self.init(
            project: project, credentials: access.credentials,
            configuration: Configuration(endpoint: access.emulator ?? Self.googleEndpoint, http: http))
    }

    /// Where this client talks to, for messages: "Pub/Sub project P at http://127.0.0.1:8085".
    public var location: String {
        configuration.endpoint == Self.googleEndpoint
            ? "Pub/Sub project \(project)" : "Pub/Sub project \(project) at \(configuration.endpoint)"
    }

    /// Every retry made since the last call.
    public func takeRetries() -> RetrySummary { pool.takeRetries() }

    /// From now on `stop` ends this client's waits early: once it asks `.abandon`, a call backing
    /// off sends nothing more and throws `.stopped` naming the failure it was waiting out, and a
    /// pull waiting for messages returns what it has (nothing). For the owner of a stop who was
    /// handed this client (a sink). Replaces `configuration.http.retry.stop` and any stop given before.
    public func interruptWaits(on stop: StopSignal) { pool.interruptWaits(on: stop) }

    public func topicPath(_ topic: String) -> String { "projects/\(project)/topics/\(topic)" }
    public func subscriptionPath(_ subscription: String) -> String { "projects/\(project)/subscriptions/\(subscription)" }

    // MARK: Topics and subscriptions

    /// The topic, or nil if it does not exist.
    public func topic(_ name: String) throws -> TopicResource? {
        try orNil { try get(.getTopic(name), path: topicPath(name)).decode(TopicResource.self, as: "a Pub/Sub topic") }
    }

    /// Creates the topic; false if it already existed.
    @discardableResult
    public func createTopic(_ topic: TopicResource) throws -> Bool {
        try created { _ = try call(.createTopic(topic.id), .put, path: topicPath(topic.id), body: encode(topic.forCreate(self))) }
    }

    /// Changes the fields named (resource field names, e.g. `labels`) to `topic`'s values.
    public func patchTopic(_ topic: TopicResource, fields: [String]) throws {
        let body = try encode(PatchRequest(topic: topic.forCreate(self), updateMask: fields.joined(separator: ",")))
        _ = try call(.patchTopic(topic.id), .patch, path: topicPath(topic.id), body: body)
    }

    /// The subscription, or nil if it does not exist.
    public func subscription(_ name: String) throws -> SubscriptionResource? {
        try orNil {
            try get(.getSubscription(name), path: subscriptionPath(name)).decode(SubscriptionResource.self, as: "a Pub/Sub subscription")
        }
    }

    /// Creates the subscription (its topic, and a dead-letter topic if it names one, must exist);
    /// false if it already existed.
    @discardableResult
    public func createSubscription(_ subscription: SubscriptionResource) throws -> Bool {
        try created {
            _ = try call(
                .createSubscription(subscription.id, topic: subscription.topic), .put, path: subscriptionPath(subscription.id),
                body: encode(subscription.forCreate(self)))
        }
    }

    /// Changes the fields named (e.g. `ackDeadlineSeconds`, `deadLetterPolicy`) to `subscription`'s
    /// values. `topic` and `enableMessageOrdering` cannot change after creation.
    public func patchSubscription(_ subscription: SubscriptionResource, fields: [String]) throws {
        let body = try encode(
            PatchRequest(subscription: subscription.forCreate(self), updateMask: fields.joined(separator: ",")))
        _ = try call(.patchSubscription(subscription.id), .patch, path: subscriptionPath(subscription.id), body: body)
    }

    public func deleteSubscription(_ name: String) throws {
        _ = try call(.deleteSubscription(name), .delete, path: subscriptionPath(name), body: nil)
    }

    // MARK: Messages

    /// Publishes one request's worth of messages (at most 1,000 and 10 MB; `PubSubPublisher`
    /// batches) and returns their message ids, in order.
    ///
    /// Retried under the HTTP policy although a repeat may publish twice: Pub/Sub is at least
    /// once anyway, and the consumers recognise a message by its event id.
    @discardableResult
    public func publish(topic: String, messages: [OutgoingMessage]) throws -> [String] {
        guard !messages.isEmpty else { return [] }
        let answer = try call(
            .publish(topic), .post, path: topicPath(topic) + ":publish", body: Self.publishBody(messages), idempotent: true)
        let ids = try answer.decode(PublishResponse.self, as: "a publish answer").messageIds
        guard ids.count == messages.count else {
            throw PubSubError(
                .invalidResponse, "publish to \(topic): \(messages.count) messages sent, \(ids.count) message ids returned; publish again")
        }
        return ids
    }

    /// What is waiting on the subscription, at most `maxMessages` (1,000 at most), without blocking:
    /// an empty array when nothing is.
    ///
    /// Always `returnImmediately`: without it the emulator holds a pull on an empty subscription
    /// 40 s and more, and a client that gives up on it meanwhile still "receives" the next
    /// message, which then reappears only after its ack deadline. Waiting is the caller's, with
    /// `pull(_:maxMessages:waitingUpTo:)`.
    public func pull(_ subscription: String, maxMessages: Int) throws -> [ReceivedMessage] {
        let body = Data("{\"maxMessages\":\(max(1, min(maxMessages, 1000))),\"returnImmediately\":true}".utf8)
        // A lost answer loses nothing: its messages come back after their ack deadline.
        let answer = try call(.pull(subscription), .post, path: subscriptionPath(subscription) + ":pull", body: body, idempotent: true)
        return try answer.decode(PullResponse.self, as: "a pull answer").receivedMessages?.map { try $0.message(subscription) } ?? []
    }

    /// Pulls until something arrives or `wait` has passed (then returns an empty array), asking
    /// again after a short pause that doubles up to `longestPause`. A bounded wait: every request
    /// returns at once, so nothing is ever delivered to a pull that was given up on. An abandon of
    /// the client's stop ends the wait (see `interruptWaits(on:)`).
    public func pull(
        _ subscription: String, maxMessages: Int, waitingUpTo wait: Duration, longestPause: Duration = .milliseconds(200)
    ) throws -> [ReceivedMessage] {
        let deadline = ContinuousClock.now + wait
        var pause = Duration.milliseconds(10)
        while true {
            let messages = try pull(subscription, maxMessages: maxMessages)
            if !messages.isEmpty || ContinuousClock.now >= deadline { return messages }
            guard pool.wait(min(pause, deadline - ContinuousClock.now)) else { return [] }
            pause = min(pause * 2, longestPause)
        }
    }

    /// Acknowledges deliveries: Pub/Sub will not deliver those messages again.
    public func acknowledge(_ subscription: String, ackIds: [String]) throws {
        for chunk in Self.chunks(ackIds) {
            let body = try encode(["ackIds": chunk])
            _ = try call(
                .acknowledge(subscription), .post, path: subscriptionPath(subscription) + ":acknowledge", body: body, idempotent: true)
        }
    }

    /// Sets the ack deadline of deliveries to `seconds` from now (0 to 600): a lease extension
    /// while a batch fills, or 0, a nack, to have them redelivered at once.
    public func modifyAckDeadline(_ subscription: String, ackIds: [String], seconds: Int) throws {
        for chunk in Self.chunks(ackIds) {
            let body = try encode(ModifyAckDeadlineRequest(ackIds: chunk, ackDeadlineSeconds: max(0, min(seconds, 600))))
            _ = try call(
                .modifyAckDeadline(subscription), .post, path: subscriptionPath(subscription) + ":modifyAckDeadline", body: body,
                idempotent: true)
        }
    }

    /// Gives deliveries back at once (ack deadline 0): Pub/Sub redelivers them, counting an attempt.
    public func nack(_ subscription: String, ackIds: [String]) throws {
        try modifyAckDeadline(subscription, ackIds: ackIds, seconds: 0)
    }

    // MARK: Plumbing

    /// A request holds at most 2,500 ack ids; 1,000 keeps it far under the 512 KB limit.
    static func chunks(_ ids: [String]) -> [[String]] {
        stride(from: 0, to: ids.count, by: 1000).map { Array(ids[$0..<min($0 + 1000, ids.count)]) }
    }

    /// The publish request written by hand: encoding a thousand messages through `JSONEncoder`
    /// costs more than the request.
    static func publishBody(_ messages: [OutgoingMessage]) -> Data {
        var out = "{\"messages\":["
        out.reserveCapacity(messages.reduce(64) { $0 + $1.requestBytes })
        for (i, m) in messages.enumerated() {
            if i > 0 { out += "," }
            out += "{\"data\":\""
            out += Data(m.data).base64EncodedString()
            out += "\""
            if !m.orderingKey.isEmpty { out += ",\"orderingKey\":" + JSONText.quoted(m.orderingKey) }
            if !m.attributes.isEmpty {
                out += ",\"attributes\":{"
                for (j, (k, v)) in m.attributes.sorted(by: { $0.key < $1.key }).enumerated() {
                    if j > 0 { out += "," }
                    out += JSONText.quoted(k) + ":" + JSONText.quoted(v)
                }
                out += "}"
            }
            out += "}"
        }
        out += "]}"
        return Data(out.utf8)
    }

    private func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    private func get(_ operation: Operation, path: String) throws -> HTTPResponse {
        try call(operation, .get, path: path, body: nil)
    }

    private func call(_ operation: Operation, _ method: HTTPMethod, path: String, body: Data?, idempotent: Bool? = nil) throws
        -> HTTPResponse
    {
        var request = HTTPRequest(
            method: method, url: configuration.endpoint + "/v1/" + path,
            headers: body == nil ? [:] : ["Content-Type": "application/json"], body: body ?? Data(), isIdempotent: idempotent)
        do {
            try credentials.authorize(&request)
            return try pool.send(request)
        } catch let error as HTTPError {
            throw operation.failure(error, client: self)
        }
    }

    private func orNil<T>(_ body: () throws -> T) throws -> T? {
        do { return try body() } catch let error as PubSubError where error.code == .notFound { return nil }
    }

    private func created(_ body: () throws -> Void) throws -> Bool {
        do {
            try body()
            return true
        } catch let error as PubSubError where error.code == .alreadyExists {
            return false
        }
    }
}

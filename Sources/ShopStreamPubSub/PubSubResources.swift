import Foundation

/// A topic, by its short id (`shop.sales`); the client adds `projects/P/topics/`.
public struct TopicResource: Sendable, Equatable {
    public var id: String
    public var labels: [String: String]

    public init(id: String, labels: [String: String] = [:]) {
        self.id = id
        self.labels = labels
    }

    func forCreate(_ client: PubSubClient) -> TopicWire {
        TopicWire(name: client.topicPath(id), labels: labels.isEmpty ? nil : labels)
    }
}

/// A pull subscription, with topics by their short ids.
public struct SubscriptionResource: Sendable, Equatable {
    /// After this many deliveries without an ack, Pub/Sub moves a message to `topic`.
    public struct DeadLetterPolicy: Sendable, Equatable {
        public var topic: String
        /// 5 to 100.
        public var maxDeliveryAttempts: Int
        public init(topic: String, maxDeliveryAttempts: Int) {
            self.topic = topic
            self.maxDeliveryAttempts = maxDeliveryAttempts
        }
    }

    public var id: String
    public var topic: String
    /// How long a delivery is leased to the puller before Pub/Sub delivers it again (10–600 s).
    public var ackDeadlineSeconds: Int
    /// Messages with the same ordering key are delivered in the order published. Fixed at creation.
    public var enableMessageOrdering: Bool
    public var deadLetterPolicy: DeadLetterPolicy?
    /// An acknowledgement is confirmed or refused (a stale ack id), never silently lost; a
    /// message acknowledged with success is not delivered again.
    public var enableExactlyOnceDelivery: Bool
    public var labels: [String: String]

    public init(
        id: String, topic: String, ackDeadlineSeconds: Int, enableMessageOrdering: Bool, deadLetterPolicy: DeadLetterPolicy? = nil,
        enableExactlyOnceDelivery: Bool = false, labels: [String: String] = [:]
    ) {
        self.id = id
        self.topic = topic
        self.ackDeadlineSeconds = ackDeadlineSeconds
        self.enableMessageOrdering = enableMessageOrdering
        self.deadLetterPolicy = deadLetterPolicy
        self.enableExactlyOnceDelivery = enableExactlyOnceDelivery
        self.labels = labels
    }

    func forCreate(_ client: PubSubClient) -> SubscriptionWire {
        SubscriptionWire(
            name: client.subscriptionPath(id), topic: client.topicPath(topic), ackDeadlineSeconds: ackDeadlineSeconds,
            enableMessageOrdering: enableMessageOrdering,
            deadLetterPolicy: deadLetterPolicy.map {
                DeadLetterWire(deadLetterTopic: client.topicPath($0.topic), maxDeliveryAttempts: $0.maxDeliveryAttempts)
            },
            enableExactlyOnceDelivery: enableExactlyOnceDelivery ? true : nil, labels: labels.isEmpty ? nil : labels)
    }
}

/// The last path segment of `projects/P/topics/T`, or the whole string (`_deleted-topic_`).
func shortName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

// MARK: The JSON on the wire

struct TopicWire: Codable {
    var name: String
    var labels: [String: String]?
}

extension TopicResource: Decodable {
    public init(from decoder: any Decoder) throws {
        let wire = try TopicWire(from: decoder)
        self.init(id: shortName(wire.name), labels: wire.labels ?? [:])
    }
}

struct DeadLetterWire: Codable {
    var deadLetterTopic: String?
    var maxDeliveryAttempts: Int?
}

struct SubscriptionWire: Codable {
    var name: String
    var topic: String
    var ackDeadlineSeconds: Int?
    var enableMessageOrdering: Bool?
    var deadLetterPolicy: DeadLetterWire?
    var enableExactlyOnceDelivery: Bool?
    var labels: [String: String]?
}

extension SubscriptionResource: Decodable {
    public init(from decoder: any Decoder) throws {
        let wire = try SubscriptionWire(from: decoder)
        self.init(
            id: shortName(wire.name), topic: shortName(wire.topic), ackDeadlineSeconds: wire.ackDeadlineSeconds ?? 10,
            enableMessageOrdering: wire.enableMessageOrdering ?? false,
            deadLetterPolicy: wire.deadLetterPolicy.flatMap { policy in
                // Pub/Sub's default when the attempts are left out is 5.
                policy.deadLetterTopic.map { DeadLetterPolicy(topic: shortName($0), maxDeliveryAttempts: policy.maxDeliveryAttempts ?? 5) }
            },
            enableExactlyOnceDelivery: wire.enableExactlyOnceDelivery ?? false, labels: wire.labels ?? [:])
    }
}

/// `{"topic"|"subscription": {…}, "updateMask": "a,b"}`.
struct PatchRequest: Encodable {
    var topic: TopicWire?
    var subscription: SubscriptionWire?
    var updateMask: String

    init(topic: TopicWire, updateMask: String) {
        self.topic = topic
        self.updateMask = updateMask
    }

    init(subscription: SubscriptionWire, updateMask: String) {
        self.subscription = subscription
        self.updateMask = updateMask
    }
}

struct PublishResponse: Decodable {
    var messageIds: [String]
}

struct ModifyAckDeadlineRequest: Encodable {
    var ackIds: [String]
    var ackDeadlineSeconds: Int
}

struct PullResponse: Decodable {
    struct Received: Decodable {
        struct Message: Decodable {
            var data: String?
            var attributes: [String: String]?
            var messageId: String
            var publishTime: String?
            var orderingKey: String?
        }
        var ackId: String
        var message: Message
        var deliveryAttempt: Int?

        func message(_ subscription: String) throws -> ReceivedMessage {
            guard let bytes = Data(base64Encoded: message.data ?? "") else {
                throw PubSubError(
                    .invalidResponse, "pull from \(subscription): message \(message.messageId) has data that is not base64")
            }
            return ReceivedMessage(
                ackId: ackId, messageId: message.messageId, data: Array(bytes), attributes: message.attributes ?? [:],
                orderingKey: message.orderingKey ?? "", publishTime: message.publishTime ?? "", deliveryAttempt: deliveryAttempt ?? 0)
        }
    }
    var receivedMessages: [Received]?
}

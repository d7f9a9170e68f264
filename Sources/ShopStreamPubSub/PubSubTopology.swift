import ShopStreamCore

/// What `topics apply --pubsub` makes of topics/: one topic per definition (the seven entities and
/// shop.dlq), one pull subscription per sink and entity, and one on shop.dlq to hold what lands
/// there (Pub/Sub keeps a topic's messages only for its subscriptions).
///
/// Entity subscriptions have message ordering on (the entity key is the ordering key), an ack
/// deadline fitted to the sink's batch, and a dead-letter policy into shop.dlq: a message that
/// fails `maxDeliveryAttempts` times is set aside there with its delivery count, not retried for
/// ever.
public struct PubSubTopology: Sendable, Equatable {
    /// A consumer of every entity topic, with a subscription of its own on each.
    public enum Sink: String, CaseIterable, Sendable {
        case bronze, silver

        /// The lease a delivery starts with; the sink extends it (modifyAckDeadline) while the
        /// batch is still filling or being stored. Bronze: a batch fills within 30 s
        /// (--max-batch-age) and an upload takes seconds. Silver: an event may wait up to 60 s
        /// for its references (--reference-grace) before the insert.
        public var ackDeadlineSeconds: Int {
            switch self {
            case .bronze: 60
            case .silver: 120
            }
        }
    }

    /// The subscription that keeps shop.dlq's messages for people (and tests) to read.
    public static let deadLetterSubscription = "\(Entity.deadLetterTopic).inspect"

    /// `shop.sales.bronze`: the sink's subscription on an entity's topic.
    public static func subscription(_ entity: Entity, _ sink: Sink) -> String { "\(entity.topic).\(sink.rawValue)" }

    public var topics: [TopicResource]
    public var subscriptions: [SubscriptionResource]

    /// Deliveries before the dead-letter policy sets a message aside, unless told otherwise: 20,
    /// not Pub/Sub's 5. Every crash or stop of a sink costs one attempt to every message it holds,
    /// and a sink holds what it pulled ahead (hundreds to thousands of messages): at 5, a sink
    /// killed five times while the generator published put thousands of *valid* events on
    /// shop.dlq, missing from the lake and silver (PubSubCrashTests: 10 kills of each sink). At 20 a
    /// message has to fail twenty times, which is what a poison message does.
    public static let defaultMaxDeliveryAttempts = 20

    /// - Parameters:
    ///   - maxDeliveryAttempts: deliveries before a message goes to shop.dlq (5 to 100).
    ///   - messageOrdering: off only for the emulator at scale: it keeps a thread per ordering key
    ///     and ordered subscription, never freed (20,000 events: tens of thousands of threads).
    public init(catalog: TopicCatalog, maxDeliveryAttempts: Int = defaultMaxDeliveryAttempts, messageOrdering: Bool = true) {
        topics = catalog.definitions.map { TopicResource(id: $0.name) }
        let deadLetter = SubscriptionResource.DeadLetterPolicy(
            topic: Entity.deadLetterTopic, maxDeliveryAttempts: max(5, min(maxDeliveryAttempts, 100)))
        subscriptions =
            Entity.allCases.flatMap { entity in
                Sink.allCases.map { sink in
                    SubscriptionResource(
                        id: Self.subscription(entity, sink), topic: entity.topic, ackDeadlineSeconds: sink.ackDeadlineSeconds,
                        enableMessageOrdering: messageOrdering, deadLetterPolicy: deadLetter)
                }
            } + [
                SubscriptionResource(
                    id: Self.deadLetterSubscription, topic: Entity.deadLetterTopic, ackDeadlineSeconds: 60, enableMessageOrdering: false)
            ]
    }
}

/// How a topic or subscription in Pub/Sub compares with its definition.
public struct PubSubResourceStatus: Sendable, Equatable {
    public enum Kind: String, Sendable { case topic, subscription }
    public typealias State = ReconcileState
    public var kind: Kind
    public var name: String
    /// The topic a subscription reads; the topic's own name for a topic.
    public var topic: String
    /// What topics/ asks for, in a few words ("ordered, ack 60 s, dead letter after 5").
    public var defined: String
    public var state: State
}

/// Compares the topology with Pub/Sub and creates what is missing. A subscription that differs is
/// reported; with `alter`, what Pub/Sub can change in place (ack deadline, dead-letter policy) is
/// changed, and what it cannot (its topic, message ordering) stays reported.
public struct PubSubReconciler {
    public let client: PubSubClient

    public init(client: PubSubClient) { self.client = client }

    public func compare(_ topology: PubSubTopology) throws -> [PubSubResourceStatus] {
        try reconcile(topology, create: false, alter: false)
    }

    public func apply(_ topology: PubSubTopology, alter: Bool = false) throws -> [PubSubResourceStatus] {
        try reconcile(topology, create: true, alter: alter)
    }

    private func reconcile(_ topology: PubSubTopology, create: Bool, alter: Bool) throws -> [PubSubResourceStatus] {
        var result: [PubSubResourceStatus] = []
        // Topics first: a subscription (and its dead-letter policy) needs its topics to exist.
        for topic in topology.topics {
            var status = PubSubResourceStatus(kind: .topic, name: topic.id, topic: topic.id, defined: "topic", state: .matches)
            if try client.topic(topic.id) == nil {
                status.state = create ? (try client.createTopic(topic) ? .created : .matches) : .missing
            }
            result.append(status)
        }
        for wanted in topology.subscriptions {
            var status = PubSubResourceStatus(
                kind: .subscription, name: wanted.id, topic: wanted.topic, defined: Self.describe(wanted), state: .matches)
            if let actual = try client.subscription(wanted.id) {
                let differences = Self.differences(actual: actual, wanted: wanted)
                if !differences.isEmpty {
                    let patchable = Self.patchableFields(actual: actual, wanted: wanted)
                    if alter && !patchable.isEmpty {
                        try client.patchSubscription(wanted, fields: patchable)
                        let left = Self.differences(actual: try client.subscription(wanted.id) ?? actual, wanted: wanted)
                        status.state = left.isEmpty ? .altered(differences) : .drifted(left)
                    } else {
                        status.state = .drifted(differences)
                    }
                }
            } else if create {
                status.state = try client.createSubscription(wanted) ? .created : .matches
            } else {
                status.state = .missing
            }
            result.append(status)
        }
        return result
    }

    static func describe(_ s: SubscriptionResource) -> String {
        var parts = [s.enableMessageOrdering ? "ordered" : "unordered", "ack \(s.ackDeadlineSeconds) s"]
        if let dl = s.deadLetterPolicy { parts.append("to \(dl.topic) after \(dl.maxDeliveryAttempts)") }
        return parts.joined(separator: ", ")
    }

    /// One sentence per difference, saying how to fix what `--alter` cannot.
    static func differences(actual: SubscriptionResource, wanted: SubscriptionResource) -> [String] {
        var out: [String] = []
        if actual.topic != wanted.topic {
            out.append("reads topic \(actual.topic), not \(wanted.topic) (fixed at creation: delete the subscription and apply again)")
        }
        if actual.enableMessageOrdering != wanted.enableMessageOrdering {
            out.append(
                "message ordering \(actual.enableMessageOrdering ? "on" : "off"), defined \(wanted.enableMessageOrdering ? "on" : "off") (fixed at creation: delete the subscription and apply again)"
            )
        }
        if actual.ackDeadlineSeconds != wanted.ackDeadlineSeconds {
            out.append("ack deadline \(actual.ackDeadlineSeconds) s, defined \(wanted.ackDeadlineSeconds) s (apply --alter changes it)")
        }
        if actual.deadLetterPolicy != wanted.deadLetterPolicy {
            let show = { (p: SubscriptionResource.DeadLetterPolicy?) in
                p.map { "to \($0.topic) after \($0.maxDeliveryAttempts) attempts" } ?? "none"
            }
            out.append(
                "dead-letter policy \(show(actual.deadLetterPolicy)), defined \(show(wanted.deadLetterPolicy)) (apply --alter changes it)")
        }
        return out
    }

    static func patchableFields(actual: SubscriptionResource, wanted: SubscriptionResource) -> [String] {
        var fields: [String] = []
        if actual.ackDeadlineSeconds != wanted.ackDeadlineSeconds { fields.append("ackDeadlineSeconds") }
        if actual.deadLetterPolicy != wanted.deadLetterPolicy { fields.append("deadLetterPolicy") }
        return fields
    }
}

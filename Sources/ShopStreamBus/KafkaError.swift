import ShopStreamCore

/// Everything that can go wrong on the event bus, with a sentence a person can act on.
public struct KafkaError: ShopStreamError, Equatable {
    /// What kind of failure this is; compare against the static values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A librdkafka property was unknown or had an invalid value.
        public static let configuration = Code("configuration")
        /// The cluster could not be reached or did not answer in time.
        public static let unreachable = Code("unreachable")
        /// A message could not be delivered (after librdkafka's own retries).
        public static let delivery = Code("delivery")
        /// A topic is missing, or differs from its definition.
        public static let topic = Code("topic")
        /// An admin request (create or describe topics) failed.
        public static let admin = Code("admin")
        /// The consumer failed: subscription, fetch, commit or rebalance.
        public static let consumer = Code("consumer")
        /// The embedded broker could not start.
        public static let broker = Code("broker")
        /// An argument was out of range.
        public static let invalidArgument = Code("invalid argument")
    }

    public let code: Code
    /// One sentence: what failed, on which input, and what to do.
    public let message: String
    /// librdkafka's `rd_kafka_resp_err_t`, when there was one.
    public let rdkafkaCode: Int32?

    public init(_ code: Code, _ message: String, rdkafkaCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.rdkafkaCode = rdkafkaCode
    }

    /// librdkafka's own verdict on its code where there is one (a broker between leaders, a timed-out
    /// request, a coordinator moving); without one, a cluster that could not be reached may be back
    /// later. Configuration, topics that differ from their definitions, and refusals need a person.
    public var isTransient: Bool {
        if let rdkafkaCode { return KafkaErrorCode(rawValue: rdkafkaCode).isTransient }
        return code == .unreachable
    }
}

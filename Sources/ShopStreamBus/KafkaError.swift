import ShopStreamCore

/// Everything that can go wrong on the event bus, with a sentence a person can act on.
public struct KafkaError: ShopStreamError, Equatable {
    /// What kind of failure this is; compare against the static values.
    public typealias Code = ErrorCode<KafkaError>

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

extension ErrorCode where Owner == KafkaError {
    /// A librdkafka property was unknown or had an invalid value.
    public static var configuration: Self { Self("configuration") }
    /// The cluster could not be reached or did not answer in time.
    public static var unreachable: Self { Self("unreachable") }
    /// A message could not be delivered (after librdkafka's own retries).
    public static var delivery: Self { Self("delivery") }
    /// A topic is missing, or differs from its definition.
    public static var topic: Self { Self("topic") }
    /// An admin request (create or describe topics) failed.
    public static var admin: Self { Self("admin") }
    /// The consumer failed: subscription, fetch, commit or rebalance.
    public static var consumer: Self { Self("consumer") }
    /// The embedded broker could not start.
    public static var broker: Self { Self("broker") }
    /// An argument was out of range.
    public static var invalidArgument: Self { Self("invalid argument") }
    /// A wait on the cluster was given up because the caller's stop asked `.abandon` (its deadline
    /// passed); not worth trying again in this process.
    public static var stopped: Self { Self("stopped") }
}

import Crdkafka

/// A Kafka protocol error code, or one of librdkafka's own (negative) codes, by librdkafka's name for it.
public struct KafkaErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `NOT_LEADER_FOR_PARTITION` (any case), `_TRANSPORT` for one of librdkafka's own, or the number;
    /// nil for a name or number librdkafka does not know.
    public init?(name: String) {
        let known = Self.all
        if let number = Int32(name) {
            guard known.contains(where: { $0.rawValue == number }) else { return nil }
            rawValue = number
            return
        }
        let wanted = name.uppercased()
        guard let code = known.first(where: { $0.name == wanted }) else { return nil }
        rawValue = code.rawValue
    }

    /// librdkafka's name: `NOT_LEADER_FOR_PARTITION`, `_TRANSPORT`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
    /// librdkafka's sentence for it: `Broker: Not leader for partition`.
    public var text: String { rdkafkaMessage(rd_kafka_resp_err_t(rawValue: rawValue)) }
    public var description: String { name }

    public static let noError = KafkaErrorCode(rawValue: 0)

    /// A broker error that goes away when the request is made again (after a metadata refresh, a
    /// back-off): Kafka's retriable protocol errors (a leader moving, a request timing out, a replica
    /// or coordinator not ready yet).
    public var isRetriable: Bool { Self.retriable.contains(rawValue) }

    /// Retriable, or one of librdkafka's own codes for a cluster out of reach or too slow for now
    /// (`_TRANSPORT`, `_ALL_BROKERS_DOWN`, `_TIMED_OUT`, `_MSG_TIMED_OUT`, `_QUEUE_FULL`): trying
    /// again later may work.
    public var isTransient: Bool { isRetriable || Self.localTransient.contains(rawValue) }

    private static let localTransient = Set(
        [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
        ].map(\.rawValue))

    /// UNKNOWN_TOPIC_OR_PART, LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT,
    /// BROKER_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE, NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS,
    /// COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, NOT_ENOUGH_REPLICAS(_AFTER_APPEND),
    /// KAFKA_STORAGE_ERROR, FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH,
    /// LISTENER_NOT_FOUND, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, OFFSET_NOT_AVAILABLE,
    /// PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNSTABLE_OFFSET_COMMIT,
    /// THROTTLING_QUOTA_EXCEEDED.
    private static let retriable: Set<Int32> = [3, 5, 6, 7, 8, 9, 13, 14, 15, 16, 19, 20, 56, 70, 71, 72, 74, 75, 78, 80, 83, 88, 89]

    /// Every code librdkafka names.
    public static var all: [KafkaErrorCode] {
        var descriptions: UnsafePointer<rd_kafka_err_desc>?
        var count = 0
        rd_kafka_get_err_descs(&descriptions, &count)
        guard let descriptions else { return [] }
        return (0..<count).compactMap { i in
            descriptions[i].name == nil ? nil : KafkaErrorCode(rawValue: descriptions[i].code.rawValue)
        }
    }
}

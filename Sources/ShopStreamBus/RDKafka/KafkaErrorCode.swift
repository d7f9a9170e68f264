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

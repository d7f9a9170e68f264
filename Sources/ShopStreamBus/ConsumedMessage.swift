/// A topic and partition: the unit of ordering, assignment and offsets.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A message header: a name and raw bytes.
public struct KafkaHeader: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]
    public init(_ name: String, _ value: [UInt8]) { self.name = name; self.value = value }
    public init(_ name: String, _ value: String) { self.init(name, Array(value.utf8)) }
}

/// One message read from Kafka, copied out of librdkafka's buffers.
public struct ConsumedMessage: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Record timestamp in milliseconds since the epoch, when the broker kept one.
    public var timestampMs: Int64?

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
}

/// A change of the partitions assigned to this consumer.
public enum Rebalance: Sendable, Equatable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
}

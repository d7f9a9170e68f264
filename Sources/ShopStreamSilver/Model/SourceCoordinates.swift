/// Where a silver row or reject came from, on either bus: the `_source_*` columns.
///
/// Kafka fills the partition and offset, and names the message `<partition>:<offset>`; Pub/Sub
/// has no positions, and names it by its message id. Either way `<topic>:<message id>` is the same
/// text for the same message however often it is delivered: the row's insert id, what tells a
/// replay from a duplicate (`AcceptedEvents`).
public struct SourceCoordinates: Sendable, Hashable {
    public var topic: String
    /// Kafka's partition; nil on Pub/Sub.
    public var partition: Int32?
    /// Kafka's offset; nil on Pub/Sub.
    public var offset: Int64?
    /// Kafka: `<partition>:<offset>`; Pub/Sub: the message id.
    public var messageId: String
    /// Kafka's record timestamp or Pub/Sub's publishTime, in milliseconds since the epoch.
    public var publishTimeMs: Int64?
    /// Pub/Sub's delivery attempt (set on subscriptions with a dead-letter policy); nil on Kafka.
    public var deliveryAttempt: Int?

    public init(
        topic: String, partition: Int32? = nil, offset: Int64? = nil, messageId: String, publishTimeMs: Int64? = nil,
        deliveryAttempt: Int? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.messageId = messageId
        self.publishTimeMs = publishTimeMs
        self.deliveryAttempt = deliveryAttempt
    }

    /// A Kafka record's coordinates.
    public static func kafka(topic: String, partition: Int32, offset: Int64, timestampMs: Int64? = nil) -> SourceCoordinates {
        SourceCoordinates(
            topic: topic, partition: partition, offset: offset, messageId: String(partition) + ":" + String(offset),
            publishTimeMs: timestampMs)
    }

    /// A Pub/Sub message's coordinates.
    public static func pubSub(topic: String, messageId: String, publishTimeMs: Int64?, deliveryAttempt: Int?) -> SourceCoordinates {
        SourceCoordinates(topic: topic, messageId: messageId, publishTimeMs: publishTimeMs, deliveryAttempt: deliveryAttempt)
    }

    /// `<topic>:<message id>` (on Kafka `<topic>:<partition>:<offset>`): the insertAll insertId.
    public var insertId: String { topic + ":" + messageId }

    /// `shop.sales+3+1024` on Kafka, `shop.sales+<message id>` on Pub/Sub: a dead letter's key.
    public var key: String {
        if let partition, let offset { return topic + "+" + String(partition) + "+" + String(offset) }
        return topic + "+" + messageId
    }
}

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
            topic: topic, partition: partition, offset: offset, messageId: joined(Int64(partition), offset), publishTimeMs: timestampMs)
    }

    /// A Pub/Sub message's coordinates.
    public static func pubSub(topic: String, messageId: String, publishTimeMs: Int64?, deliveryAttempt: Int?) -> SourceCoordinates {
        SourceCoordinates(topic: topic, messageId: messageId, publishTimeMs: publishTimeMs, deliveryAttempt: deliveryAttempt)
    }

    /// `<topic>:<message id>` (on Kafka `<topic>:<partition>:<offset>`): the insertAll insertId.
    public var insertId: String {
        var (topic, id) = (topic, messageId)
        let count = topic.utf8.count + 1 + id.utf8.count
        return topic.withUTF8 { topic in
            id.withUTF8 { id in
                String(unsafeUninitializedCapacity: count) { out in
                    let colon = out.initialize(fromContentsOf: topic)
                    out[colon] = UInt8(ascii: ":")
                    return UnsafeMutableBufferPointer(rebasing: out[(colon + 1)...]).initialize(fromContentsOf: id) + colon + 1
                }
            }
        }
    }

    /// `<a>:<b>` in decimal, written once into a string of its size. With `+`, twice a Kafka
    /// message (its message id, then its insert id), each number became a string of its own and
    /// the result grew piece by piece (~1,000 instructions a message, callgrind).
    static func joined(_ a: Int64, _ b: Int64) -> String {
        let count = decimalCount(a) + 1 + decimalCount(b)
        return String(unsafeUninitializedCapacity: count) { out in
            let i = writeDecimal(a, into: out, at: 0)
            out[i] = UInt8(ascii: ":")
            return writeDecimal(b, into: out, at: i + 1)
        }
    }

    /// The characters of `v` in decimal, its sign included.
    private static func decimalCount(_ v: Int64) -> Int { (v < 0 ? 1 : 0) + digitCount(v.magnitude) }

    private static func digitCount(_ m: UInt64) -> Int {
        var (n, m) = (1, m)
        while m >= 10 {
            m /= 10
            n += 1
        }
        return n
    }

    /// Writes `v` in decimal at `i`; returns the index after it.
    private static func writeDecimal(_ v: Int64, into out: UnsafeMutableBufferPointer<UInt8>, at i: Int) -> Int {
        var k = i
        if v < 0 {
            out[k] = UInt8(ascii: "-")
            k += 1
        }
        let end = k + digitCount(v.magnitude)
        var (m, at) = (v.magnitude, end)
        repeat {
            at -= 1
            out[at] = UInt8(ascii: "0") + UInt8(m % 10)
            m /= 10
        } while m > 0
        return end
    }

    /// `shop.sales+3+1024` on Kafka, `shop.sales+<message id>` on Pub/Sub: a dead letter's key.
    public var key: String {
        if let partition, let offset { return topic + "+" + String(partition) + "+" + String(offset) }
        return topic + "+" + messageId
    }
}

import ShopStreamCore

/// One delivery of a message to a `PubSubConsumer`: the message, where it came from, and the ack id
/// that settles (acknowledges), extends or gives back this delivery. A redelivery of the same
/// message is a new delivery: same `messageId`, a new `ackId`.
public struct PubSubDelivery: Sendable, Equatable {
    /// The topic the subscription reads (`shop.sales`).
    public var topic: String
    public var subscription: String
    /// Empty when the message was published without one.
    public var orderingKey: String
    public var data: [UInt8]
    public var attributes: [String: String]
    /// Pub/Sub's id of the message, the same on every redelivery.
    public var messageId: String
    /// When Pub/Sub accepted the message, RFC 3339 as Pub/Sub wrote it.
    public var publishTime: String
    /// `publishTime` in milliseconds since the epoch (0 if Pub/Sub gave none).
    public var publishTimeMs: Int64
    /// 1 on the first delivery, counting up on each redelivery; 0 on a subscription without a
    /// dead-letter policy (Pub/Sub counts only there).
    public var deliveryAttempt: Int
    public var ackId: String

    public init(_ message: ReceivedMessage, topic: String, subscription: String) {
        self.topic = topic
        self.subscription = subscription
        orderingKey = message.orderingKey
        data = message.data
        attributes = message.attributes
        messageId = message.messageId
        publishTime = message.publishTime
        publishTimeMs = Self.milliseconds(rfc3339: message.publishTime) ?? 0
        deliveryAttempt = message.deliveryAttempt
        ackId = message.ackId
    }

    /// The event's business time (`EventAttributes.eventTimeMs`), if the publisher set it.
    public var eventTimeMs: Int64? { attributes[EventAttributes.eventTimeMs].flatMap(Int64.init) }

    /// `2026-12-03T09:06:45.330Z` (any number of fraction digits, UTC only, as Pub/Sub writes
    /// it) in milliseconds since the epoch; nil for anything else.
    public static func milliseconds(rfc3339 text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b.last == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard (48...57).contains(b[i]) else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var millis = 0
        if b[19] == UInt8(ascii: ".") {
            let digits = b[20..<(b.count - 1)]
            guard !digits.isEmpty, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
            for (i, d) in digits.prefix(3).enumerated() { millis += Int(d - 48) * [100, 10, 1][i] }
        } else if b.count != 20 {
            return nil
        }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(millis)
    }
}

import Foundation

/// A message to publish: bytes, attributes and the ordering key that keeps a key's messages in order.
public struct OutgoingMessage: Sendable, Equatable {
    public var data: [UInt8]
    /// Up to 100 attributes; keys up to 256 bytes, values up to 1,024 bytes (Pub/Sub's limits).
    public var attributes: [String: String]
    /// Messages with the same key are delivered in publish order on a subscription with message
    /// ordering; empty for none. At most 1,024 bytes.
    public var orderingKey: String

    public init(data: [UInt8], attributes: [String: String] = [:], orderingKey: String = "") {
        self.data = data
        self.attributes = attributes
        self.orderingKey = orderingKey
    }

    /// Bytes this message adds to a publish request: data grows by a third in base64, plus the
    /// JSON around it. An estimate from above, to keep requests under Pub/Sub's 10 MB.
    var requestBytes: Int {
        (data.count + 2) / 3 * 4 + orderingKey.utf8.count + attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 } + 48
    }
}

/// A message as a pull delivered it: the message, and the ack id that acknowledges this delivery.
public struct ReceivedMessage: Sendable, Equatable {
    /// Acknowledges (or extends, or nacks) this delivery; a redelivery has a new one.
    public var ackId: String
    /// Pub/Sub's id of the message, the same on every redelivery: what a consumer recognises
    /// a redelivered message by.
    public var messageId: String
    public var data: [UInt8]
    public var attributes: [String: String]
    public var orderingKey: String
    /// When Pub/Sub accepted the message, RFC 3339 (`2026-12-03T09:06:45.330Z`).
    public var publishTime: String
    /// 1 on the first delivery, counting up on each redelivery; only set on a subscription with a
    /// dead-letter policy (0 otherwise).
    public var deliveryAttempt: Int
}

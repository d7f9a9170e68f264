/// One business event, ready to publish: a JSON value, its message key and its
/// business time (used as the Kafka record timestamp).
public struct Event: Sendable, Equatable {
    public var entity: Entity
    /// The message key (UTF-8), e.g. a `customer_id` or a `sale_id`.
    public var key: [UInt8]
    /// The event as one line of compact JSON (UTF-8, no trailing newline).
    public var value: [UInt8]
    /// Business time of the event, milliseconds since the Unix epoch (UTC).
    public var timestampMs: Int64

    public init(entity: Entity, key: [UInt8], value: [UInt8], timestampMs: Int64) {
        self.entity = entity
        self.key = key
        self.value = value
        self.timestampMs = timestampMs
    }
}

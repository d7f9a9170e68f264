/// Where generated events go: a Kafka producer, a file, or a test's array.
///
/// The buffers are only valid during the call; a sink that keeps an event copies it.
public protocol EventSink {
    /// Takes one event. Returns `false` to ask the generator to stop.
    mutating func emit(
        _ entity: Entity,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        timestampMs: Int64
    ) throws -> Bool
}

/// Collects events in memory; for tests and small tools.
public struct EventCollector: EventSink {
    public private(set) var events: [Event] = []
    public var limit: Int?

    public init(limit: Int? = nil) { self.limit = limit }

    public mutating func emit(
        _ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64
    ) throws -> Bool {
        events.append(Event(entity: entity, key: Array(key), value: Array(value), timestampMs: timestampMs))
        if let limit { return events.count < limit }
        return true
    }
}

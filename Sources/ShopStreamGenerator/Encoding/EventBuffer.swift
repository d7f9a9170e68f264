import ShopStreamCore

/// Where the simulator writes a chunk of events before handing them to a sink:
/// one growing byte area holding the JSON values back to back, and a record per
/// event pointing into it (the key is a slice of the value, e.g. its `sale_id`).
///
/// A struct over raw memory rather than `[UInt8]`: every append is then a plain
/// store, with no uniqueness or exclusivity check, which is most of the cost of
/// encoding at millions of events per second.
struct EventBuffer {
    /// Largest encoded event; `beginEvent` guarantees this much room.
    static let maxEventBytes = 4096

    private let storage: Storage
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes written so far.
    var count = 0
    private(set) var records: [EventRecord] = []

    private var eventStart = 0
    private var keyStart = 0
    private var keyCount = 0

    init(capacity: Int = 1 << 20) {
        storage = Storage(capacity: capacity)
        base = storage.pointer
        self.capacity = capacity
        records.reserveCapacity(8192)
    }

    var eventCount: Int { records.count }

    mutating func reset() {
        count = 0
        records.removeAll(keepingCapacity: true)
    }

    // MARK: Framing

    @inline(__always)
    mutating func beginEvent() {
        if capacity - count < EventBuffer.maxEventBytes { grow() }
        eventStart = count
        keyCount = 0
    }

    /// Marks the bytes written since `markKeyStart()` as the message key.
    @inline(__always) mutating func markKeyStart() { keyStart = count }
    @inline(__always) mutating func markKeyEnd() { keyCount = count - keyStart }

    @inline(__always)
    mutating func endEvent(_ entity: Entity, timestampMs: Int64) {
        assert(count - eventStart <= EventBuffer.maxEventBytes, "event larger than EventBuffer.maxEventBytes")
        assert(keyCount > 0, "event without a key")
        records.append(
            EventRecord(
                entity: entity, keyStart: Int32(keyStart), keyCount: Int32(keyCount),
                valueStart: Int32(eventStart), valueCount: Int32(count - eventStart), timestampMs: timestampMs))
    }

    private mutating func grow() {
        storage.grow(to: max(capacity * 2, count + EventBuffer.maxEventBytes))
        base = storage.pointer
        capacity = storage.capacity
    }

    /// Hands every record to `sink`, in order. Returns how many were accepted
    /// per entity (indexed as `Entity.allCases`) and whether the sink asked to stop.
    func drain(into sink: inout some EventSink) throws -> (accepted: [Int], stopped: Bool) {
        var accepted = [Int](repeating: 0, count: Entity.allCases.count)
        let base = UnsafeRawPointer(self.base)
        for r in records {
            let key = UnsafeRawBufferPointer(start: base + Int(r.keyStart), count: Int(r.keyCount))
            let value = UnsafeRawBufferPointer(start: base + Int(r.valueStart), count: Int(r.valueCount))
            let more = try sink.emit(r.entity, key: key, value: value, timestampMs: r.timestampMs)
            accepted[r.entity.index] += 1
            if !more { return (accepted, true) }
        }
        return (accepted, false)
    }

    /// Owns the allocation, so the struct can be copied freely while the memory lives on.
    private final class Storage {
        private(set) var pointer: UnsafeMutablePointer<UInt8>
        private(set) var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            pointer = .allocate(capacity: capacity)
        }

        func grow(to newCapacity: Int) {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            p.update(from: pointer, count: capacity)
            pointer.deallocate()
            pointer = p
            capacity = newCapacity
        }

        deinit { pointer.deallocate() }
    }
}

struct EventRecord {
    var entity: Entity
    var keyStart: Int32
    var keyCount: Int32
    var valueStart: Int32
    var valueCount: Int32
    var timestampMs: Int64
}

import ShopStreamCore

/// A live day's events, held until the engine has moved past their time, then handed
/// to the sink in time order.
///
/// The engine writes an order's follow-ups (its payments up to minutes later, a tier
/// upgrade a second later) together with the sale, before orders due in between; on a
/// live day a publisher holds each event until its time, so an event that came too
/// early in the sequence would hold up every event after it. Ordered by (time, the
/// order they were written), so events at the same time keep their order and a fact
/// still follows whatever it refers to (which is never dated after it).
struct TimeOrderedEvents {
    private struct Held {
        var timestampMs: Int64
        var sequence: Int
        var entity: Entity
        var key: Range<Int>
        var value: [UInt8]

        func precedes(_ other: Held) -> Bool {
            timestampMs != other.timestampMs ? timestampMs < other.timestampMs : sequence < other.sequence
        }
    }

    /// A binary min-heap.
    private var heap: [Held] = []
    private var written = 0

    var count: Int { heap.count }

    /// Copies in every event of `buffer`.
    mutating func take(_ buffer: EventBuffer) {
        let base = UnsafeRawPointer(buffer.base)
        for r in buffer.records {
            let value = Array(UnsafeRawBufferPointer(start: base + Int(r.valueStart), count: Int(r.valueCount)))
            let keyStart = Int(r.keyStart - r.valueStart)
            push(
                Held(
                    timestampMs: r.timestampMs, sequence: written, entity: r.entity,
                    key: keyStart..<keyStart + Int(r.keyCount), value: value))
            written += 1
        }
    }

    /// Hands the sink, in order, every held event dated at or before `untilMs`.
    /// Returns how many it accepted per entity and whether it asked to stop.
    mutating func release(upTo untilMs: Int64, into sink: inout some EventSink) throws -> (accepted: [Int], stopped: Bool) {
        var accepted = [Int](repeating: 0, count: Entity.allCases.count)
        while let first = heap.first, first.timestampMs <= untilMs {
            let event = pop()
            let more = try event.value.withUnsafeBytes { value in
                try sink.emit(
                    event.entity, key: UnsafeRawBufferPointer(rebasing: value[event.key]), value: value,
                    timestampMs: event.timestampMs)
            }
            accepted[event.entity.index] += 1
            if !more { return (accepted, true) }
        }
        return (accepted, false)
    }

    private mutating func push(_ e: Held) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].precedes(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func pop() -> Held {
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && heap[l].precedes(heap[m]) { m = l }
            if r < heap.count && heap[r].precedes(heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }
}

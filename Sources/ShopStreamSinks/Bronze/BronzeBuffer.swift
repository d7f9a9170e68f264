/// The bronze sinks' memory bound: events read and not yet stored, counted in events and in bytes
/// of their values, with the peaks for the summary. Full at either bound: then a sink stops reading
/// until uploads make room.
struct BronzeBuffer {
    let maxEvents: Int
    let maxBytes: Int
    private(set) var events = 0
    private(set) var bytes = 0
    private(set) var peakEvents = 0
    private(set) var peakBytes = 0

    init(maxEvents: Int, maxBytes: Int) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
    }

    var isFull: Bool { events >= maxEvents || bytes >= maxBytes }
    /// Whether the byte bound is the one reached (then batches are measured in bytes).
    var isFullInBytes: Bool { bytes >= maxBytes }

    mutating func hold(bytes n: Int) {
        events += 1
        bytes += n
        peakEvents = max(peakEvents, events)
        peakBytes = max(peakBytes, bytes)
    }

    mutating func release(bytes n: Int) {
        events -= 1
        bytes -= n
    }

    /// With the buffer full only stored objects make room, so enough must be on its way: the open
    /// batches to seal, largest first, while more than half of what is held sits in open batches.
    /// Sizes are in the unit of the bound reached (bytes or events). Without this, large messages
    /// fill the byte bound long before a batch reaches its size, and nothing would be uploaded
    /// until the batch age.
    func batchesToSeal<Key>(_ open: [(key: Key, events: Int, bytes: Int)]) -> [Key] {
        let inBytes = isFullInBytes
        let held = inBytes ? bytes : events
        var inOpenBatches = open.reduce(0) { $0 + (inBytes ? $1.bytes : $1.events) }
        var out: [Key] = []
        for batch in open.sorted(by: { inBytes ? $0.bytes > $1.bytes : $0.events > $1.events }) {
            guard inOpenBatches * 2 > held else { break }
            out.append(batch.key)
            inOpenBatches -= inBytes ? batch.bytes : batch.events
        }
        return out
    }
}

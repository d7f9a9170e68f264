import ShopStreamBus

/// The latest record time read per lane (`SilverSink`'s view of how far each topic is read).
/// Messages come in runs of one partition (a fetch's worth), so the lane being read is kept
/// aside and written to the table only when another lane comes: one comparison a message
/// instead of hashing its topic's name twice.
struct LaneTimes {
    private var times: [TopicPartition: Int64] = [:]
    private var current: TopicPartition?
    private var currentLatest: Int64 = .min

    mutating func saw(_ lane: TopicPartition, _ timestampMs: Int64) {
        if lane == current {
            if timestampMs > currentLatest { currentLatest = timestampMs }
            return
        }
        if let current { times[current] = currentLatest }
        current = lane
        currentLatest = max(times[lane, default: .min], timestampMs)
    }

    /// Every lane's latest record time.
    mutating func latest() -> [TopicPartition: Int64] {
        if let current { times[current] = currentLatest }
        return times
    }
}

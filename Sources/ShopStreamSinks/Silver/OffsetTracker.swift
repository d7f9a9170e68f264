import ShopStreamBus

/// Which offsets of each partition are finished, so the committed offset only
/// ever moves past work that is done (in the table or dead-lettered), even when
/// later messages finish first (a fact waiting for its dimension holds its
/// partition's commit back, not the stream).
struct OffsetTracker {
    private struct Partition {
        /// Offsets read and not yet done, in read order (offsets only grow within a partition).
        var pending: [Int64] = []
        var head = 0
        var done: Set<Int64> = []
        /// Next offset to commit, once it moved.
        var committable: Int64?

        mutating func finish(_ offset: Int64) {
            // Most offsets finish in the order read: the first pending one moves the commit at once,
            // without a pass through `done` (which never holds the first pending offset).
            if head < pending.count, pending[head] == offset {
                committable = offset + 1
                head += 1
            } else {
                done.insert(offset)
            }
            while head < pending.count, !done.isEmpty, done.remove(pending[head]) != nil {
                committable = pending[head] + 1
                head += 1
            }
            if head > 4096 && head * 2 > pending.count {
                pending.removeFirst(head)
                head = 0
            }
        }
    }

    private var partitions: [TopicPartition: Partition] = [:]

    /// Records that `offset` was read and is not done yet.
    mutating func read(_ tp: TopicPartition, _ offset: Int64) {
        partitions[tp, default: Partition()].pending.append(offset)
    }

    /// Marks an offset done.
    mutating func finish(_ tp: TopicPartition, _ offset: Int64) {
        // In place: a copy of the partition taken out and stored back would copy its whole set of
        // done offsets on every call (thousands, while one fact waits for its dimension).
        partitions[tp]?.finish(offset)
    }

    /// Offsets that can be committed now (and forgets them until they move again).
    mutating func takeCommittable() -> [TopicPartition: Int64] {
        var out: [TopicPartition: Int64] = [:]
        for (tp, var p) in partitions {
            if let c = p.committable {
                out[tp] = c
                p.committable = nil
                partitions[tp] = p
            }
        }
        return out
    }

    /// Offers offsets taken by `takeCommittable` again (their commit failed), unless a partition
    /// moved past them or was forgotten meanwhile.
    mutating func restore(_ offsets: [TopicPartition: Int64]) {
        for (tp, offset) in offsets {
            guard var p = partitions[tp], offset > (p.committable ?? -1) else { continue }
            p.committable = offset
            partitions[tp] = p
        }
    }

    /// Messages read and not yet done (those done behind one that is not are done).
    var outstanding: Int { partitions.values.reduce(0) { $0 + $1.pending.count - $1.head - $1.done.count } }

    /// Forgets partitions this consumer no longer owns.
    mutating func forget(_ tps: some Sequence<TopicPartition>) {
        for tp in tps { partitions[tp] = nil }
    }
}

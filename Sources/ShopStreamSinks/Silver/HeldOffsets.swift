/// The offsets of one Kafka partition that silver already holds past the group's committed offset:
/// messages an earlier run inserted (a row of the entity's table) or dead-lettered (a row of
/// silver.rejects) and died before committing. A restart reads them again and must settle them
/// without inserting or dead-lettering them a second time.
///
/// Held as sorted runs of consecutive offsets of one kind: what a run inserts past its commit is
/// nearly contiguous, so even a partition read from the beginning with nothing committed costs a
/// few runs, not a word per row.
struct HeldOffsets {
    enum Kind: Equatable {
        /// A row of the entity's table.
        case row
        /// A row of silver.rejects (and a letter on shop.dlq).
        case reject
    }

    private struct Run {
        var first: Int64
        var last: Int64
        var kind: Kind
    }

    private var runs: [Run] = []
    /// Distinct offsets held.
    private(set) var count = 0

    /// From offsets in any order; an offset held twice (raw duplicates of an older ShopStream) counts once.
    init(_ offsets: [(offset: Int64, kind: Kind)]) {
        for (offset, kind) in offsets.sorted(by: { $0.offset < $1.offset }) {
            if let last = runs.last, offset <= last.last { continue }
            count += 1
            if let last = runs.last, last.kind == kind, offset == last.last + 1 {
                runs[runs.count - 1].last = offset
            } else {
                runs.append(Run(first: offset, last: offset, kind: kind))
            }
        }
    }

    var isEmpty: Bool { runs.isEmpty }

    /// The highest offset held: past it, nothing is (the partition's entry can go).
    var highest: Int64? { runs.last?.last }

    /// What silver holds at `offset`, or nil.
    func kind(at offset: Int64) -> Kind? {
        var low = 0, high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if runs[mid].last < offset { low = mid + 1 } else { high = mid }
        }
        guard low < runs.count, runs[low].first <= offset else { return nil }
        return runs[low].kind
    }
}

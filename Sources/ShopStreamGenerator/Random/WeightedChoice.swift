/// Picks an index with probability proportional to its weight, in O(1):
/// Walker's alias method. Built with +, -, * and / only (no libm), so the table,
/// and therefore every draw, is identical on every platform.
struct AliasTable {
    private var alias: [Int32]
    private var keep: [UInt64]  // threshold below which the slot keeps its own index

    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0, "an alias table needs at least one weight")
        let total = weights.reduce(0, +)
        precondition(total > 0, "an alias table needs a positive total weight")
        var scaled = weights.map { $0 * Double(n) / total }
        alias = (0..<n).map { Int32($0) }
        keep = Array(repeating: .max, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            keep[s] = Chance(scaled[s]).threshold
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        // Slots left in either list keep themselves (their scaled weight is 1 up to rounding).
        for l in large { keep[l] = .max; alias[l] = Int32(l) }
        for s in small { keep[s] = .max; alias[s] = Int32(s) }
    }

    @inline(__always)
    func pick(_ rng: inout Xoshiro256) -> Int {
        let i = rng.below(keep.count)
        return rng.next() < keep[i] ? i : Int(alias[i])
    }
}

/// A few small integer weights, picked by a linear scan; for tables of under ~30 entries.
struct SmallWeights {
    private var cumulative: [Int32]
    let total: Int

    init(_ weights: [Int]) {
        var sum = 0
        cumulative = weights.map {
            sum += $0; return Int32(sum)
        }
        total = sum
        precondition(total > 0, "weights must not all be zero")
    }

    func weight(_ i: Int) -> Int { Int(cumulative[i]) - (i == 0 ? 0 : Int(cumulative[i - 1])) }

    @inline(__always)
    func pick(_ rng: inout Xoshiro256) -> Int {
        let r = Int32(rng.below(total))
        var i = 0
        while cumulative[i] <= r { i += 1 }
        return i
    }
}

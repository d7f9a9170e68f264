/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64: fast, small and,
/// unlike `SystemRandomNumberGenerator`, the same sequence on every platform.
struct Xoshiro256 {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm); s1 = splitMix(&sm); s2 = splitMix(&sm); s3 = splitMix(&sm)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `0..<n` (Lemire's multiply-high; the bias is below 2⁻⁵⁰ for our ranges).
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(truncatingIfNeeded: n).multipliedFullWidth(by: next()).high)
    }

    /// Uniform in `range`.
    @inline(__always)
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with the probability that `threshold` encodes (see `Chance`).
    @inline(__always)
    mutating func happens(_ chance: Chance) -> Bool { next() < chance.threshold }

    /// Uniform in [0, 1), from the top 53 bits.
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// A probability as a 64-bit threshold, so a draw is one integer compare.
struct Chance {
    let threshold: UInt64

    init(_ probability: Double) {
        if probability <= 0 {
            threshold = 0
        } else if probability >= 1 {
            threshold = .max
        } else {
            threshold = UInt64(probability * 18_446_744_073_709_551_616.0)
        }
    }
}

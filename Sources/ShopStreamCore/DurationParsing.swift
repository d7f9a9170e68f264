import Foundation

extension Duration {
    /// Parses `500ms`, `30s`, `2m`, `1h`, `30d` (a number and a unit; no unit means seconds).
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var number = t
        var scale = 1.0
        for (suffix, s) in units where t.hasSuffix(suffix) {
            number = String(t.dropLast(suffix.count))
            scale = s
            break
        }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        self = .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for timers and histograms.
    public var nanoseconds: Int64 {
        let (s, a) = components
        let (n, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (s < 0 ? .min : .max) : n &+ a / 1_000_000_000
    }

    /// Seconds as a floating-point number.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

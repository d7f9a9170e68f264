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

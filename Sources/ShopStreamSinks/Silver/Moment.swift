import ShopStreamCore

/// A point on `ContinuousClock`, held as nanoseconds from a fixed origin.
///
/// `ContinuousClock.Instant` is resilient outside the standard library: a struct that holds one is
/// copied, compared and destroyed through value witnesses (and their metadata looked up), not as
/// two words. The silver sink copies the times of the facts it holds many times an event (each
/// fact read, the reference gate's heap of deadlines): under callgrind, on 30,000 events, the heap's
/// pops and the witness copies and destroys of its (Instant, key) pairs alone were ~4.6 % of all the
/// sink's instructions (BENCHMARKS.md, "Silver's reading thread"). A `Moment` copies as one word.
struct Moment: Comparable, Sendable {
    /// Nanoseconds since `origin`.
    let nanoseconds: Int64

    private static let clockOrigin = ContinuousClock.now

    init(_ instant: ContinuousClock.Instant) {
        nanoseconds = (instant - Self.clockOrigin).nanoseconds
    }

    private init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    static var now: Moment { Moment(ContinuousClock.now) }

    /// The first moment of this process's clock (nanoseconds 0).
    static let origin = Moment(nanoseconds: 0)

    static func < (a: Moment, b: Moment) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Saturates: a deadline past the range is `.max` nanoseconds (~292 years on).
    static func + (m: Moment, d: Duration) -> Moment {
        let (sum, overflow) = m.nanoseconds.addingReportingOverflow(d.nanoseconds)
        return Moment(nanoseconds: overflow ? (d < .zero ? .min : .max) : sum)
    }

    static func - (a: Moment, b: Moment) -> Duration { .nanoseconds(a.nanoseconds - b.nanoseconds) }
}

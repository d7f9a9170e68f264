import ShopStreamCore

/// A sink that reads until asked to stop. Each sink writes its loop once, as `run(asking:)`;
/// the ways to ask (a closure, a `StopSignal`) are these, shared.
public protocol StoppableSink: AnyObject {
    /// Runs until `request` (asked before each poll) says how to stop; see each sink for what
    /// `.now`, `.drain` and `.abandon` leave behind. A sink runs once (a run closes its threads and
    /// leaves its books): a second run throws `SinkError` `.invalidArgument`; make a new sink instead.
    func run(asking request: () -> StopSignal.Request) throws

    /// Runs until `stop` asks. A requirement (with a default below) so that a sink that can use
    /// the signal itself, not only its answers (the silver sink hands it to its warehouse), is
    /// reached through the protocol too.
    func run(until stop: StopSignal) throws
}

extension StoppableSink {
    /// Runs until `shouldStop` returns true (then stops as on `.now`), or until idle.
    public func run(shouldStop: () -> Bool = { false }) throws {
        try run(asking: { shouldStop() ? .now : .none })
    }

    /// Runs until `stop` asks.
    public func run(until stop: StopSignal) throws {
        try run(asking: { stop.request })
    }
}

/// A sink's one run: a run closes its threads and pools and leaves its books (a second run of a
/// Kafka sink hung with more to read; the Pub/Sub bronze sink's, ended `stopping`, would have given
/// a failed upload back at once instead of holding it), so `start` lets the first through and refuses the others with one sentence.
struct RunOnce {
    private var started = false

    /// Marks the run begun; a `SinkError` `.invalidArgument` naming `sink` if one was.
    mutating func start(_ sink: String) throws {
        guard !started else { throw SinkError(.invalidArgument, "this \(sink) has run already; make a new one to read again") }
        started = true
    }
}

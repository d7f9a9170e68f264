import Synchronization

/// How a long-running loop is asked to end; one value shared by the loop and whoever stops it.
///
/// Requests only escalate: `drain` (read on until caught up with what was published, land it,
/// commit, return), `now` (read no more; land and commit what was read), `abandon` (the deadline
/// passed: give up on work in flight, commit nothing more, return as soon as possible).
public final class StopSignal: Sendable {
    public enum Request: UInt8, Sendable, Comparable {
        case none = 0
        case drain, now, abandon
        public static func < (a: Request, b: Request) -> Bool { a.rawValue < b.rawValue }
    }

    private let state = Atomic<UInt8>(0)

    public init() {}

    /// What has been asked so far (the strongest request).
    public var request: Request { Request(rawValue: state.load(ordering: .acquiring)) ?? .abandon }

    /// Asks for `request`, unless something stronger was asked already.
    public func request(_ request: Request) {
        var current = state.load(ordering: .relaxed)
        while current < request.rawValue {
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: request.rawValue, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }

    /// Whether anything at all has been asked.
    public var isRequested: Bool { request != .none }
}

import Foundation
import Synchronization

/// How a long-running loop is asked to end; one value shared by the loop and whoever stops it.
///
/// Requests only escalate: `drain` (read on until caught up with what was published, land it,
/// commit, return), `now` (read no more; land and commit what was read), `abandon` (the deadline
/// passed: give up on work in flight, commit nothing more, return as soon as possible).
///
/// A thread that has to wait (a retry's backoff) sleeps on it with `sleep(for:untilAsked:)`, and
/// a request wakes it at once, from any thread.
public final class StopSignal: Sendable {
    public enum Request: UInt8, Sendable, Comparable {
        case none = 0
        case drain, now, abandon
        public static func < (a: Request, b: Request) -> Bool { a.rawValue < b.rawValue }
    }

    private let state = Atomic<UInt8>(0)
    private let sleepers = Sleepers()

    public init() {}

    /// What has been asked so far (the strongest request).
    public var request: Request { Request(rawValue: state.load(ordering: .acquiring)) ?? .abandon }

    /// Asks for `request`, unless something stronger was asked already.
    public func request(_ request: Request) {
        var current = state.load(ordering: .relaxed)
        while current < request.rawValue {
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: request.rawValue, ordering: .acquiringAndReleasing)
            if exchanged {
                sleepers.wake()
                return
            }
            current = original
        }
    }

    /// Whether anything at all has been asked.
    public var isRequested: Bool { request != .none }

    /// Blocks the calling thread for `duration`, or less: it returns as soon as `level` (or
    /// something stronger) is asked. Returns whether it was, i.e. whether the sleep was cut short
    /// (or not begun).
    @discardableResult
    public func sleep(for duration: Duration, untilAsked level: Request) -> Bool {
        let (seconds, attoseconds) = duration.components
        let deadline = Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18)
        return sleepers.sleep(until: deadline) { self.request >= level }
    }
}

/// The threads asleep on a `StopSignal`. A request changes the state first and then wakes them
/// under the lock, and a sleeper looks at the state under the same lock before it waits, so a
/// request made between the look and the wait cannot go unseen. (Unchecked: `NSCondition` is
/// thread-safe but not marked `Sendable`.)
private final class Sleepers: @unchecked Sendable {
    private let condition = NSCondition()

    func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    func sleep(until deadline: Date, asked: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !asked() {
            if !condition.wait(until: deadline) { return asked() }
        }
        return true
    }
}

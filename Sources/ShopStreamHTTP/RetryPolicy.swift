import Foundation
import ShopStreamCore

/// When and how long to wait before repeating a request (Google's retry strategy).
///
/// Retried: 408, 429 and every 5xx status, timeouts, refused, reset and dropped connections —
/// and only for requests marked idempotent. The wait before retry *n* (0-based) is
/// `min(initialBackoff · 2ⁿ + jitter, maxBackoff)` with the jitter drawn afresh in
/// `0..<maxJitter`; a `Retry-After` header (seconds or an HTTP date) replaces it, capped at
/// `maxRetryAfter`.
///
/// A `stop` cuts the waits short: once it asks `.abandon`, a wait under way ends at once and no
/// retry follows; the caller throws its "stopped while waiting to retry" error with the cause.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included (default 6: five retries). 1 disables retries.
    public var maxAttempts: Int
    /// The first backoff before jitter (default 1 s).
    public var initialBackoff: Duration
    /// The longest backoff, jitter included (default 32 s).
    public var maxBackoff: Duration
    /// The largest random addition to each backoff (default 1 s).
    public var maxJitter: Duration
    /// The longest wait a `Retry-After` header may ask for (default 60 s).
    public var maxRetryAfter: Duration
    /// HTTP statuses worth another try (default 408, 429, 500–599).
    public var retryableStatuses: Set<Int>
    /// Blocks the calling thread for a wait; tests inject one that records instead of waiting.
    /// The default sleeps on `stop` when one is set, so that an abandon wakes it; an injected one
    /// is called as it is, and `stop` is looked at before and after it.
    public private(set) var sleep: @Sendable (Duration) -> Void
    /// Whether `sleep` is the default, which `stop` can wake.
    private var sleepsOnStop: Bool
    /// Ends the waits early, and the retrying with them, once it asks `.abandon` (nil: every wait
    /// runs its course). Only `.abandon`: `.now` and `.drain` still want the work in flight done,
    /// and a retry is part of doing it; whoever owns the stop asks `.abandon` when its shutdown
    /// budget is spent (the service group, just before `--shutdown-timeout`), which is also when a
    /// backoff longer than what is left of the budget stops being worth waiting out.
    public var stop: StopSignal?
    /// A number in `0..<1` for the jitter; tests inject a fixed one.
    public var random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 6,
        initialBackoff: Duration = .seconds(1),
        maxBackoff: Duration = .seconds(32),
        maxJitter: Duration = .seconds(1),
        maxRetryAfter: Duration = .seconds(60),
        retryableStatuses: Set<Int> = Set([408, 429]).union(500...599),
        sleep: (@Sendable (Duration) -> Void)? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        stop: StopSignal? = nil
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxJitter = maxJitter
        self.maxRetryAfter = maxRetryAfter
        self.retryableStatuses = retryableStatuses
        self.sleep = sleep ?? RetryPolicy.threadSleep
        sleepsOnStop = sleep == nil
        self.random = random
        self.stop = stop
    }

    /// No retries at all.
    public static var never: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// The wait before retry number `retry` (0 for the first retry).
    public func backoff(beforeRetry retry: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxRetryAfter)
        }
        let exponent = min(retry, 30)
        let base = initialBackoff * (1 << exponent)
        let jitter = maxJitter * min(max(random(), 0), 1)
        return min(base + jitter, maxBackoff)
    }

    /// Waits `delay` before a retry (or a poll) and says whether to go on: false when `stop` asked
    /// `.abandon` before or during the wait, and then the caller sends nothing more.
    public func wait(_ delay: Duration) -> Bool {
        wait(delay, stoppingOn: stop)
    }

    /// `wait(_:)` with `stop` in place of the policy's own: for a client whose owner handed it a
    /// stop after it was built (`interruptWaits(on:)`), which replaces `self.stop`.
    public func wait(_ delay: Duration, stoppingOn stop: StopSignal?) -> Bool {
        guard let stop else {
            sleep(delay)
            return true
        }
        if stop.request >= .abandon { return false }
        if sleepsOnStop { return !stop.sleep(for: delay, untilAsked: .abandon) }
        sleep(delay)
        return stop.request < .abandon
    }

    /// Reads `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return .seconds(max(0, seconds)) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: value) {
                return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
            }
        }
        return nil
    }

    public static let threadSleep: @Sendable (Duration) -> Void = { duration in
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || attoseconds > 0 else { return }
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }
}

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import XCTest

/// What followed an abandon asked while a client backed off after a failed request.
public struct AbandonDuringBackoff {
    /// From the abandon to the return of the work.
    public var took: Duration
    /// What the work threw.
    public var error: (any Error)?
    /// "METHOD path" of every request the fault was aimed at, whether the proxy failed it or (past
    /// its faults per request) let it through (a `BackoffDrill`'s; empty for other faults).
    public var sent: [String]

    /// Whether the work returned only when its backoff was over, as if nobody had abandoned it: more
    /// than half the backoff after the abandon. Work that hears the abandon returns in milliseconds;
    /// work that does not returns the backoff less the moment between the fault and the abandon
    /// after it, so `took < backoff` alone would let it pass.
    public var waitedOutTheBackoff: Bool { took >= backoffAnAbandonMustNotWaitOut / 2 }
}

/// A backoff far longer than an abandon may take: what the tests of `BackoffDrill` tell apart.
public let backoffAnAbandonMustNotWaitOut: Duration = .seconds(20)

/// The setting of an abandon-during-a-backoff test: a fault proxy in front of a stand-in that
/// answers the requests matching `match` with 503, in a scratch folder of its own, and the retry
/// policy that makes a client behind it back off `backoffAnAbandonMustNotWaitOut` after each.
/// Point the client under test at `proxy.url` with `retry`, then `abandon(_:)` it.
///
/// The proxy is stopped and its folder removed when the drill is released: keep it until the
/// last request the test makes through the proxy.
public final class BackoffDrill {
    public let proxy: FaultProxy
    /// What the faults are aimed at: a regular expression over "METHOD path".
    public let match: String
    /// A backoff of `backoffAnAbandonMustNotWaitOut` before every retry, without jitter.
    public let retry = RetryPolicy(
        initialBackoff: backoffAnAbandonMustNotWaitOut, maxBackoff: backoffAnAbandonMustNotWaitOut, random: { 0 })
    private let scratch: String

    /// `upstream`: the stand-in's base URL (scheme, host and port).
    public init(upstream: String, failing match: String) throws {
        scratch = NSTemporaryDirectory() + "backoff-drill-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        do {
            proxy = try FaultProxy(upstream: upstream, faults: "503", match: match, directory: scratch)
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
        self.match = match
    }

    deinit {
        proxy.stop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Runs `work` on a thread of its own until the proxy has failed a request, then abandons it
    /// (see `abandonOnceFaulted`); `sent` is filled in. `work` should send through the proxy with
    /// `retry` and watch `stop` (or what it is told by it).
    public func abandon(
        _ stop: StopSignal, askingNowFor: Duration? = nil, file: StaticString = #filePath, line: UInt = #line,
        _ work: @escaping @Sendable () throws -> Void
    ) throws -> AbandonDuringBackoff {
        // Failures only (a status or a reset): the proxy counts the requests it lets through as "ok".
        let proxy = proxy
        func faults() -> Int {
            ((try? proxy.stats())?.faults ?? [:]).filter { Int($0.key) != nil || $0.key.hasPrefix("reset") }.values.reduce(0, +)
        }
        var outcome = try abandonOnceFaulted(stop, askingNowFor: askingNowFor, file: file, line: line, faulted: { faults() > 0 }, work)
        let pattern = try NSRegularExpression(pattern: match)
        outcome.sent = proxy.events().filter { $0.ev == "request" }.compactMap { event -> String? in
            let line = "\(event.method ?? "") \(event.path ?? "")"
            return pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) == nil ? nil : line
        }
        return outcome
    }
}

/// Runs `work` on a thread of its own until `faulted()` says it met its fault (and should now be
/// waiting it out), asks `stop` `.abandon` (after asking `.now` for `askingNowFor`, if given), waits
/// for `work` to return, and tells how long that took and what it threw (`sent` is empty). The
/// fault should hold the work up for `backoffAnAbandonMustNotWaitOut`. A `BackoffDrill` calls it
/// for faults of a proxy; a test of another fault (a broker answering late) calls it itself.
public func abandonOnceFaulted(
    _ stop: StopSignal, askingNowFor: Duration? = nil, file: StaticString = #filePath, line: UInt = #line,
    faulted: () -> Bool, _ work: @escaping @Sendable () throws -> Void
) throws -> AbandonDuringBackoff {
    let thrown = Thrown()
    let finished = DispatchSemaphore(value: 0)
    Thread {
        do { try work() } catch { thrown.error = error }
        finished.signal()
    }.start()

    let deadline = ContinuousClock.now + .seconds(60)
    while !faulted(), ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
    XCTAssertTrue(faulted(), "the work met the fault", file: file, line: line)
    if let askingNowFor {
        stop.request(.now)
        // Time for the work to see it and start waiting for what is in flight; if it sees the
        // abandon first instead, the test proves less but still holds.
        Thread.sleep(forTimeInterval: askingNowFor.seconds)
    }
    let abandoned = ContinuousClock.now
    stop.request(.abandon)
    // The helper's own bound, past any backoff; what is asserted is `took`.
    guard finished.wait(timeout: .now() + 120) == .success else {
        XCTFail("still running 120 s after the abandon", file: file, line: line)
        throw CommandFailure()
    }
    return AbandonDuringBackoff(took: ContinuousClock.now - abandoned, error: thrown.error, sent: [])
}

/// The work's error, written by its thread before the semaphore is signalled and read after.
private final class Thrown: @unchecked Sendable {
    var error: (any Error)?
}

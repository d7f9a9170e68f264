import Foundation
import ShopStreamCore
import XCTest

/// What followed an abandon asked while a client backed off after a failed request.
public struct AbandonDuringBackoff {
    /// From the abandon to the return of the work.
    public var took: Duration
    /// What the work threw.
    public var error: (any Error)?
    /// "METHOD path" of every request the fault was aimed at, whether the proxy failed it or (past
    /// its faults per request) let it through.
    public var sent: [String]
}

/// A backoff far longer than an abandon may take: what the tests of `abandonDuringBackoff` tell apart.
public let backoffAnAbandonMustNotWaitOut: Duration = .seconds(20)

/// Runs `work` on a thread of its own until `proxy` has failed a request (the faults are aimed
/// at those matching `match`), asks `stop` `.abandon` (after asking `.now` for `askingNowFor`, if given),
/// waits for `work` to return, and tells what followed. `work` should back off for
/// `backoffAnAbandonMustNotWaitOut` after the fault and watch `stop` (or what it is told by it).
public func abandonDuringBackoff(
    through proxy: FaultProxy, of match: String, stop: StopSignal, askingNowFor: Duration? = nil,
    file: StaticString = #filePath, line: UInt = #line, _ work: @escaping @Sendable () throws -> Void
) throws -> AbandonDuringBackoff {
    let thrown = Thrown()
    let finished = DispatchSemaphore(value: 0)
    Thread {
        do { try work() } catch { thrown.error = error }
        finished.signal()
    }.start()

    // Failures only (a status or a reset): the proxy counts the requests it lets through as "ok".
    func faults() -> Int {
        ((try? proxy.stats())?.faults ?? [:]).filter { Int($0.key) != nil || $0.key.hasPrefix("reset") }.values.reduce(0, +)
    }
    let deadline = ContinuousClock.now + .seconds(60)
    while faults() == 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
    XCTAssertGreaterThan(faults(), 0, "a request met the fault", file: file, line: line)
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
    let took = ContinuousClock.now - abandoned

    let pattern = try NSRegularExpression(pattern: match)
    let selected = proxy.events().filter { $0.ev == "request" }.compactMap { event -> String? in
        let line = "\(event.method ?? "") \(event.path ?? "")"
        return pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) == nil ? nil : line
    }
    return AbandonDuringBackoff(took: took, error: thrown.error, sent: selected)
}

/// The work's error, written by its thread before the semaphore is signalled and read after.
private final class Thrown: @unchecked Sendable {
    var error: (any Error)?
}

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import XCTest

/// A retry policy's `stop` ends its waits: once the stop asks `.abandon`, a request waiting to be
/// retried is not sent again, and the caller hears the failure it was waiting out.
final class RetryStopTests: XCTestCase {
    private static let backendError = LoopbackHTTPServer.Reply.json(
        503, #"{"error":{"code":503,"message":"Backend Error","errors":[{"reason":"backendError"}]}}"#)

    /// What a retry's wait rests on: a sleep on a `StopSignal` lasts its whole duration when only
    /// a weaker request is made, and says it was not cut short.
    func testASleepOnAStopLastsItsDurationUnlessItsLevelIsAsked() {
        let stop = StopSignal()
        stop.request(.now)
        let started = ContinuousClock.now
        XCTAssertFalse(stop.sleep(for: .milliseconds(300), untilAsked: .abandon))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(300), "a sleep never ends early")
    }

    /// Asked already: the sleep does not begin.
    func testASleepOnAStopAlreadyAskedDoesNotBegin() {
        let stop = StopSignal()
        stop.request(.abandon)
        let returned = expectation(description: "the sleeps returned")
        let answers = Unchecked<[Bool]>([])
        Thread {
            answers.value = [stop.sleep(for: .seconds(600), untilAsked: .abandon), stop.sleep(for: .seconds(600), untilAsked: .now)]
            returned.fulfill()
        }.start()
        // Bounded far below the ten minutes asked for.
        wait(for: [returned], timeout: 60)
        XCTAssertEqual(answers.value, [true, true], "cut short, also when a stronger request was made")
    }

    /// The real wait (no injected sleep), ten minutes long, ends when another thread abandons.
    func testAnAbandonDuringALongBackoffEndsItAtOnceAndNothingIsSentAgain() throws {
        let server = try LoopbackHTTPServer { _ in Self.backendError }
        let stop = StopSignal()
        let configuration = HTTPClientConfiguration(
            connectTimeout: .seconds(2), timeout: .seconds(5),
            retry: RetryPolicy(initialBackoff: .seconds(600), maxBackoff: .seconds(600), random: { 0 }, stop: stop))
        let outcome = Outcome()
        let finished = expectation(description: "the request gave up")
        let url = server.url + "/object"
        Thread {
            // Its own thread's client: an HTTPClient has one owner at a time.
            do {
                let http = try HTTPClient(configuration: configuration)
                do { _ = try http.send(HTTPRequest(url: url)) } catch { outcome.set(error, retries: http.takeRetries()) }
            } catch {
                outcome.set(error, retries: RetrySummary())
            }
            finished.fulfill()
        }.start()

        while server.requests.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
        stop.request(.abandon)
        // Bounded far below the ten-minute backoff; on a loaded machine it takes milliseconds.
        wait(for: [finished], timeout: 60)

        let (thrown, retries) = outcome.value
        let error = try XCTUnwrap(thrown as? HTTPError, "the request did not fail with an HTTPError: \(String(describing: thrown))")
        XCTAssertEqual(error.code, .stopped)
        XCTAssertFalse(error.isTransient, "a stop is not a failure to try again")
        XCTAssertTrue(
            error.message.hasPrefix("stopped while waiting to retry GET \(url): HTTP 503 Service Unavailable: Backend Error"), error.message
        )
        XCTAssertEqual(server.requests.count, 1, "not sent again")
        XCTAssertTrue(retries.isEmpty, "the retry that was not made is not counted")
    }

    /// Abandoned while it waits for its third try: the two tries made are in the message, and
    /// the third is not made.
    func testAnAbandonEndsTheRetryingAndTheErrorTellsTheRetriesMade() throws {
        let server = try LoopbackHTTPServer { _ in Self.backendError }
        let stop = StopSignal()
        let waits = Counter()
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                retry: RetryPolicy(sleep: { _ in if waits.increment() == 2 { stop.request(.abandon) } }, stop: stop)))

        XCTAssertThrowsError(try http.send(HTTPRequest(url: server.url + "/object"))) { error in
            let error = error as? HTTPError
            XCTAssertEqual(error?.code, .stopped)
            XCTAssertEqual(error?.message.hasSuffix("(retried once: 503)"), true, error?.message ?? "")
        }
        XCTAssertEqual(server.requests.count, 2, "the first try and one retry; the second retry's wait was abandoned")
    }

    /// `.now` (and `.drain`) still want work in flight done, and a retry is part of it: only
    /// `.abandon` cuts a wait short.
    func testAStopThatIsNotAnAbandonLetsTheRetriesGoOn() throws {
        let server = try LoopbackHTTPServer(replies: [Self.backendError, Self.backendError, .respond(200, body: Data("done".utf8))])
        let stop = StopSignal()
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(retry: RetryPolicy(sleep: { _ in stop.request(.now) }, stop: stop)))

        let answer = try http.send(HTTPRequest(url: server.url + "/object"))

        XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), "done")
        XCTAssertEqual(server.requests.count, 3)
    }
}

/// What the request's thread ended with.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    private var retries = RetrySummary()
    var value: ((any Error)?, RetrySummary) { lock.withLock { (error, retries) } }
    func set(_ error: any Error, retries: RetrySummary) { lock.withLock { (self.error, self.retries) = (error, retries) } }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
}

/// A value the test hands to a thread and reads back once it has finished.
private final class Unchecked<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

import Foundation
import ShopStreamHTTP
import XCTest

final class RetryPolicyTests: XCTestCase {
    func testBackoffDoublesWithFreshJitterUpToTheCap() {
        let draws = Script([0.0, 0.25, 0.5, 0.75, 0.999, 0.1, 0.9])
        let policy = RetryPolicy(random: { draws.next() })
        let waits = (0..<7).map { policy.backoff(beforeRetry: $0) }
        XCTAssertEqual(
            waits,
            [
                .seconds(1), .milliseconds(2250), .milliseconds(4500), .milliseconds(8750), .milliseconds(16999),
                .seconds(32), .seconds(32),
            ])
    }

    func testRetryAfterInSecondsOrAsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        XCTAssertEqual(RetryPolicy.retryAfter("7", now: now), .seconds(7))
        XCTAssertEqual(RetryPolicy.retryAfter("Sun, 15 Jun 2025 15:06:50 GMT", now: now), .seconds(10))
        XCTAssertEqual(RetryPolicy.retryAfter("Sun, 15 Jun 2025 15:00:00 GMT", now: now), .zero, "a date in the past means now")
        XCTAssertNil(RetryPolicy.retryAfter("soon", now: now))
        XCTAssertNil(RetryPolicy.retryAfter(nil, now: now))
        XCTAssertEqual(RetryPolicy().backoff(beforeRetry: 0, retryAfter: .seconds(600)), .seconds(60), "capped at maxRetryAfter")
    }

    func testDefaultsFollowGooglesRetryStrategy() {
        let policy = RetryPolicy()
        XCTAssertEqual(policy.maxAttempts, 6)
        XCTAssertEqual(policy.maxBackoff, .seconds(32))
        XCTAssertTrue([408, 429, 500, 502, 503, 504, 599].allSatisfy(policy.retryableStatuses.contains))
        XCTAssertFalse([400, 401, 403, 404, 409, 412].contains(where: policy.retryableStatuses.contains))
    }

    func testASummaryReadsAsASentence() {
        var summary = RetrySummary()
        XCTAssertEqual(summary.description, "no retries")
        summary.record("503")
        XCTAssertEqual(summary.description, "retried once: 503")
        summary.record("503")
        summary.record("reset")
        XCTAssertEqual(summary.description, "retried 3 times: 503, 503, reset")
    }

    func testCountsByReasonStayExactPastTheSampleOfRecentReasons() {
        var summary = RetrySummary()
        for _ in 0..<150 { summary.record("503") }
        var other = RetrySummary()
        for _ in 0..<10 { other.record("dead keep-alive") }
        summary.merge(other)
        XCTAssertEqual(summary.count, 160)
        XCTAssertEqual(summary.reasons.count, 100, "a bounded sample for messages")
        XCTAssertEqual(summary.countsByReason, ["503": 150, "dead keep-alive": 10], "but every reason counted")
    }
}

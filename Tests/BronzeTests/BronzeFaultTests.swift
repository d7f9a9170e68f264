import Foundation
import ShopStreamLake
import TestSupport
import XCTest

/// The sink behind Tests/Fixtures/faultproxy.py: 503s, 429s with Retry-After, connection resets
/// before and after the upload landed, and slow answers.
final class BronzeFaultTests: XCTestCase {
    func testTheSinkRetriesThroughInjectedFaultsAndStoresEveryEventOnce() throws {
        let endpoint = try emulatorEndpoint()
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let bucket = try createBucket(endpoint)
        // At most two failures per request (a retry of the same bytes then passes), so the HTTP
        // layer's six attempts always suffice and the run must succeed.
        let proxy = try FaultProxy(
            upstream: endpoint, faults: "503:0.08,429:0.04,reset:0.05,reset-after:0.06,slow:0.04,slow-after:0.03,ok",
            seed: 3, slowMilliseconds: 300, directory: scratch)

        let started = Date()
        let run = try runShopstream(
            [
                "sink", "bronze", "--lake", "gs://\(bucket)", "--brokers", backlog.broker.bootstrap, "--group", SharedBacklog.freshGroup(),
                "--idle-exit", "3s", "--max-batch-age", "1s",
            ],
            environment: environment(storageEmulator: proxy.url), timeout: 150, directory: scratch, label: "sink")
        let counts = proxy.stop()
        let stats = try proxy.stats()
        print("sink through faultproxy: \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n\(run.stdout)\(counts)")
        XCTAssertEqual(run.status, 0, "\(run)")

        // Every fault kind happened, and the sink says it retried.
        for kind in ["503", "429", "reset", "reset-after", "slow", "slow-after"] {
            XCTAssertGreaterThan(stats.faults[kind] ?? 0, 0, "faultproxy injected no \(kind): \(stats.faults)")
        }
        XCTAssertGreaterThan(
            stats.by_method["POST"]?["reset-after"] ?? 0, 0, "an upload landed without the sink hearing: \(stats.by_method)")
        let summary = SinkSummary(run.stdout)
        let failures = ["503", "429", "reset", "reset-after"].reduce(0) { $0 + (stats.faults[$1] ?? 0) }
        XCTAssertGreaterThan(summary.retries ?? 0, 0, "the summary reports retries: \(run.stdout)")
        for status in ["503", "429"] {
            XCTAssertEqual(
                summary.retryReasons[status] ?? 0, stats.faults[status] ?? 0, "every injected \(status) is reported: \(run.stdout)")
        }
        // Each injected failure is one retry in the sink's count (and in shopstream_http_retries_total):
        // the retry policy's, or libcurl's own resend of a request whose reused connection died
        // before any answer ("dead keep-alive").
        XCTAssertEqual(summary.retries, failures, "every injected failure is counted once: \(run.stdout)")

        // Nothing lost, nothing twice: read the bucket directly, not through the proxy.
        let direct = environment(storageEmulator: endpoint)
        let lake = try makeLake(url: "gs://\(bucket)", environment: direct)
        let (objects, badNames) = try readBronzeObjects(lake, scratch: scratch)
        let report = checkBronze(objects, badNames: badNames, against: backlog.published, batchSize: 100, gzip: false)
        print(report)
        XCTAssertTrue(report.problems.isEmpty, "\(report)")
        XCTAssertEqual(report.events, SharedBacklog.events)

        let verify = try runShopstream(
            ["lake", "verify", "--lake", "gs://\(bucket)", "--brokers", backlog.broker.bootstrap, "--deep"],
            environment: direct, directory: scratch, label: "verify")
        XCTAssertEqual(verify.status, 0, "\(verify)")
        XCTAssertTrue(verify.stdout.contains("verify: OK"), "\(verify)")
    }
}

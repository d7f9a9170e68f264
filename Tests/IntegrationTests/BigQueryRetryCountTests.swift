import Foundation
import TestSupport
import XCTest

/// Every resend to BigQuery is counted once in `shopstream_http_retries_total{service="bigquery"}`:
/// the BigQuery client's own retries (decided by Google's reasons) as well as the HTTP layer's.
final class BigQueryRetryCountTests: XCTestCase {
    func testEveryInjected503IsOneRetryInTheMetric() throws {
        let started = Date()
        let emulator = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")[0]
        let dir = NSTemporaryDirectory() + "bq-retries-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let generated = try runProgram(
            try shopstreamBinary(), ["generate", "--brokers", broker.bootstrap, "--events", "3000", "--seed", "7", "-q"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let published = generatedCounts(generated.stdout).values.reduce(0, +)
        XCTAssertGreaterThan(published, 0, generated.stdout)

        // Dataset and table creation, jobs, queries and inserts all meet the 503s; a request fails
        // at most twice, so six attempts always get through and nothing is lost.
        let seed = 20_261_203
        print("faultproxy seed \(seed)")
        let proxy = try FaultProxy(upstream: emulator, faults: "503:0.1,ok", seed: seed, directory: dir)
        defer { proxy.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["BIGQUERY_EMULATOR_HOST"] = proxy.url
        let port = freePort(), metrics = "http://127.0.0.1:\(port)/metrics"
        let sink = try Child(
            try shopstreamBinary(),
            [
                "sink", "silver", "--brokers", broker.bootstrap, "--warehouse",
                "bigquery://retries-\(UUID().uuidString.prefix(8).lowercased())",
                "--http", "127.0.0.1:\(port)", "--max-delay", "200ms",
                // REST's retries are counted here: the proxy stands before REST only, not the Storage Write API.
                "--load", "insert-all",
            ], environment: environment, directory: dir, label: "silver")
        defer { sink.send(SIGKILL) }

        func samples() -> PrometheusSamples { PrometheusSamples(httpGet(metrics)?.body ?? "") }
        XCTAssertTrue(
            eventually(timeout: 180) { samples().sum("shopstream_sink_records_landed_total") >= Double(published) },
            "every event lands through the faults\n\(sink.stderr.suffix(2000))")
        // The sink hands its retries to the metric once a second; requests after the landing
        // (committing, look-ups) may meet faults too, so wait for the two to agree.
        var injected = 0, counted = 0.0
        let agreed = eventually(timeout: 30) {
            injected = (try? proxy.stats().faults["503"]) ?? 0
            counted = samples().sum("shopstream_http_retries_total", ["service": "bigquery"])
            return injected > 0 && counted == Double(injected)
        }
        print("503s injected: \(injected), shopstream_http_retries_total{service=\"bigquery\"}: \(counted)")
        XCTAssertGreaterThan(injected, 3, "the proxy injected 503s")
        XCTAssertTrue(agreed, "every injected 503 is one retry in the metric: \(injected) injected, \(counted) counted")
        sink.send(SIGTERM)
        XCTAssertEqual(sink.wait(timeout: 60), 0, String(sink.stderr.suffix(2000)))
        print("BigQueryRetryCountTests: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

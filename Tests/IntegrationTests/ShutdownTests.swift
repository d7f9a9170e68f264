import Foundation
import ShopStreamCore
import TestSupport
import XCTest

/// A stop is bounded: when the work in flight cannot finish (the warehouse hangs), the process exits
/// with status 1 once `--shutdown-timeout` has passed, and a second signal exits at once (130);
/// either way what was not committed is landed by the next run, nothing lost.
final class ShutdownTests: XCTestCase {
    func testAStopThatCannotFinishEndsAtTheDeadlineOrAtASecondSignalAndLosesNothing() throws {
        let dir = NSTemporaryDirectory() + "shutdown-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bigquery = try PrivateBigQueryEmulator(directory: dir)
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let environment = bigquery.environment
        let generator = try Child(
            try shopstreamBinary(), ["generate", "--brokers", broker.bootstrap, "--rate", "200", "-q"],
            directory: dir, label: "generate")
        defer { generator.send(SIGKILL) }

        /// A silver sink running until stopped, once it has inserted rows; then the warehouse hangs.
        func sinkWithAHungWarehouse(_ label: String) throws -> Child {
            let port = freePort()
            let sink = try Child(
                try shopstreamBinary(),
                [
                    "sink", "silver", "--brokers", broker.bootstrap, "--warehouse", "bigquery://shopstream", "--http", "127.0.0.1:\(port)",
                    "--max-delay", "100ms", "--shutdown-timeout", "3s",
                ], environment: environment, directory: dir, label: label)
            XCTAssertTrue(
                eventually(timeout: 90) {
                    PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? "").sum("shopstream_sink_records_landed_total")
                        > 0
                }, "\(label) inserts\n\(sink.stderr)")
            bigquery.pause()
            // Let inserts get stuck in flight.
            Thread.sleep(forTimeInterval: 1)
            return sink
        }

        // The deadline: SIGTERM, nothing can land, status 1 once --shutdown-timeout has passed.
        let first = try sinkWithAHungWarehouse("silver-deadline")
        first.send(SIGTERM)
        XCTAssertEqual(first.wait(timeout: 60), 1, "exit status at the deadline\n\(first.stderr.suffix(1500))")
        XCTAssertTrue(first.stderr.contains("stopped at the deadline"), first.stderr.suffix(1500).description)
        bigquery.resume()

        // A second signal: at once, status 130.
        let second = try sinkWithAHungWarehouse("silver-twice")
        second.send(SIGTERM)
        Thread.sleep(forTimeInterval: 0.3)
        second.send(SIGTERM)
        XCTAssertEqual(second.wait(timeout: 60), 130, "exit status after a second signal\n\(second.stderr.suffix(1500))")
        XCTAssertTrue(second.stderr.contains("second stop signal"), second.stderr.suffix(1500).description)
        bigquery.resume()

        // Nothing lost: a last run lands the rest; every published event is once in silver's views.
        generator.send(SIGINT)
        XCTAssertEqual(generator.wait(timeout: 30), 0, generator.stderr)
        let published = generatedCounts(generator.stdout)
        XCTAssertEqual(published.count, Entity.allCases.count, generator.stdout)
        let last = try runProgram(
            try shopstreamBinary(),
            [
                "sink", "silver", "--brokers", broker.bootstrap, "--warehouse", "bigquery://shopstream",
                "--idle-exit", "3s", "-q",
            ], timeout: 180, environment: environment)
        XCTAssertEqual(last.status, 0, last.stderr)
        for entity in Entity.allCases {
            let r = try runProgram(
                try shopstreamBinary(),
                [
                    "warehouse", "query", "--warehouse", "bigquery://shopstream",
                    "SELECT COUNT(DISTINCT event_id) FROM silver.\(entity.rawValue)",
                ], environment: environment)
            XCTAssertEqual(
                r.stdout.split(separator: "\n").last.flatMap { Int($0) }, published[entity.topic],
                "\(entity.topic): every published event in silver\n\(r.stderr)")
        }
    }
}

import Foundation
import ShopStreamCore
import TestSupport
import XCTest

/// A live silver sink whose warehouse goes away: `/readyz` says so within `--stall-after`, naming the
/// sink and the partition, and is ready again once the warehouse is back; nothing is lost.
final class StallTests: XCTestCase {
    func testASilverSinkWhoseWarehouseDiesIsReportedStalledAndRecoversWithNothingLost() throws {
        let dir = NSTemporaryDirectory() + "stall-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bigquery = try PrivateBigQueryEmulator(directory: dir)
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let environment = bigquery.environment

        let generator = try Child(
            try shopstreamBinary(), ["generate", "--brokers", broker.bootstrap, "--rate", "150", "-q"],
            directory: dir, label: "generate")
        defer { generator.send(SIGKILL) }
        let port = freePort(), readyz = "http://127.0.0.1:\(port)/readyz"
        let sink = try Child(
            try shopstreamBinary(),
            [
                "sink", "silver", "--brokers", broker.bootstrap, "--warehouse", "bigquery://shopstream",
                "--stall-after", "5s", "--http", "127.0.0.1:\(port)", "--max-delay", "200ms",
            ], environment: environment, directory: dir, label: "silver")
        defer { sink.send(SIGKILL) }

        XCTAssertTrue(eventually(timeout: 90) { httpGet(readyz)?.status == 200 }, "ready\n\(sink.stderr)")
        XCTAssertTrue(
            eventually(timeout: 60) {
                PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? "").sum("shopstream_sink_records_landed_total") > 0
            }, "rows land before the warehouse goes")

        bigquery.kill()
        var answer: (status: Int, body: String)?
        XCTAssertTrue(
            eventually(timeout: 60) {
                answer = httpGet(readyz)
                return answer?.status == 503 && answer?.body.contains("silver: stalled: silver sink: shop.") == true
            },
            "/readyz names the stalled sink and partition: \(answer.map { "\($0.status) \($0.body)" } ?? "no answer")\n\(sink.stderr.suffix(2000))"
        )
        XCTAssertTrue(answer?.body.contains("records behind, nothing landed for") == true, answer?.body ?? "")
        XCTAssertTrue(sink.stderr.contains("stalled: silver sink: shop."), "the log says so too:\n\(sink.stderr.suffix(2000))")

        try bigquery.start()
        XCTAssertTrue(
            eventually(timeout: 120) { httpGet(readyz)?.status == 200 },
            "ready again once the warehouse is back: \(httpGet(readyz)?.body ?? "")\n\(sink.stderr.suffix(2000))")

        // Stop the generator, let the sink land the rest, stop it: every published event is in silver.
        generator.send(SIGINT)
        XCTAssertEqual(generator.wait(timeout: 30), 0, generator.stderr)
        let published = generatedCounts(generator.stdout)
        XCTAssertEqual(published.count, Entity.allCases.count, generator.stdout)
        XCTAssertTrue(
            eventually(timeout: 120) {
                PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? "").sum("shopstream_sink_records_landed_total")
                    >= Double(published.values.reduce(0, +))
            }, "the sink catches up")
        sink.send(SIGTERM)
        XCTAssertEqual(sink.wait(timeout: 30), 0, sink.stderr.suffix(2000).description)
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

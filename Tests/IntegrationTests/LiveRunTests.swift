import Foundation
import ShopStreamCore
import ShopStreamGenerator
import TestSupport
import XCTest

/// `shopstream run --live`: the pipeline as services, watched through its own HTTP endpoints as a
/// user and a monitoring system would, then stopped with SIGTERM.
final class LiveRunTests: XCTestCase {
    func testLiveRunServesItsStatusGrowsAsYouWatchAndStopsWithEverythingLanded() throws {
        let dir = NSTemporaryDirectory() + "live-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lake = "file://\(dir)/lake", warehouse = "sqlite://\(dir)/warehouse.db", truth = "\(dir)/truth.json"
        let port = freePort(), base = "http://127.0.0.1:\(port)"
        let run = try Child(
            try shopstreamBinary(),
            [
                "run", "--live", "--rate", "300", "--history", "2", "--compact-every", "2s", "--http", "127.0.0.1:\(port)",
                "--shutdown-timeout", "90s",
                "--lake", lake, "--warehouse", warehouse, "--truth", truth,
            ], directory: dir, label: "live")
        defer { run.send(SIGKILL) }

        XCTAssertTrue(
            eventually(timeout: 90) { httpGet(base + "/readyz")?.status == 200 },
            "ready: \(httpGet(base + "/readyz")?.body ?? "no answer")\n\(run.stderr)")
        XCTAssertEqual(httpGet(base + "/healthz")?.status, 200)

        // Once gold has its first sales: two scrapes 15 s apart, what was published and landed grows,
        // and the sinks keep up.
        var page = (status: 0, body: "")
        XCTAssertTrue(
            eventually(timeout: 60) {
                page = httpGet(base + "/") ?? (0, "")
                return Self.kpi("orders", in: page.body) != nil
            }, "the page shows gold's orders: \(page.body.suffix(600))")
        let first = try XCTUnwrap(httpGet(base + "/metrics")).body
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<meta http-equiv=\"refresh\""), "the page reloads itself")
        Thread.sleep(forTimeInterval: 15)
        let second = try XCTUnwrap(httpGet(base + "/metrics")).body
        let a = PrometheusSamples(first), b = PrometheusSamples(second)
        for name in ["shopstream_events_published_total"] {
            XCTAssertGreaterThan(b.sum(name), a.sum(name), "\(name) grows")
        }
        for sink in ["bronze", "silver"] {
            XCTAssertGreaterThan(
                b.sum("shopstream_sink_records_landed_total", ["sink": sink]),
                a.sum("shopstream_sink_records_landed_total", ["sink": sink]), "\(sink) lands what is published")
            // Near zero: less than ten seconds of input behind (bronze holds up to a batch per partition).
            XCTAssertLessThan(b.sum("shopstream_consumer_lag_records", ["sink": sink]), 3_000, "\(sink) keeps up\n\(second)")
        }
        XCTAssertGreaterThan(b.sum("shopstream_compaction_duration_seconds_count"), 0, "the compactor passes")
        XCTAssertGreaterThan(b.sum("process_resident_memory_bytes"), 0)
        // The page shows gold as it is at each load: its order count grows as the compactor takes in silver.
        let orders = try XCTUnwrap(Self.kpi("orders", in: page.body), page.body)
        XCTAssertTrue(
            eventually(timeout: 30) { (httpGet(base + "/")?.body).flatMap { Self.kpi("orders", in: $0) }.map { $0 > orders } ?? false },
            "the dashboard's orders grow between loads (first \(orders))")

        // A real Prometheus tool accepts the exposition.
        let promtool = try requiredTool("promtool")
        let metricsFile = "\(dir)/metrics.txt"
        try second.write(toFile: metricsFile, atomically: true, encoding: .utf8)
        let lint = try runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", "\(promtool.path) check metrics < \(metricsFile)"])
        XCTAssertEqual(lint.status, 0, "promtool check metrics: \(lint.stdout)\(lint.stderr)")

        // SIGTERM: the generator stops first, the sinks land what it published, gold takes it in; exit 0
        // (past its deadline it would exit 1: 90 s here, so a loaded machine's drain is not a failure).
        run.send(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 120), 0, "exit status after SIGTERM\n\(run.stderr)")
        let events = try GroundTruth.read(from: URL(fileURLWithPath: truth)).events
        try assertRunLanded(
            report: run.stdout, published: Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, events[$0]) }),
            lake: lake, warehouse: warehouse)
        for view in ["sales_dedup", "payments_dedup", "shipping_dedup"] {
            let r = try shopstream([
                "warehouse", "query", "--warehouse", warehouse, "SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM silver.\(view)",
            ])
            XCTAssertEqual(r.stdout.split(separator: "\n").last, "0", "silver.\(view): one row per event")
        }
        let check = try shopstream(["check", "--warehouse", warehouse, "--lake", lake])
        XCTAssertEqual(check.status, 0, "check on what the live run left:\n\(check.stdout)\(check.stderr)")
    }

    /// A stop while the sinks are behind: on the embedded broker, whose memory dies with the process,
    /// the generator stops first and the sinks read on to the end of what it published before exiting.
    func testSIGTERMWithABacklogLandsEverythingPublishedBeforeTheProcessExits() throws {
        let dir = NSTemporaryDirectory() + "live-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lake = "file://\(dir)/lake", warehouse = "sqlite://\(dir)/warehouse.db", truth = "\(dir)/truth.json"
        let port = freePort(), base = "http://127.0.0.1:\(port)"
        // 20 days of history at full speed (~33,000 events) make the backlog; a generous deadline, since
        // what is tested is that the stop drains, not how fast.
        let run = try Child(
            try shopstreamBinary(),
            [
                "run", "--live", "--rate", "100", "--history", "20", "--http", "127.0.0.1:\(port)", "--shutdown-timeout", "120s",
                "--lake", lake, "--warehouse", warehouse, "--truth", truth, "--quiet",
            ], directory: dir, label: "live")
        defer { run.send(SIGKILL) }

        // Stop as soon as both sinks have landed something while thousands of records wait.
        var lag = 0.0
        XCTAssertTrue(
            eventually(timeout: 90) {
                guard let text = httpGet(base + "/metrics")?.body else { return false }
                let m = PrometheusSamples(text)
                lag = m.sum("shopstream_consumer_lag_records")
                return m.sum("shopstream_sink_records_landed_total", ["sink": "bronze"]) > 0
                    && m.sum("shopstream_sink_records_landed_total", ["sink": "silver"]) > 0 && lag > 5_000
            }, "both sinks landing with a backlog (lag \(lag))\n\(run.stderr)")
        run.send(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 180), 0, "exit status after SIGTERM\n\(run.stderr)")
        let events = try GroundTruth.read(from: URL(fileURLWithPath: truth)).events
        try assertRunLanded(
            report: run.stdout, published: Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, events[$0]) }),
            lake: lake, warehouse: warehouse)
    }

    /// The value of a KPI card of the dashboard (`<div class="card" id="kpi-orders">…<div class="value">12,345</div>`).
    static func kpi(_ id: String, in html: String) -> Int? {
        guard let card = html.range(of: "id=\"kpi-\(id)\"") else { return nil }
        let rest = html[card.upperBound...]
        guard let open = rest.range(of: "<div class=\"value\">"), let close = rest[open.upperBound...].range(of: "</div>") else {
            return nil
        }
        return Int(rest[open.upperBound..<close.lowerBound].filter(\.isNumber))
    }
}

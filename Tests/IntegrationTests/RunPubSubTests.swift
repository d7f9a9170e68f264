import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamPubSub
import TestSupport
import XCTest

/// `shopstream run --pubsub`: the same run as on Kafka, over Google's Pub/Sub emulator (a private
/// one for this class), into a folder lake and a SQLite warehouse.
final class RunPubSubTests: XCTestCase {
    override class func tearDown() { PrivatePubSubEmulator.stop(for: self) }

    func testRunOnPubSubLandsEveryEventOnceAndGoldEqualsTheTruth() throws {
        let dir = NSTemporaryDirectory() + "run-pubsub-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try assertRunOnPubSubLands(lake: "file://\(dir)/lake", warehouse: "sqlite://\(dir)/warehouse.db", truth: dir + "/truth.json")
    }

    /// The issue's "must be true": the lake on fake-gcs-server, the warehouse on the BigQuery emulator.
    func testRunOnPubSubIntoTheGCSAndBigQueryEmulators() throws {
        let gcs = try requiredEnvironment("STORAGE_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST")[0]
        let bucket = "run-pubsub-\(UUID().uuidString.prefix(8).lowercased())"
        try createEmulatorBucket(gcs, named: bucket)
        let truth = NSTemporaryDirectory() + "\(bucket).json"
        defer { try? FileManager.default.removeItem(atPath: truth) }
        try assertRunOnPubSubLands(
            lake: "gs://\(bucket)", warehouse: "bigquery://\(bucket)", truth: truth)
    }

    /// `run --pubsub --days 2` into `lake` and `warehouse` lands every event, gold equals the truth,
    /// `lake verify` and `check` pass.
    private func assertRunOnPubSubLands(lake: String, warehouse: String, truth: String) throws {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let project = "run-" + UUID().uuidString.prefix(8).lowercased()
        let seed = UInt64.random(in: 1...1_000_000)
        print("seed \(seed)")

        let started = Date()
        let r = try runProgram(
            try shopstreamBinary(),
            [
                "run", "--pubsub", project, "--days", "2", "--seed", "\(seed)", "--lake", lake, "--warehouse", warehouse, "--truth",
                truth,
            ], timeout: 300, environment: emulator.environment)
        print("run --pubsub --days 2 → \(lake), \(warehouse): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("publishing 2 days of business to Pub/Sub project \(project) at"), r.stderr)
        XCTAssertTrue(r.stdout.contains("truth:     gold equals what was published"), r.stdout)
        XCTAssertTrue(r.stdout.contains(", 0 rejected"), r.stdout)

        // Counted from the events by the generator's truth recorder, against what the lake and
        // silver hold: each event in one bronze line, each event id in silver.
        let events = try GroundTruth.read(from: URL(fileURLWithPath: truth)).events
        try assertRunLanded(
            report: r.stdout, published: Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, events[$0]) }),
            lake: lake, warehouse: warehouse)
        // A redelivery may sit twice in a raw table; the views the gold tables read hold it once.
        for entity in Entity.allCases where !entity.isDimension {
            let view = try runProgram(
                try shopstreamBinary(),
                [
                    "warehouse", "query", "--warehouse", warehouse,
                    "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM silver.\(entity.rawValue)_dedup",
                ])
            XCTAssertEqual(view.status, 0, view.stderr)
            XCTAssertEqual(
                view.stdout.split(separator: "\n").dropFirst().first.map(String.init), "\(events[entity])\t\(events[entity])",
                "silver.\(entity.rawValue)_dedup: one row per event")
        }
        // Both sinks read to the end: nothing is left unacknowledged on any subscription.
        let client = try PubSubClient(project: project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        for entity in Entity.allCases {
            for kind in [PubSubTopology.Sink.bronze, .silver] {
                let left = try client.pull(PubSubTopology.subscription(entity, kind), maxMessages: 10)
                XCTAssertEqual(left.count, 0, "\(PubSubTopology.subscription(entity, kind)) is empty")
            }
        }

        let verify = try runProgram(
            try shopstreamBinary(), ["lake", "verify", "--lake", lake, "--deep"], environment: emulator.environment)
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("(Pub/Sub)"), verify.stdout)
        // The data checks, reconciliation of the lake's Pub/Sub objects with silver included.
        let check = try runProgram(
            try shopstreamBinary(), ["check", "--lake", lake, "--warehouse", warehouse], timeout: 300, environment: emulator.environment)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("reconcile(shop.sales: lake = silver + rejects)"), check.stdout)
    }

    func testARunTakesOneBus() throws {
        let both = try runProgram(
            try shopstreamBinary(), ["run", "--pubsub", "p1", "--brokers", "localhost:9092"],
            environment: ProcessInfo.processInfo.environment)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--brokers and --pubsub exclude each other"), both.stderr)
        let help = try runProgram(try shopstreamBinary(), ["run", "--help"])
        XCTAssertTrue(help.stdout.contains("With --pubsub PROJECT"), help.stdout)
        XCTAssertTrue(help.stdout.contains("shopstream run --live --pubsub my-project"), help.stdout)
    }

    /// `run --live --pubsub`: the services of the Kafka live run over Pub/Sub, watched through its
    /// endpoints, then SIGTERM: the generator stops, each sink lands what was published, gold takes
    /// it in, exit 0; every event it published once in the lake and in silver's dedup views.
    func testLiveRunOnPubSubServesItsStatusAndStopsWithEverythingLanded() throws {
        let dir = NSTemporaryDirectory() + "live-pubsub-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try assertLiveRunOnPubSubLands(lake: "file://\(dir)/lake", warehouse: "sqlite://\(dir)/warehouse.db", directory: dir)
    }

    /// The same live run into fake-gcs-server and the BigQuery emulator.
    func testLiveRunOnPubSubIntoTheGCSAndBigQueryEmulators() throws {
        let gcs = try requiredEnvironment("STORAGE_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST")[0]
        let bucket = "live-pubsub-\(UUID().uuidString.prefix(8).lowercased())"
        try createEmulatorBucket(gcs, named: bucket)
        let dir = NSTemporaryDirectory() + bucket
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try assertLiveRunOnPubSubLands(lake: "gs://\(bucket)", warehouse: "bigquery://\(bucket)", directory: dir)
    }

    /// `run --live --pubsub` into `lake` and `warehouse` for about ten seconds, then SIGTERM (its
    /// truth file and metrics go to `directory`).
    private func assertLiveRunOnPubSubLands(lake: String, warehouse: String, directory dir: String) throws {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let truth = "\(dir)/truth.json"
        let project = "live-" + UUID().uuidString.prefix(8).lowercased()
        let seed = UInt64.random(in: 1...1_000_000)
        print("seed \(seed)")
        let port = freePort(), base = "http://127.0.0.1:\(port)"
        let started = Date()
        let run = try Child(
            try shopstreamBinary(),
            [
                "run", "--live", "--pubsub", project, "--seed", "\(seed)", "--rate", "100", "--compact-every", "2s",
                "--http", "127.0.0.1:\(port)", "--shutdown-timeout", "90s", "--lake", lake, "--warehouse", warehouse, "--truth", truth,
            ], environment: emulator.environment, directory: dir, label: "live-pubsub")
        defer { run.send(SIGKILL) }

        XCTAssertTrue(
            eventually(timeout: 90) { httpGet(base + "/readyz")?.status == 200 },
            "ready: \(httpGet(base + "/readyz")?.body ?? "no answer")\n\(run.stderr)")
        // About ten seconds of business, landed by both sinks, with Pub/Sub's lag on /metrics.
        var metrics = ""
        XCTAssertTrue(
            eventually(timeout: 90) {
                metrics = httpGet(base + "/metrics")?.body ?? ""
                let m = PrometheusSamples(metrics)
                return Date().timeIntervalSince(started) >= 10 && m.sum("shopstream_sink_records_landed_total", ["sink": "bronze"]) > 0
                    && m.sum("shopstream_sink_records_landed_total", ["sink": "silver"]) > 0
            }, "both sinks land what is published\n\(metrics)\n\(run.stderr)")
        let m = PrometheusSamples(metrics)
        XCTAssertGreaterThan(m.sum("shopstream_events_published_total"), 0)
        for sink in ["bronze", "silver"] {
            // One series a topic: what was published and not yet landed (Pub/Sub has no partitions).
            XCTAssertEqual(
                Set(
                    m.samples.filter { $0.name == "shopstream_consumer_lag_records" && $0.labels["sink"] == sink }.map {
                        $0.labels["topic"]
                    }),
                Set(Entity.allCases.map(\.topic)), "\(sink)'s lag per topic\n\(metrics)")
        }
        let promtool = try requiredTool("promtool")
        try metrics.write(toFile: "\(dir)/metrics.txt", atomically: true, encoding: .utf8)
        let lint = try runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", "\(promtool.path) check metrics < \(dir)/metrics.txt"])
        XCTAssertEqual(lint.status, 0, "promtool check metrics: \(lint.stdout)\(lint.stderr)")

        run.send(SIGTERM)
        let stopAsked = Date()
        XCTAssertEqual(run.wait(timeout: 120), 0, "exit status after SIGTERM\n\(run.stderr)")
        print("run --live --pubsub: stopped \(String(format: "%.1f", Date().timeIntervalSince(stopAsked))) s after SIGTERM")
        XCTAssertTrue(run.stderr.contains("stays in the subscriptions for the next run"), run.stderr)
        let published = try GroundTruth.read(from: URL(fileURLWithPath: truth))
        let events = published.events
        try assertRunLanded(
            report: run.stdout, published: Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, events[$0]) }),
            lake: lake, warehouse: warehouse)
        for entity in Entity.allCases where !entity.isDimension {
            let view = try shopstream([
                "warehouse", "query", "--warehouse", warehouse,
                "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM silver.\(entity.rawValue)_dedup",
            ])
            XCTAssertEqual(
                view.stdout.split(separator: "\n").dropFirst().first.map(String.init), "\(events[entity])\t\(events[entity])",
                "silver.\(entity.rawValue)_dedup: one row per event")
        }
        // The compactor's last pass took in every sale.
        let gold = try shopstream(["warehouse", "query", "--warehouse", warehouse, "SELECT SUM(orders), SUM(units) FROM gold.daily_sales"])
        XCTAssertGreaterThan(published.totals.orders, 0)
        XCTAssertEqual(
            gold.stdout.split(separator: "\n").dropFirst().first.map(String.init), "\(published.totals.orders)\t\(published.totals.units)",
            "gold.daily_sales: the orders and units published\n\(gold.stdout)\(gold.stderr)")
    }
}

import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamWarehouse
import TestSupport
import XCTest

/// `shopstream sink silver --load storage-write` into the BigQuery emulator, SIGKILLed ten times
/// at seeded moments while the generator publishes, restarted at once, then one clean run: every
/// event exactly once in the RAW silver tables (not only in the views) — no Kafka coordinates
/// twice — and gold built from them equal to what the generator says it published.
final class StorageWriteCrashTests: XCTestCase {
    static let kills = 10
    /// Sessions of 3 s: a killed member's partitions go to the next one soon.
    private let sinkOptions = ["-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300"]

    func testKilledTenTimesSilverHoldsEveryEventExactlyOnceAndGoldEqualsTheTruth() throws {
        let seed = ProcessInfo.processInfo.environment["STORAGE_WRITE_CRASH_SEED"].flatMap { UInt64($0) } ?? 20_261_204
        var random = SplitMix64(seed: seed)
        print("storage-write crash test seed \(seed) (STORAGE_WRITE_CRASH_SEED=\(seed) replays the kill schedule)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sw-crash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        // An emulator of its own: bqemulator deadlocks when a REST call meets an append still being
        // applied for a process just killed (BigQueryWarehouse.serialized); if it ever does, only
        // this test waits, not every later test on the shared one.
        let bigquery = try PrivateBigQueryEmulator(directory: dir.path + "/bq")
        let environment = bigquery.environment
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let project = "swcrash-\(UUID().uuidString.prefix(8).lowercased())"
        let url = "bigquery://\(project)"
        let warehouse = try BigQueryWarehouse(project: project, environment: environment, load: .insertAll)
        let sink = ["sink", "silver", "--brokers", broker.bootstrap, "--warehouse", url, "--load", "storage-write", "-q"] + sinkOptions

        let truthFile = dir.appendingPathComponent("truth.json")
        let generator = Process()
        generator.executableURL = try shopstreamBinary()
        generator.arguments = [
            "generate", "--brokers", broker.bootstrap, "--events", "9000", "--rate", "150", "--seed", "7", "--truth", truthFile.path, "-q",
        ]
        generator.standardOutput = FileHandle.nullDevice
        generator.standardError = FileHandle.nullDevice
        try generator.run()
        defer { if generator.isRunning { generator.terminate() } }

        // Progress is read from the sink's own metrics, not by querying the emulator: bqemulator
        // deadlocks when a query meets an append (BigQueryWarehouse.serialized).
        var landedByRun: [Int] = []
        var killedWhilePublishing = 0
        for round in 0..<Self.kills {
            let port = freePort()
            func landed() -> Int {
                Int(
                    PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics", timeout: 2)?.body ?? "").sum(
                        "shopstream_sink_records_landed_total"))
            }
            let process = Process()
            process.executableURL = try shopstreamBinary()
            process.arguments = sink + ["--http", "127.0.0.1:\(port)"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            let errors = dir.appendingPathComponent("sink-\(round).err")
            FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            // Killed once it landed rows of its own (or after 8 s, once the stream is all in), a
            // random moment later: mid-append, mid-commit, mid-read.
            let deadline = Date().addingTimeInterval(8)
            while landed() == 0 && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.2) }
            XCTAssertTrue(process.isRunning, "run \(round) ended by itself: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
            Thread.sleep(forTimeInterval: Double.random(in: 0..<1.5, using: &random))
            if generator.isRunning { killedWhilePublishing += 1 }
            let count = landed()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            landedByRun.append(count)
            // Let the emulator finish an append the dead process had sent before the next one queries.
            Thread.sleep(forTimeInterval: 0.5)
        }
        XCTAssertGreaterThanOrEqual(killedWhilePublishing, Self.kills - 2, "the kills land while the generator publishes")
        generator.waitUntilExit()
        XCTAssertEqual(generator.terminationStatus, 0)
        let last = try runProgram(try shopstreamBinary(), sink + ["--idle-exit", "3s"], timeout: 300, environment: environment)
        XCTAssertEqual(last.status, 0, last.stderr)
        print(
            "rows landed by each killed run: \(landedByRun) (\(killedWhilePublishing) killed while the generator published); the last run: \(last.stdout.split(separator: "\n").last(where: { $0.hasPrefix("silver:") }) ?? "")"
        )

        // Exactly once in the raw tables: no coordinates twice, and every published event there.
        let truth = try GroundTruth.read(from: truthFile)
        for entity in Entity.allCases {
            let table = "silver.\(entity.rawValue)"
            let twice = try warehouse.query(
                """
                SELECT _source_topic, _source_partition, _source_offset, COUNT(*) AS n FROM \(table)
                GROUP BY 1, 2, 3 HAVING COUNT(*) > 1 ORDER BY 2, 3 LIMIT 5
                """)
            let doubled = try warehouse.query(
                "SELECT COUNT(*) - COUNT(DISTINCT CONCAT(CAST(_source_partition AS STRING), ':', CAST(_source_offset AS STRING))) FROM \(table)"
            ).scalar
            XCTAssertEqual(doubled, "0", "\(table): rows stored twice, e.g. \(twice.rows)")
            XCTAssertEqual(
                try warehouse.query("SELECT COUNT(*) FROM \(table)").scalar, "\(truth.events[entity])",
                "\(table): every published event, once")
        }
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) FROM silver.rejects").scalar, "0", "a clean stream has no rejects")

        // Gold from this silver equals the truth, to the paisa.
        let compact = try runProgram(try shopstreamBinary(), ["compact", "--warehouse", url], timeout: 300, environment: environment)
        XCTAssertEqual(compact.status, 0, compact.stderr)
        let gold = try warehouse.query(
            """
            SELECT CAST(sale_date AS STRING), store_id, orders, units, CAST(gross_revenue * 100 AS INT64),
              CAST(discounts * 100 AS INT64), CAST(net_revenue * 100 AS INT64)
            FROM gold.daily_sales ORDER BY 1, 2
            """
        ).rows.map { $0.map { $0 ?? "NULL" } }
        XCTAssertEqual(
            gold,
            truth.dailySales.map {
                [
                    $0.saleDate, $0.storeId, "\($0.orders)", "\($0.units)", "\($0.grossRevenuePaisa)", "\($0.discountsPaisa)",
                    "\($0.netRevenuePaisa)",
                ]
            }, "gold.daily_sales: every day and store, to the paisa")
        XCTAssertGreaterThan(truth.dailySales.count, 0)
    }
}

import Foundation
import ShopStreamGold
import ShopStreamWarehouse
import TestSupport
import XCTest

/// `shopstream compact` as a person meets it.
final class CompactCommandTests: XCTestCase {
    func testAMissingSQLiteFileIsRefusedAndNotCreated() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try shopstream(["compact", "--warehouse", "sqlite://\(dir.path)/typo.db"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(
            r.stderr, "error: there is no SQLite warehouse at \(dir.path)/typo.db; check --warehouse (the pipeline's sinks create it)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path + "/typo.db"), "a mistyped path must not become an empty warehouse")
    }

    func testAWarehouseWithoutSilverIsRefusedSayingWhatToRunFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.path + "/w.db", contents: nil), "an empty SQLite database")
        let r = try shopstream(["compact", "--warehouse", "sqlite://\(dir.path)/w.db"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(
            r.stderr,
            "error: sqlite://\(dir.path)/w.db has no table silver.sales: gold is built from silver; run shopstream warehouse init (or a silver sink) first\n"
        )
    }

    func testATableOfAnOlderShapeStopsThePassUntilAFullRefreshRecreatesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = "sqlite://\(dir.path)/w.db"
        XCTAssertEqual(try shopstream(["backfill", "--warehouse", url, "--days", "2", "--start", "2025-03-01", "-q"]).status, 0)
        XCTAssertEqual(try shopstream(["compact", "--warehouse", url]).status, 0)
        let older = try shopstream(["warehouse", "query", "--warehouse", url, "ALTER TABLE gold.product_daily DROP COLUMN units"])
        XCTAssertEqual(older.status, 0, older.stderr)

        let stopped = try shopstream(["compact", "--warehouse", url])
        XCTAssertEqual(stopped.status, 1)
        XCTAssertTrue(stopped.stderr.contains("gold.product_daily lacks units. Run shopstream compact --full-refresh"), stopped.stderr)
        let full = try shopstream(["compact", "--warehouse", url, "--full-refresh"])
        XCTAssertEqual(full.status, 0, full.stderr)
        XCTAssertTrue(full.stdout.contains("  re-created gold.product_daily: its columns differed from sql/\n"), full.stdout)
        XCTAssertTrue(try shopstream(["compact", "--warehouse", url]).stdout.contains("gold is up to date"))
    }

    func testABadIntervalIsAUsageError() throws {
        let r = try shopstream(["compact", "--every", "soon"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(
            r.stderr.hasPrefix(
                "error: The value 'soon' is invalid for '--every <duration>': expected a number and a unit (durations are written 500ms, 5s, 2m, 1h, 1h30m or 30d)"
            ), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line")
    }

    func testTwoPassesThenNothingToDo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = "sqlite://\(dir.path)/w.db"
        let load = try shopstream(["backfill", "--warehouse", url, "--days", "3", "--start", "2025-03-01", "-q"])
        XCTAssertEqual(load.status, 0, load.stderr)
        let first = try shopstream(["compact", "--warehouse", url])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("full refresh: rebuilt 10 of 10 gold tables"), first.stdout)
        let more = try shopstream(["backfill", "--warehouse", url, "--days", "4", "--skip-days", "3", "--start", "2025-03-01", "-q"])
        XCTAssertEqual(more.status, 0, more.stderr)
        let second = try shopstream(["compact", "--warehouse", url])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("incremental: rebuilt"), second.stdout)
        XCTAssertTrue(second.stdout.contains("  daily_sales: 1 date (2025-03-04)"), second.stdout)
        let third = try shopstream(["compact", "--warehouse", url])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("gold is up to date: nothing new in silver"), third.stdout)
    }

    func testEveryKeepsPassingPicksUpSilverWrittenMeanwhileAndStopsOnSIGINTWithExitZero() throws {
        let dir = try scratch()
        let url = "sqlite://\(dir.path)/w.db"
        let load = try shopstream(["backfill", "--warehouse", url, "--days", "2", "--start", "2025-03-01", "-q"])
        XCTAssertEqual(load.status, 0, load.stderr)
        let compact = try Child(
            shopstreamBinary(), ["compact", "--every", "1s", "--warehouse", url], directory: dir.path, label: "compact")
        defer { compact.wait(timeout: 0) }  // never outlives the test
        func said() -> String { "stdout:\n\(compact.stdout)\nstderr:\n\(compact.stderr)" }
        XCTAssertTrue(
            eventually(timeout: 60) { compact.stdout.contains("full refresh: rebuilt 10 of 10 gold tables") }, "the first pass: \(said())")
        let warehouse = try makeWarehouse(url: url)
        XCTAssertEqual(
            try warehouse.query("SELECT MAX(sale_date) FROM gold.daily_sales").scalar.map { String($0.prefix(10)) }, "2025-03-02")

        // Two more days land in silver while it runs.
        let more = try shopstream(["backfill", "--warehouse", url, "--days", "4", "--skip-days", "2", "--start", "2025-03-01", "-q"])
        XCTAssertEqual(more.status, 0, more.stderr)
        let sales = try XCTUnwrap(warehouse.query("SELECT COUNT(DISTINCT event_id) FROM silver.sales").scalar)
        XCTAssertTrue(
            try eventually(timeout: 60) { try warehouse.query("SELECT SUM(orders) FROM gold.daily_sales").scalar == sales },
            "a later pass puts every sale in gold: \(said())")
        XCTAssertEqual(
            try warehouse.query("SELECT MAX(sale_date) FROM gold.daily_sales").scalar.map { String($0.prefix(10)) }, "2025-03-04")
        XCTAssertTrue(compact.stdout.contains("incremental: rebuilt"), said())
        // And the passes go on, finding nothing new.
        XCTAssertTrue(
            eventually(timeout: 60) {
                compact.stdout.components(separatedBy: "incremental: rebuilt").last!.contains("gold is up to date: nothing new in silver")
            }, said())

        compact.send(SIGINT)
        XCTAssertEqual(compact.wait(timeout: 60), 0, "SIGINT ends it between passes, exit 0: \(said())")
        let passes = compact.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        XCTAssertGreaterThanOrEqual(passes.count, 3, "a full pass, an incremental one, one with nothing to do: \(said())")
        let caughtUp = try goldSnapshot(warehouse)
        try compactor(warehouse).compact(fullRefresh: true)
        XCTAssertEqual(caughtUp, try goldSnapshot(warehouse), "what the passes built equals a full rebuild")
    }

    func testSIGTERMEndsCompactEveryWithoutWaitingForTheNextPass() throws {
        let dir = try scratch()
        let url = "sqlite://\(dir.path)/w.db"
        XCTAssertEqual(try shopstream(["backfill", "--warehouse", url, "--days", "1", "--start", "2025-03-01", "-q"]).status, 0)
        // A pass an hour: stopping within the minute allowed below means the signal cut the wait short.
        let compact = try Child(
            shopstreamBinary(), ["compact", "--every", "1h", "--warehouse", url], directory: dir.path, label: "compact")
        defer { compact.wait(timeout: 0) }
        XCTAssertTrue(
            eventually(timeout: 60) { compact.stdout.contains("full refresh: rebuilt 10 of 10 gold tables") },
            compact.stdout + compact.stderr)
        compact.send(SIGTERM)
        XCTAssertEqual(compact.wait(timeout: 60), 0, "SIGTERM ends it, exit 0: \(compact.stdout)\(compact.stderr)")
    }

    /// A fresh folder, removed when the test ends (with the processes' output in it).
    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

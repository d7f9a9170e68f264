import Foundation
import ShopStreamCore
import ShopStreamQuality
import ShopStreamWarehouse
import XCTest

/// Checks as values: how they are written, rendered, appended, selected and reported, on small
/// tables in an embedded SQLite warehouse.
final class CheckSuiteTests: XCTestCase {
    static let catalog = try! TopicCatalog.load(directory: TopicCatalog.sourceDirectory)

    /// A SQLite warehouse with `t.items (id, status, parent_id)` holding `rows`.
    private func warehouse(items rows: [(id: String, status: String?, parent: String?)] = []) throws -> any Warehouse {
        let warehouse = try makeWarehouse(url: "sqlite://\(try temporaryDirectory(for: self))/w.db")
        try warehouse.createDataset("t")
        try warehouse.execute(
            """
            CREATE TABLE t.items (id TEXT NOT NULL, status TEXT, parent_id TEXT);
            CREATE TABLE t.parents (id TEXT NOT NULL);
            INSERT INTO t.parents VALUES ('p1');
            """)
        let insert = rows.map { row in
            WarehouseRow(
                insertId: UUID().uuidString,
                values: [
                    "id": .string(row.id), "status": row.status.map(WarehouseValue.string) ?? .null,
                    "parent_id": row.parent.map(WarehouseValue.string) ?? .null,
                ])
        }
        XCTAssertEqual(try warehouse.insert(into: TableName("t", "items"), rows: insert), [])
        return warehouse
    }

    private let items = TableName("t", "items")

    func testAQueryIsWrittenOnceAndRenderedForEachDialect() {
        let check = Check.acceptedValues(table: TableName("gold", "rows"), column: "order", values: ["it's", #"back\slash"#, "M&P"])
        XCTAssertEqual(
            check.sql.text(for: .bigquery),
            #"""
            SELECT `order`, COUNT(*) AS occurrences
            FROM gold.`rows`
            WHERE `order` IS NOT NULL AND `order` NOT IN ('it\'s', 'back\\slash', 'M&P')
            GROUP BY `order`
            """#, "BigQuery: backticks only for reserved names, backslash escapes")
        XCTAssertEqual(
            check.sql.text(for: .sqlite),
            #"""
            SELECT "order", COUNT(*) AS occurrences
            FROM gold."rows"
            WHERE "order" IS NOT NULL AND "order" NOT IN ('it''s', 'back\slash', 'M&P')
            GROUP BY "order"
            """#, "SQLite: double quotes for its keywords, quotes doubled")

        let fresh = Check.freshness(table: TableName("silver", "sales"), maxAge: .seconds(3600))
        XCTAssertTrue(
            fresh.sql.text(for: .bigquery).contains("TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), MAX(_ingested_at), SECOND) AS age_seconds"))
        XCTAssertTrue(fresh.sql.text(for: .sqlite).contains("julianday(MAX(_ingested_at))"))
        XCTAssertTrue(fresh.sql.text(for: .sqlite).contains("age_seconds > 3600"))
    }

    func testAFailureCountsEveryOffendingRowAndShowsTheFirstFive() throws {
        let rows = (1...7).flatMap { n in [(id: "i\(n)", status: "Paid", parent: "p1"), (id: "i\(n)", status: "Paid", parent: "p1")] }
        let report = CheckSuite([.unique(table: items, columns: ["id"])]).run(on: try warehouse(items: rows))
        XCTAssertEqual(
            report.lines,
            [
                "FAIL unique(t.items.id): 7 rows: id=i1 occurrences=2; id=i2 occurrences=2; id=i3 occurrences=2; id=i4 occurrences=2; id=i5 occurrences=2; and 2 more",
                "1 check: 0 passed, 1 failed, 0 warnings",
            ])
        XCTAssertFalse(report.succeeded)
        XCTAssertEqual(report.results[0].offending?.count, 7)
    }

    func testEachGenericCheckSelectsItsOffendingRows() throws {
        let warehouse = try warehouse(items: [
            (id: "a", status: "Completed", parent: "p1"),
            (id: "b", status: "Cash on Delivery", parent: "p9"),
            (id: "c", status: nil, parent: nil),
        ])
        let suite = CheckSuite([
            .notNull(table: items, columns: ["status", "parent_id"], identifiedBy: ["id"]),
            .relationship(from: items, column: "parent_id", identifiedBy: ["id"], to: TableName("t", "parents"), column: "id"),
            .acceptedValues(table: items, column: "status", values: ["Completed", "Failed"]),
            .acceptedValues(table: items, column: "status", values: ["Completed", "Failed"], allowNull: false).renamed(
                "accepted_values(t.items.status, no NULL)"),
            .unique(table: items, columns: ["id", "status"]),
        ])
        XCTAssertEqual(
            suite.run(on: warehouse).lines,
            [
                "FAIL not_null(t.items.(status, parent_id)): 1 row: id=c status=NULL parent_id=NULL",
                "FAIL relationships(t.items.parent_id → t.parents.id): 1 row: id=b parent_id=p9",
                #"FAIL accepted_values(t.items.status): 1 row: status="Cash on Delivery" occurrences=1"#,
                #"FAIL accepted_values(t.items.status, no NULL): 2 rows: status=NULL occurrences=1; status="Cash on Delivery" occurrences=1"#,
                "PASS unique(t.items.(id, status))",
                "5 checks: 1 passed, 4 failed, 0 warnings",
            ])
    }

    func testAWarningCheckReportsWarnAndTheRunStillSucceeds() throws {
        var check = Check.acceptedValues(table: items, column: "status", values: ["Completed"])
        check.severity = .warn
        let report = CheckSuite([check]).run(on: try warehouse(items: [(id: "a", status: "Lost", parent: nil)]))
        XCTAssertEqual(
            report.lines,
            ["WARN accepted_values(t.items.status): 1 row: status=Lost occurrences=1", "1 check: 0 passed, 0 failed, 1 warning"])
        XCTAssertTrue(report.succeeded)
    }

    func testACheckWhoseQueryCannotRunFailsWithTheWarehousesErrorAndTheOthersStillRun() throws {
        let report = CheckSuite([
            .relationship(from: items, column: "parent_id", to: TableName("t", "no_such_table"), column: "id"),
            .unique(table: items, columns: ["id"]),
        ]).run(on: try warehouse())
        XCTAssertTrue(
            report.lines[0].hasPrefix("FAIL relationships(t.items.parent_id → t.no_such_table.id): could not run: "), report.lines[0])
        XCTAssertTrue(report.lines[0].contains("no_such_table"), report.lines[0])
        XCTAssertEqual(report.lines[1], "PASS unique(t.items.id)")
    }

    func testAMissingRequiredTableIsReportedWithItsOwnSentence() throws {
        let lag = Check.compactionLag(silver: items, column: "id", state: TableName("gold", "_state"), maxLag: .seconds(900))
        let report = CheckSuite([lag]).run(on: try warehouse())
        XCTAssertEqual(
            report.lines,
            [
                "WARN freshness(gold._state): gold never compacted; run shopstream compact (there is no table gold._state)",
                "1 check: 0 passed, 0 failed, 1 warning",
            ])
    }

    func testTheStandardSuiteHas74ChecksAndReconcilesEachTopicWhenGivenTheLake() throws {
        let silver = try CheckSuite.standard(catalog: Self.catalog)
        XCTAssertEqual(silver.checks.count, 74)
        XCTAssertEqual(
            Dictionary(grouping: silver.checks, by: \.kind).mapValues(\.count),
            [
                .unique: 7 + 7 + 11, .notNull: 7 + 11, .relationships: 7, .acceptedValues: 18, .freshness: 4, .reconcile: 2,
            ])
        XCTAssertFalse(
            silver.names.contains { $0.contains("event_id)") && $0.hasPrefix("unique") },
            "event_id of a dedup view is unique by construction")
        XCTAssertEqual(
            silver.names.filter { $0.hasSuffix(".(_source_topic, _source_message_id))") },
            Entity.allCases.map { "unique(silver.\($0.rawValue).(_source_topic, _source_message_id))" },
            "each raw table holds each event once, whatever the views hide")

        let lake = Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, 10) })
        let reconciled = try CheckSuite.standard(catalog: Self.catalog, configuration: StandardSuiteConfiguration(lakeEvents: lake))
        XCTAssertEqual(reconciled.checks.count, 81)
        XCTAssertEqual(reconciled.names.suffix(7), Entity.allCases.map { "reconcile(\($0.topic): lake = silver + rejects)" })
        let withKafka = try CheckSuite.standard(
            catalog: Self.catalog, configuration: StandardSuiteConfiguration(lakeEvents: lake, kafkaRecords: lake))
        XCTAssertEqual(withKafka.names.last, "reconcile(shop.shipping: kafka = lake = silver + rejects)")
    }

    func testAcceptedValuesAreReadFromTheTopicSchemasEnums() throws {
        let suite = try CheckSuite.standard(catalog: Self.catalog)
        var expected: [String] = []
        for entity in Entity.allCases {
            let properties = Self.catalog[entity].valueSchema["properties"]!.objectValue!
            for (name, property) in properties where property["enum"] != nil {
                expected.append("accepted_values(silver.\(entity.rawValue)_\(entity.isDimension ? "current" : "dedup").\(name))")
            }
        }
        XCTAssertEqual(Set(suite.checks.filter { $0.kind == .acceptedValues }.map(\.name)), Set(expected))
        let status = try XCTUnwrap(suite.checks.first { $0.name == "accepted_values(silver.payments_dedup.status)" })
        XCTAssertEqual(status.expectation, "status of silver.payments_dedup is one of Completed, Failed, Refunded, Pending")
        let promotion = try XCTUnwrap(suite.checks.first { $0.name == "accepted_values(silver.sales_dedup.promotion)" })
        XCTAssertTrue(promotion.expectation.hasSuffix("or NULL"), "the enum lists null: \(promotion.expectation)")
    }

    func testChecksAppendedByAnotherModuleRunWithTheStandardOnes() throws {
        var suite = try CheckSuite.standard(catalog: Self.catalog)
        let standard = suite.checks.count
        let targets = TableName("gold", "store_targets")
        suite.append(.unique(table: targets, columns: ["month", "store_id"]))
        suite.append(.notNull(table: targets, columns: ["month", "store_id", "target"]))
        XCTAssertEqual(
            suite.names.suffix(2),
            [
                "unique(gold.store_targets.(month, store_id))", "not_null(gold.store_targets.(month, store_id, target))",
            ])
        XCTAssertEqual(suite.selecting(["gold.store_targets"]).checks.count, 2, "a substring selects")
        XCTAssertEqual(suite.selecting(["unique(gold.store*"]).names, ["unique(gold.store_targets.(month, store_id))"], "a glob selects")
        XCTAssertEqual(suite.selecting(["freshness(silver.?a*"]).names, ["freshness(silver.sales)", "freshness(silver.payments)"])
        XCTAssertEqual(suite.selecting([]).checks.count, standard + 2, "no pattern: everything")
    }

    func testGoldLagIsMeasuredByTheWarehousesClockInSQLite() throws {
        try GoldLagContract(warehouse: try makeWarehouse(url: "sqlite://\(try temporaryDirectory(for: self))/w.db")).run()
    }
}

extension Check {
    /// The same check under another name (to run two variants in one suite).
    func renamed(_ name: String) -> Check {
        var copy = self
        copy.name = name
        return copy
    }
}

/// Freshness and gold's lag, the same in SQLite and BigQuery. Freshness reads the warehouse's
/// clock: the age it reports lies between what this process's clock says before and after the
/// check runs (so a slow run widens the bounds, never breaks them). The lag is between two
/// recorded times, so it is exact whatever the clock: a compaction two hours before the newest
/// ingestion fails `compactionLag` with 7200 seconds, and one at that ingestion passes.
struct GoldLagContract {
    let warehouse: any Warehouse
    let dataset = "q_" + UUID().uuidString.prefix(8).lowercased()

    func run() throws {
        let ingest = TableName(dataset, "ingest"), old = TableName(dataset, "old_ingest"), state = TableName(dataset, "_state")
        let bigquery = warehouse.dialect == .bigquery
        try warehouse.createDataset(dataset)
        try warehouse.execute(
            """
            CREATE TABLE \(ingest) (id \(bigquery ? "STRING" : "TEXT"), _ingested_at TIMESTAMP);
            CREATE TABLE \(old) (id \(bigquery ? "STRING" : "TEXT"), _ingested_at TIMESTAMP);
            CREATE TABLE \(state) (source \(bigquery ? "STRING" : "TEXT"), business_date DATE, row_count INT64, compacted_at TIMESTAMP);
            """)
        // Ten minutes ago (fresh), not now: a lag measured to the clock instead of to this row would show.
        let ingested = Date().addingTimeInterval(-600), oldIngested = Date().addingTimeInterval(-5400)
        XCTAssertEqual(try warehouse.insert(into: ingest, rows: [Self.ingestion(at: ingested)]), [])
        XCTAssertEqual(try warehouse.insert(into: old, rows: [Self.ingestion(at: oldIngested)]), [])
        XCTAssertEqual(try warehouse.insert(into: state, rows: [Self.compaction(at: ingested.addingTimeInterval(-7200))]), [])

        let suite = CheckSuite([
            .freshness(table: ingest, maxAge: .seconds(3600)),
            .freshness(table: old, maxAge: .seconds(3600)),
            .compactionLag(silver: ingest, state: state, maxLag: .seconds(900)),
        ])
        let started = Date()
        let stale = suite.run(on: warehouse)
        let finished = Date()
        XCTAssertEqual(stale.results.map(\.status), [.pass, .fail, .fail], "\(warehouse.url): \(stale.lines)")

        let age = try XCTUnwrap(stale.results[1].offending?.rows.first?["age_seconds"]?.flatMap { Int($0) }, "\(stale.lines)")
        // Whole seconds, and the rows hold milliseconds: a second of slack each way.
        let earliest = Int(started.timeIntervalSince(oldIngested).rounded(.down)) - 1
        let latest = Int(finished.timeIntervalSince(oldIngested).rounded(.up)) + 1
        XCTAssertTrue(
            (earliest...latest).contains(age),
            "the age of the newest row by the warehouse's clock during the run: \(age) not in \(earliest)...\(latest)")

        let lag = try XCTUnwrap(stale.results[2].offending?.rows.first?["lag_seconds"]?.flatMap { Int($0) }, "\(stale.lines)")
        XCTAssertEqual(lag, 7200, "two hours between the two recorded times, exactly")
        XCTAssertTrue(stale.lines[2].contains("gold is stale: \(ingest) has rows ingested 2h after the last compaction"), stale.lines[2])

        XCTAssertEqual(try warehouse.insert(into: state, rows: [Self.compaction(at: ingested)]), [])
        XCTAssertEqual(
            suite.run(on: warehouse).results.map(\.status), [.pass, .fail, .pass], "a compaction at the newest ingestion is not behind")
    }

    static func ingestion(at date: Date) -> WarehouseRow {
        WarehouseRow(insertId: UUID().uuidString, values: ["id": .string("a"), "_ingested_at": .timestamp(text(date))])
    }

    static func compaction(at date: Date) -> WarehouseRow {
        WarehouseRow(
            insertId: UUID().uuidString,
            values: [
                "source": .string("silver.sales"), "business_date": .date("2025-01-01"), "row_count": .int64(1),
                "compacted_at": .timestamp(text(date)),
            ])
    }

    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

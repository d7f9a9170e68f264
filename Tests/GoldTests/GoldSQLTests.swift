import ShopStreamGold
import ShopStreamWarehouse
import XCTest

/// sql/gold/ as the compactor reads it.
final class GoldSQLTests: XCTestCase {
    func testTheRepositoryFilesHoldEveryBlockForBothEngines() throws {
        for dialect in [SQLDialect.bigquery, .sqlite] {
            let sql = try GoldSQL(directory: sqlDirectory, dialect: dialect)
            XCTAssertEqual(Set(sql.detect.keys), Set(SilverSource.allCases), "\(dialect)")
            XCTAssertEqual(Set(sql.build.keys), Set(GoldTable.allCases), "\(dialect)")
            XCTAssertEqual(Set(sql.relabel.keys), Set(GoldTable.relabelled), "\(dialect)")
            for table in GoldTable.allCases {
                XCTAssertTrue(sql.tables.contains("gold.\(table.rawValue) ("), "tables.\(dialect).sql creates \(table.rawValue)")
            }
        }
    }

    /// On SQLite the blocks that read silver alone run their query beside the pass: split into
    /// their DELETEs and one INSERT's columns and query. A block that reads the stage or gold, or
    /// does more than delete and insert, runs whole.
    func testBlocksThatReadSilverAloneSplitIntoTheirDeletesAndTheirQuery() throws {
        let sql = try GoldSQL(directory: sqlDirectory, dialect: .sqlite)
        var aside: [GoldTable] = []
        for table in GoldTable.allCases {
            // A monthly table's block takes months.
            let block =
                try (try? sql.render(table, keys: .dates(["2025-02-01"])))
                ?? sql.render(table, keys: .months(["2025-02-01"], saleDates: ["2025-02-01"]))
            guard let split = sql.aside(table, rendered: block) else { continue }
            aside.append(table)
            XCTAssertTrue(split.deletes.hasPrefix("DELETE FROM gold.\(table.rawValue)"), split.deletes)
            XCTAssertFalse(split.deletes.contains("INSERT"), split.deletes)
            XCTAssertEqual(split.insert.table, TableName("gold", table.rawValue))
            XCTAssertEqual(Set(split.insert.columns), Set(sql.declaredColumns[table.rawValue]!), "every column of \(table.rawValue)")
            XCTAssertTrue(split.insert.query.hasPrefix("SELECT") || split.insert.query.hasPrefix("WITH"), split.insert.query)
            XCTAssertTrue(split.insert.query.contains("'2025-02-01'"), "rendered: \(split.insert.query)")
            XCTAssertFalse(split.insert.query.hasSuffix(";"))
        }
        XCTAssertEqual(aside, [.salespersonMonthly, .paymentDaily, .shippingDaily, .inventoryHealth])
    }

    func testPlaceholdersBecomeInListsOrTrue() throws {
        let sql = try GoldSQL(directory: sqlDirectory, dialect: .bigquery)
        let some = try sql.render(.dailySales, keys: .dates(["2025-01-01", "2025-01-02"]))
        XCTAssertTrue(some.contains("DELETE FROM gold.daily_sales WHERE sale_date IN (DATE '2025-01-01', DATE '2025-01-02');"), some)
        XCTAssertFalse(some.contains("{"))
        let whole = try sql.render(.dailySales, keys: .whole)
        XCTAssertTrue(whole.contains("DELETE FROM gold.daily_sales WHERE TRUE;"), whole)
        let sqlite = try GoldSQL(directory: sqlDirectory, dialect: .sqlite)
        let monthly = try sqlite.render(.salespersonMonthly, keys: .months(["2025-01-01"], saleDates: ["2025-01-30"]))
        XCTAssertTrue(monthly.contains("WHERE month IN ('2025-01-01')"), monthly)
        XCTAssertTrue(monthly.contains("sale_date IN ('2025-01-30')"), monthly)
    }

    func testAPlaceholderThatDoesNotFitTheKeysIsAnError() throws {
        let sql = try GoldSQL(directory: sqlDirectory, dialect: .sqlite)
        XCTAssertThrowsError(try sql.render(.dailySales, keys: .months(["2025-01-01"], saleDates: []))) { error in
            XCTAssertTrue("\(error)".contains("{dates: …} does not fit a table rebuilt by month"), "\(error)")
        }
    }

    func testTheSalesBlocksReadOneStagedDeduplicationOfTheTouchedSales() throws {
        let sql = try GoldSQL(directory: sqlDirectory, dialect: .sqlite)
        XCTAssertEqual(sql.stages.map(\.name), ["sales_once"])
        XCTAssertEqual(
            sql.stages.first?.readers,
            [.dailySales, .productDaily, .salespersonMonthly, .customerDaily, .executiveMonthly, .customerTotals])
        let stage = try XCTUnwrap(sql.stages.first)
        let some = try sql.create(stage, keys: .dates(["2025-01-30", "2025-01-31"]))
        XCTAssertTrue(some.hasPrefix("DROP TABLE IF EXISTS temp.sales_once;\nCREATE TEMP TABLE sales_once AS\n"), some)
        XCTAssertTrue(some.contains("WHERE sale_date IN ('2025-01-30', '2025-01-31') AND rowid NOT IN"), some)
        XCTAssertTrue(try sql.create(stage, keys: .whole).contains("WHERE TRUE AND rowid NOT IN"))
        XCTAssertEqual(sql.drop(stage), "DROP TABLE temp.sales_once;")
        XCTAssertEqual(try GoldSQL(directory: sqlDirectory, dialect: .bigquery).stages, [], "BigQuery's blocks de-duplicate each")
    }

    func testAStageThatCouldNotRunIsRefusedNamingTheFix() {
        func refused(_ stage: String, dialect: SQLDialect = .sqlite, because expected: String, line: UInt = #line) {
            XCTAssertThrowsError(try GoldSQL(dialect: dialect, tables: "", build: Self.everyBlock + stage)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)", line: line)
            }
        }
        refused("-- @stage lonely\nSELECT 1;", because: "'-- @stage lonely' is read by no @build block")
        refused("-- @stage read_by_daily\nSELECT 1 WHERE {months: m};", because: "a stage holds sale dates, not months")
        refused("-- @stage read_by_daily\nSELECT 1 WHERE {dates: d;", because: "@stage read_by_daily: an unclosed '{' placeholder")
        refused("-- @stage sales\nSELECT 1;", because: "not as a gold or silver table")
        refused("-- @stage \"quoted\"\nSELECT 1;", because: "named with letters, digits and underscores")
        refused("-- @stage read_by_daily\nSELECT 1;\n-- @stage read_by_daily\nSELECT 2;", because: "appears twice")
        refused("-- @stage read_by_daily\nSELECT 1;", dialect: .bigquery, because: "stages are for SQLite only")
        XCTAssertEqual(
            try GoldSQL(dialect: .sqlite, tables: "", build: Self.everyBlock + "-- @stage read_by_daily\nSELECT 1;").stages,
            [GoldStage(name: "read_by_daily", query: "SELECT 1", readers: [.dailySales])])
    }

    /// A build file with one trivial block of every kind needed; daily_sales reads `read_by_daily`
    /// and customer_totals names `gold.read_by_daily` (another table, not a reader).
    private static let everyBlock =
        SilverSource.allCases.map { "-- @detect \($0.rawValue)\nSELECT NULL, 0;\n" }.joined()
        + GoldTable.allCases.map { table in
            "-- @build \(table.rawValue)\n"
                + (table == .dailySales
                    ? "SELECT * FROM read_by_daily;\n" : table == .customerTotals ? "SELECT * FROM gold.read_by_daily;\n" : "SELECT 1;\n")
        }.joined()
        + GoldTable.relabelled.map { "-- @relabel \($0.rawValue)\nSELECT 1;\n" }.joined()

    func testABuildFileWithoutABlockIsRefusedNamingIt() {
        XCTAssertThrowsError(try GoldSQL(dialect: .sqlite, tables: "", build: "-- @detect sales\nSELECT 1;")) { error in
            XCTAssertTrue("\(error)".contains("@detect payments"), "\(error)")
            XCTAssertTrue("\(error)".contains("@build daily_sales"), "\(error)")
        }
        XCTAssertThrowsError(try GoldSQL(dialect: .sqlite, tables: "", build: "-- @build nonsense\nSELECT 1;")) { error in
            XCTAssertTrue("\(error)".contains("names no gold table"), "\(error)")
        }
    }
}

/// Money as the engines print it, back to exact paisa.
final class PaisaTests: XCTestCase {
    func testEverySpellingOfAnAmountGivesItsPaisa() {
        XCTAssertEqual(Paisa.parse("1234.5"), 123450)
        XCTAssertEqual(Paisa.parse("1234.500000000"), 123450)
        XCTAssertEqual(Paisa.parse("-0.07"), -7)
        XCTAssertEqual(Paisa.parse("74999"), 7_499_900)
        XCTAssertEqual(Paisa.parse("0E-9"), 0, "the emulator's NUMERIC zero")
        XCTAssertEqual(Paisa.parse("1.5E+3"), 150000)
        XCTAssertNil(Paisa.parse("0.001"), "a fraction of a paisa is not money")
        XCTAssertNil(Paisa.parse("abc"))
    }
}

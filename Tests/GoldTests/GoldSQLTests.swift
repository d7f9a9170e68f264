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

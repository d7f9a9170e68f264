import TestSupport
import XCTest

@testable import ShopStreamWarehouse

/// The exact texts both engines agree on, the statement splitter and warehouse URLs.
final class ValueTextTests: XCTestCase {
    /// The fast paths (text already canonical: taken as it is) agree with parsing and writing it
    /// again, on seeded random texts near the canonical forms, valid and not.
    func testCanonicalFastPathsAgreeWithTheFullParse() {
        var rng = SplitMix64(seed: 2026)
        let alphabet = Array("0123456789-.eE+ ")
        var numerics = [
            "0", "-0", "0.0", "00", "-0.5", "0.50", "1.", ".1", "1e3", "12345678901234567890123456789", "123456789012345678901234567890",
            "1.123456789", "1.1234567891", "-", "", "007", "10", "-10.01",
        ]
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 14) + 1
            numerics.append(
                String(
                    (0..<length).map { _ in
                        rng.next() % 4 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : Character(String(rng.next() % 10))
                    }))
        }
        // And money at its scale ("2299.00", what silver writes), the fast path of the shortest form.
        numerics += ["2299.00", "0.50", "-0.00", "12.", "1.0000000000", "1.000000000", "-7.10", "100.000", "0.000000001"]
        for _ in 0..<5_000 {
            numerics.append(String(rng.next() % 100_000) + "." + String(repeating: "0", count: Int(rng.next() % 11)))
        }
        var canonicalSeen = 0
        for text in numerics {
            let parsed = text.contains("e") || text.contains("E") ? nil : DecimalText(text)
            let slow = parsed.map { $0.text == text && $0.fitsBigQueryNumeric } == true
            XCTAssertEqual(DecimalText.isCanonicalNumeric(text), slow, "\(text)")
            if slow { canonicalSeen += 1 }
            XCTAssertEqual(RowChecker.canonicalNumeric(text), parsed.flatMap { $0.fitsBigQueryNumeric ? $0.text : nil }, "\(text)")
        }
        XCTAssertGreaterThan(canonicalSeen, 1000)

        var timestamps = [
            "2024-02-29T23:59:59.999999Z", "2023-02-29T00:00:00.000000Z", "0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z",
            "2024-01-01T24:00:00.000000Z", "2024-01-01 00:00:00.000000Z", "2024-01-01T00:00:00.000000z", "0000-01-01T00:00:00.000000Z",
        ]
        for _ in 0..<20_000 {
            var bytes = Array(TimestampText.text(microseconds: Int64(bitPattern: rng.next()) % 253_402_300_800_000_000).utf8)
            if rng.next() % 2 == 0 { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: 44 + rng.next() % 48) }
            timestamps.append(String(decoding: bytes, as: UTF8.self))
        }
        canonicalSeen = 0
        for text in timestamps {
            let slow = TimestampText.microseconds(parsing: text).map { TimestampText.text(microseconds: $0) } == text
            XCTAssertEqual(TimestampText.isCanonical(text), slow, text)
            if slow { canonicalSeen += 1 }
        }
        XCTAssertGreaterThan(canonicalSeen, 5000)
    }

    func testDecimalsAreExactAndCanonical() {
        let cases = [
            "74999.00": "74999", "0.10": "0.1", "-0.000000001": "-0.000000001", "-1E-9": "-0.000000001", "000123.4500": "123.45",
            "-0.0": "0", "+5": "5", ".5": "0.5", "5.": "5", "1.5E3": "1500",
            "99999999999999999999999999999.999999999": "99999999999999999999999999999.999999999",
        ]
        for (input, canonical) in cases {
            XCTAssertEqual(DecimalText(input)?.text, canonical, input)
        }
        for bad in ["", "-", ".", "1.2.3", "1,5", " 1", "NaN", "0x10", "1e", "--1"] {
            XCTAssertNil(DecimalText(bad), bad)
        }
        XCTAssertEqual((DecimalText("0.1")! + DecimalText("0.2")!).text, "0.3")
        XCTAssertEqual((DecimalText("-5.25")! + DecimalText("3")!).text, "-2.25")
        XCTAssertEqual((DecimalText("5.25")! + DecimalText("-5.25")!).text, "0")
        XCTAssertEqual(
            (DecimalText("99999999999999999999999999999.999999999")! + DecimalText("0.000000001")!).text, "100000000000000000000000000000")
        XCTAssertEqual(DecimalText("74999.00")?.scaled(by: 2), 7_499_900)
        XCTAssertEqual(DecimalText("-0.05")?.scaled(by: 2), -5)
        XCTAssertNil(DecimalText("0.001")?.scaled(by: 2))
        XCTAssertNil(DecimalText("999999999999999999999")?.scaled(by: 2))
        XCTAssertEqual(DecimalText("1.0000005")?.scaledRounded(by: 6), 1_000_001)
        XCTAssertEqual(DecimalText("0.000000005")?.scaledRounded(by: 6), 0)
        XCTAssertTrue(DecimalText("123.123456789")!.fitsBigQueryNumeric)
        XCTAssertFalse(DecimalText("0.0000000001")!.fitsBigQueryNumeric)
    }

    func testTimestampsBecomeUTCMicroseconds() {
        let cases = [
            "2025-01-02T03:04:05.123456Z": "2025-01-02T03:04:05.123456Z",
            "2025-01-02 03:04:05": "2025-01-02T03:04:05.000000Z",
            "2025-01-02T03:04:05.1+05:00": "2025-01-01T22:04:05.100000Z",
            "2025-01-02T03:04Z": "2025-01-02T03:04:00.000000Z",
            "2025-01-02 03:04:05.123456789 UTC": nil,
            "2025-01-02 03:04:05.123456000 UTC": "2025-01-02T03:04:05.123456Z",
            "1969-12-31T23:59:59.999999Z": "1969-12-31T23:59:59.999999Z",
            "0001-01-01T00:00:00Z": "0001-01-01T00:00:00.000000Z",
            "2024-02-29T12:00:00-00:30": "2024-02-29T12:30:00.000000Z",
        ]
        for (input, canonical) in cases {
            XCTAssertEqual(TimestampText.canonical(input), canonical, input)
        }
        for bad in [
            "", "2025-01-02", "2025-02-30T00:00:00Z", "2025-01-02T24:00:00Z", "yesterday", "2025-01-02T03:04:05.Z", "2025-01-02T03:04:05+5",
        ] {
            XCTAssertNil(TimestampText.canonical(bad), bad)
        }
        XCTAssertEqual(TimestampText.fromBigQuery("1735787045123456"), "2025-01-02T03:04:05.123456Z", "int64 microseconds")
        XCTAssertEqual(TimestampText.fromBigQuery("1.735787045123456E9"), "2025-01-02T03:04:05.123456Z", "epoch seconds, exactly")
        XCTAssertEqual(TimestampText.fromBigQuery("1.7357870451234559E9"), "2025-01-02T03:04:05.123456Z", "a double's noise rounds away")
        XCTAssertEqual(TimestampText.fromBigQuery("-1.5"), "1969-12-31T23:59:58.500000Z")
        XCTAssertEqual(TimestampText.fromBigQuery("2025-01-02 03:04:05+00"), "2025-01-02T03:04:05.000000Z")
        XCTAssertTrue(DateText.isValid("2024-02-29"))
        XCTAssertFalse(DateText.isValid("2023-02-29"))
        XCTAssertFalse(DateText.isValid("2025-1-02"))
    }

    func testFloatsReadTheSameFromBothEngines() {
        XCTAssertEqual(FloatText.parse("1.0E20").map(FloatText.canonical), "1e+20")
        XCTAssertEqual(FloatText.parse("1e+20").map(FloatText.canonical), "1e+20")
        XCTAssertEqual(FloatText.parse("Infinity").map(FloatText.canonical), "Infinity")
        XCTAssertEqual(FloatText.parse("NaN").map(FloatText.canonical), "NaN")
        XCTAssertEqual(FloatText.canonical(0.1), "0.1")
    }

    func testStatementsSplitWhereASemicolonEndsALine() {
        let sql = """
            -- setup
            CREATE TABLE IF NOT EXISTS silver.a (x STRING); -- trailing comment
            INSERT INTO silver.a VALUES ('it''s; fine;
            still the string');
            /* block; */ SELECT "q;"; SELECT 1; SELECT 2;
            BEGIN SELECT 1; END;

            -- only a comment;
            """
        XCTAssertEqual(
            SQLStatements.split(sql),
            [
                "-- setup\nCREATE TABLE IF NOT EXISTS silver.a (x STRING)",
                "-- trailing comment\nINSERT INTO silver.a VALUES ('it''s; fine;\nstill the string')",
                "/* block; */ SELECT \"q;\"; SELECT 1; SELECT 2",
                "BEGIN SELECT 1; END",
            ])
        XCTAssertEqual(SQLStatements.split("SELECT 1"), ["SELECT 1"])
        XCTAssertEqual(SQLStatements.split("  \n-- nothing\n"), [])
    }

    func testWarehouseURLs() throws {
        XCTAssertEqual(try WarehouseURL(parsing: "bigquery://my-project"), .bigquery(project: "my-project", location: nil))
        XCTAssertEqual(
            try WarehouseURL(parsing: "bigquery://my-project?location=asia-south1"),
            .bigquery(project: "my-project", location: "asia-south1"))
        XCTAssertEqual(try WarehouseURL(parsing: "sqlite:///data/w.db"), .sqlite(path: "/data/w.db"))
        XCTAssertEqual(
            try WarehouseURL(parsing: WarehouseURL.embeddedDefault, currentDirectory: "/srv/shop"), .sqlite(path: "/srv/shop/warehouse.db"))
        XCTAssertEqual(try WarehouseURL(parsing: "sqlite://../w.db", currentDirectory: "/srv/shop"), .sqlite(path: "/srv/w.db"))
        XCTAssertEqual(try WarehouseURL(parsing: "bigquery://p?location=US").description, "bigquery://p?location=US")
        XCTAssertEqual(try WarehouseURL(parsing: "bigquery://p").dialect, .bigquery)
        for bad in [
            "bq://p", "bigquery://", "bigquery://My_Project", "bigquery://p?region=US", "sqlite://relative.db", "sqlite:///data/",
            "postgres://x", "",
        ] {
            XCTAssertThrowsError(try WarehouseURL(parsing: bad), bad) { error in
                XCTAssertEqual((error as? WarehouseError)?.code, .invalidURL, bad)
                XCTAssertTrue("\(error)".contains("expected bigquery://PROJECT"), "\(error)")
            }
        }
        XCTAssertThrowsError(try makeWarehouse(url: "mysql://x", environment: [:]))
    }

    func testSQLiteTypeNamesReadBackAsTheirTypes() {
        for type in ColumnType.allCases {
            XCTAssertEqual(ColumnType(sqliteDeclaredType: type.sqliteTypeName), type)
            XCTAssertEqual(ColumnType(bigQueryType: type.rawValue), type)
        }
        XCTAssertEqual(ColumnType(sqliteDeclaredType: "varchar(20)"), .string)
        XCTAssertEqual(ColumnType(bigQueryType: "BOOLEAN"), .bool)
        XCTAssertNil(ColumnType(sqliteDeclaredType: "BLOB"))
        XCTAssertNil(ColumnType(bigQueryType: "DATETIME"))
    }
}

import Foundation
import XCTest

@testable import ShopStreamWarehouse

final class SQLiteWarehouseTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = try makeTemporaryDirectory(self)
    }

    private func warehouse(_ name: String = "warehouse.db") throws -> SQLiteWarehouse {
        try SQLiteWarehouse(path: folder + "/" + name)
    }

    private func contract() throws -> WarehouseContract { WarehouseContract(warehouse: try warehouse()) }

    func testDatasetAndTableCreationIsIdempotent() throws { try contract().datasetAndTableCreationIsIdempotent() }
    func testTypedRowsReadBackAsIdenticalText() throws { try contract().typedRowsReadBackAsIdenticalText() }
    func testBadRowsAreTheirOwnFailures() throws { try contract().badRowsAreTheirOwnFailures() }
    func testPositionalRowsAreCheckedAndLandAsNamedOnes() throws { try contract().positionalRowsAreCheckedAndLandAsNamedOnes() }
    func testInsertIntoAMissingTableThrows() throws { try contract().insertIntoAMissingTableThrows() }
    func testQueryErrorsNameTheProblem() throws { try contract().queryErrorsNameTheProblem() }
    func testExecuteRunsStatementsInOrder() throws { try contract().executeRunsStatementsInOrder() }

    /// Rows whose layout promises canonical values (silver's) are bound as they are, without the
    /// checker's copy: what lands, and what is refused with which column and words, must be exactly
    /// what the same rows given by name (checked value by value) give.
    func testTrustedRowsLandAndFailAsCheckedOnesDo() throws {
        let contract = try contract()
        try contract.createSales()
        let named = [
            WarehouseContract.sale("money", ["amount": .numeric("2299.00"), "ratio": .float64(0.5), "note": .string("at its scale")]),
            WarehouseContract.sale("cents", ["amount": .numeric("0.50"), "damaged": .bool(false)]),
            WarehouseContract.sale("whole", ["amount": .numeric("-7"), "paid_at": .timestamp("2025-01-02T03:04:05.000006Z")]),
            WarehouseContract.sale("ten_places", ["amount": .numeric("1.0000000000")]),
            WarehouseContract.sale("minus_zero", ["amount": .numeric("-0.00")]),
            WarehouseContract.sale("no_fraction", ["amount": .numeric("12.")]),
            WarehouseContract.sale("two_points", ["amount": .numeric("1.2.30")]),
            WarehouseContract.sale("int_for_numeric", ["amount": .int64(12)]),
            WarehouseContract.sale("missing_required", ["amount": .null]),
            WarehouseContract.sale("bad_type", ["quantity": .string("three")]),
            WarehouseContract.sale("null_optional", ["note": .null]),
            WarehouseContract.sale("bad_column", ["colour": .string("red")]),
        ]
        var layouts: [[String]: RowLayout] = [:]
        let trusted = named.map { row in
            let names = row.values.keys.sorted(by: >)
            let layout = layouts[names] ?? RowLayout(names, canonical: true)
            layouts[names] = layout
            return WarehouseRow(insertId: row.insertId, layout: layout, ordered: names.map { row.values[$0]! })
        }
        // The rows whose names are all columns take the trusted way; the checker takes the rest.
        let columns = try XCTUnwrap(try contract.warehouse.columns(of: contract.sales))
        let checker = RowChecker(table: contract.sales, columns: columns)
        XCTAssertEqual(
            trusted.filter { checker.trustedPositions(of: $0) == nil }.map(\.insertId), ["shop.sales:0:bad_column"],
            "only the row naming no column of the table is left to the checker")
        let failures = try contract.warehouse.insert(into: contract.sales, rows: trusted)
        let again = WarehouseContract(warehouse: try warehouse("again.db"))
        try again.createSales()
        let checked = try again.warehouse.insert(into: again.sales, rows: named)
        XCTAssertEqual(failures.map(\.index), checked.map(\.index))
        XCTAssertEqual(failures.map(\.location), checked.map(\.location))
        XCTAssertEqual(
            failures.map { $0.message.replacingOccurrences(of: contract.dataset, with: "D") },
            checked.map { $0.message.replacingOccurrences(of: again.dataset, with: "D") })
        XCTAssertEqual(failures.map(\.location), ["amount", "amount", "quantity", "colour"])
        let read = "SELECT sale_id, sale_date, quantity, amount, ratio, damaged, paid_at, note FROM TABLE ORDER BY sale_id"
        let landed = try contract.warehouse.query(read.replacingOccurrences(of: "TABLE", with: "\(contract.sales)")).rows
        XCTAssertEqual(
            landed, try again.warehouse.query(read.replacingOccurrences(of: "TABLE", with: "\(again.sales)")).rows,
            "the same rows read back, trusted or checked")
        XCTAssertEqual(
            landed.map { [$0[0], $0[3]] },
            [
                ["cents", "0.5"], ["int_for_numeric", "12"], ["minus_zero", "0"], ["money", "2299"], ["no_fraction", "12"],
                ["null_optional", "1"], ["ten_places", "1"], ["whole", "-7"],
            ], "NUMERIC in its shortest form")
    }

    /// A warehouse the next run replaces (`run`'s ./demo) flushes nothing; any other waits for the
    /// disk on every commit, in its main file and in every dataset file, attached now or later.
    func testOnlyAWarehouseThatIsNotDurableSkipsFlushing() throws {
        let durable = try warehouse()
        try durable.createDataset("silver")
        XCTAssertEqual(try durable.query("PRAGMA main.synchronous").scalar, "2", "FULL")
        XCTAssertEqual(try durable.query("PRAGMA silver.synchronous").scalar, "2", "FULL")
        let scratch = try SQLiteWarehouse(path: folder + "/scratch.db", configuration: SQLiteWarehouse.Configuration(durability: .none))
        try scratch.createDataset("silver")
        XCTAssertEqual(try scratch.query("PRAGMA main.synchronous").scalar, "0", "OFF")
        XCTAssertEqual(try scratch.query("PRAGMA silver.synchronous").scalar, "0", "OFF")
        let reopened = try SQLiteWarehouse(path: folder + "/scratch.db", configuration: SQLiteWarehouse.Configuration(durability: .none))
        XCTAssertEqual(try reopened.query("PRAGMA silver.synchronous").scalar, "0", "a dataset file attached on opening")
        XCTAssertEqual(try SQLiteWarehouse(path: folder + "/scratch.db").query("PRAGMA silver.synchronous").scalar, "2")
    }

    /// A warehouse durable on request (the silver sink's) does not wait for the disk at each
    /// commit (NORMAL, in every file, attached now or later) but when asked: then it flushes the
    /// WAL of each file it has, and a file with no WAL yet has nothing to flush.
    func testAWarehouseDurableOnRequestFlushesEachFilesLogWhenAsked() throws {
        let w = try SQLiteWarehouse(path: folder + "/asked.db", configuration: SQLiteWarehouse.Configuration(durability: .onMakeDurable))
        try w.createDataset("silver")
        XCTAssertEqual(try w.query("PRAGMA main.synchronous").scalar, "1", "NORMAL")
        XCTAssertEqual(try w.query("PRAGMA silver.synchronous").scalar, "1", "NORMAL")
        try w.execute("CREATE TABLE IF NOT EXISTS silver.t (a INT64 NOT NULL);")
        XCTAssertTrue(try w.insert(into: TableName("silver", "t"), rows: [WarehouseRow(insertId: "1", values: ["a": .int64(1)])]).isEmpty)
        try w.makeDurable()
        XCTAssertEqual(try w.query("SELECT COUNT(*) FROM silver.t").scalar, "1")

        XCTAssertEqual(w.walPaths(), [folder + "/asked.db-wal", folder + "/asked.silver.db-wal"], "the logs it flushes")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/asked.silver.db-wal"), "written, so flushed")
        XCTAssertNoThrow(try SQLiteConnection.flushToDisk(folder + "/none.db-wal"), "no log yet: nothing to flush")
        let unopenable = folder + "/asked.db/-wal"  // under a file
        XCTAssertThrowsError(try SQLiteConnection.flushToDisk(unopenable)) { error in
            XCTAssertTrue("\(error)".contains("cannot open \(unopenable) to flush it to disk: Not a directory"), "\(error)")
        }
    }

    /// The WAL is copied into the database file every 40,000 pages, not SQLite's 1,000: a page
    /// many commits dirty (silver's indexes on random ids) is copied, and flushed, once a checkpoint.
    func testTheWALIsCheckpointedEveryFortyThousandPages() throws {
        let w = try warehouse()
        try w.createDataset("silver")
        XCTAssertEqual(try w.query("PRAGMA wal_autocheckpoint").scalar, "40000")
    }

    func testDatasetsAreFilesBesideTheMainFileFoundAgainOnReopening() throws {
        do {
            let first = try warehouse()
            try first.createDataset("silver")
            try first.execute("CREATE TABLE IF NOT EXISTS silver.t (a INT64 NOT NULL);\nINSERT INTO silver.t (a) VALUES (7);")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        XCTAssertTrue(files.contains("warehouse.db"), "\(files)")
        XCTAssertTrue(files.contains("warehouse.silver.db"), "\(files)")
        let reopened = try warehouse()
        XCTAssertEqual(try reopened.query("SELECT a FROM silver.t").scalar, "7", "an existing dataset file is attached on open")
        XCTAssertEqual(try reopened.query("PRAGMA silver.journal_mode").scalar, "wal")
        XCTAssertEqual(try reopened.query("PRAGMA main.journal_mode").scalar, "wal")

        // A dataset another process creates later is found too.
        let other = try warehouse()
        try other.createDataset("gold")
        try other.execute("CREATE TABLE gold.g (x TEXT);\nINSERT INTO gold.g VALUES ('y');")
        XCTAssertEqual(try reopened.query("SELECT x FROM gold.g").scalar, "y")
    }

    func testNumericSumAndPaisaAreExact() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute("CREATE TABLE silver.p (amount NUMERIC_TEXT, store TEXT);")
        let table = TableName("silver", "p")
        let rows = (0..<1000).map {
            WarehouseRow(insertId: "\($0)", values: ["amount": .numeric($0 % 2 == 0 ? "0.10" : "0.20"), "store": .string("s\($0 % 2)")])
        }
        XCTAssertEqual(try warehouse.insert(into: table, rows: rows), [])
        XCTAssertNotEqual(try warehouse.query("SELECT SUM(amount) FROM silver.p").scalar, "150", "SQLite's own SUM adds binary floats")
        XCTAssertEqual(try warehouse.query("SELECT numeric_sum(amount) FROM silver.p").scalar, "150")
        XCTAssertEqual(try warehouse.query("SELECT SUM(paisa(amount)) FROM silver.p").scalar, "15000")
        XCTAssertEqual(
            try warehouse.query("SELECT store, numeric_sum(amount) AS total FROM silver.p GROUP BY store ORDER BY store").rows,
            [["s0", "50"], ["s1", "100"]])
        XCTAssertEqual(try warehouse.query("SELECT numeric_sum(amount) FROM silver.p WHERE store = 'none'").scalar, nil as String?)
        XCTAssertEqual(
            try warehouse.query(
                "SELECT numeric_sum(x) FROM (SELECT '99999999999999999999.99' AS x UNION ALL SELECT '0.01' UNION ALL SELECT 3)"
            ).scalar, "100000000000000000003")
        XCTAssertEqual(try warehouse.query("SELECT paisa('74999.00'), paisa(NULL), paisa(-1)").rows, [["7499900", nil, "-100"]])
        XCTAssertThrowsError(try warehouse.query("SELECT paisa('0.001')")) { XCTAssertTrue("\($0)".contains("second decimal"), "\($0)") }
        XCTAssertEqual(
            try warehouse.query("SELECT paisa('1.5'), paisa('-12.05'), paisa('3.500000000'), paisa('7'), paisa('1e2'), paisa('0.10')").rows,
            [["150", "-1205", "350", "700", "10000", "10"]], "plain text, trailing zeros, exponents")
        XCTAssertThrowsError(try warehouse.query("SELECT paisa('2.345')")) { XCTAssertTrue("\($0)".contains("second decimal"), "\($0)") }
        XCTAssertEqual(
            try warehouse.query(
                "SELECT money(7499950), money(-1205), money(7), money(NULL), money(SUM(paisa(x))) FROM (SELECT '0.1' AS x UNION ALL SELECT '0.2')"
            ).rows,
            [["74999.5", "-12.05", "0.07", nil, "0.3"]], "money() turns paisa back into exact decimal text")
        XCTAssertThrowsError(try warehouse.query("SELECT numeric_sum(store) FROM silver.p")) {
            XCTAssertTrue("\($0)".contains("is not a decimal"), "\($0)")
        }
    }

    func testMoneyGivesTheShortestExactTextOfEveryAmount() throws {
        let warehouse = try warehouse()
        let edges: [Int64] = [.max, .min, .max - 1, .min + 1, 1_234_567_890_123, -7_499_950, 7_499_900, 100_000]
        let rows = try warehouse.query(
            "WITH RECURSIVE n(x) AS (SELECT -1200 UNION ALL SELECT x + 1 FROM n WHERE x < 1200) "
                + "SELECT x, money(x) FROM (SELECT x FROM n UNION ALL SELECT column1 FROM (VALUES \(edges.map { "(\($0))" }.joined(separator: ", "))))"
        ).rows
        XCTAssertEqual(rows.count, 2401 + edges.count)
        for row in rows {
            let paisa = try XCTUnwrap(row[0].flatMap { Int64($0) })
            XCTAssertEqual(row[1], DecimalText.fromPaisa(paisa).text, "money(\(paisa))")
        }
        XCTAssertEqual(
            try warehouse.query("SELECT money(0), money(50), money(5), money(-1), money(-100), money(\(Int64.min))").rows,
            [["0", "0.5", "0.05", "-0.01", "-1", "-92233720368547758.08"]])
    }

    /// silver.rejects keeps a rejected message's bytes as text; a NUL among them must not end it.
    func testTextWithANULReadsBackWhole() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute("CREATE TABLE silver.n (id TEXT NOT NULL, payload TEXT);")
        let text = "{\"name\":\"Umar\u{0}Anwar\"}\u{0}"
        XCTAssertEqual(
            try warehouse.insert(
                into: TableName("silver", "n"),
                rows: [WarehouseRow(insertId: "1", values: ["id": .string("a\u{0}b"), "payload": .string(text)])]), [])
        XCTAssertEqual(
            try warehouse.query("SELECT id, payload, length(CAST(payload AS BLOB)) FROM silver.n").rows,
            [["a\u{0}b", text, String(text.utf8.count)]])
    }

    func testAConstraintFailureIsThatRowsFailureAndTheRestGoIn() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute("CREATE TABLE silver.u (id TEXT NOT NULL PRIMARY KEY, n INT64 CHECK (n >= 0));")
        let table = TableName("silver", "u")
        let failures = try warehouse.insert(
            into: table,
            rows: [
                WarehouseRow(insertId: "1", values: ["id": .string("a"), "n": .int64(1)]),
                WarehouseRow(insertId: "2", values: ["id": .string("a"), "n": .int64(2)]),
                WarehouseRow(insertId: "3", values: ["id": .string("b"), "n": .int64(-1)]),
                WarehouseRow(insertId: "4", values: ["id": .string("c"), "n": .int64(3)]),
            ])
        XCTAssertEqual(failures.map(\.index), [1, 2])
        XCTAssertTrue(failures[0].message.contains("UNIQUE"), failures[0].message)
        XCTAssertEqual(failures[0].location, "id")
        XCTAssertTrue(failures[1].message.contains("CHECK"), failures[1].message)
        XCTAssertEqual(try warehouse.query("SELECT id, n FROM silver.u ORDER BY id").rows, [["a", "1"], ["c", "3"]])
    }

    /// Rows giving the same columns go in many to a statement (`rowsPerStatement`): still each
    /// row once, in the order given (gold keeps the first stored copy of an event), each with its
    /// own values, and a row SQLite refuses is that row's failure alone, wherever it stands in a
    /// statement's rows, trusted (positional) rows as checked (named) ones.
    func testRowsSharingAStatementLandInOrderAndARefusalIsItsRowsAlone() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute("CREATE TABLE silver.m (id TEXT NOT NULL PRIMARY KEY, n INT64 CHECK (n >= 0), note TEXT);")
        let table = TableName("silver", "m")
        let layout = RowLayout(["id", "n", "note"], canonical: true)
        // 150 rows: a CHECK refused at 37 and a repeated id at 70 (inside runs), four rows
        // without `note` at 80..<84 (a run of other columns between two runs), trusted rows from 100.
        var expected: [[String?]] = []
        var rows: [WarehouseRow] = []
        for k in 0..<150 {
            let id = k == 70 ? "id-5" : "id-\(k)"
            let n = Int64(k == 37 ? -1 : k * 3)
            let note: WarehouseValue? = (80..<84).contains(k) ? nil : .string("note \(k)")
            if k >= 100 {
                rows.append(WarehouseRow(insertId: "\(k)", layout: layout, ordered: [.string(id), .int64(n), note!]))
            } else {
                var values: [String: WarehouseValue] = ["id": .string(id), "n": .int64(n)]
                values["note"] = note
                rows.append(WarehouseRow(insertId: "\(k)", values: values))
            }
            if k != 37 && k != 70 { expected.append([id, String(n), (80..<84).contains(k) ? nil : "note \(k)"]) }
        }
        let failures = try warehouse.insert(into: table, rows: rows)
        XCTAssertGreaterThan(warehouse.rowsInsertedInRuns, 100, "most rows went many to a statement")
        XCTAssertEqual(failures.map(\.index), [37, 70])
        XCTAssertTrue(failures.first?.message.contains("CHECK") == true, "\(failures)")
        XCTAssertTrue(failures.last?.message.contains("UNIQUE") == true, "\(failures)")
        XCTAssertEqual(failures.last?.location, "id")
        XCTAssertEqual(try warehouse.query("SELECT id, n, note FROM silver.m ORDER BY rowid").rows, expected)
        // And again, into a table that refuses nothing: every row, in order.
        try warehouse.execute("CREATE TABLE silver.all_rows (id TEXT NOT NULL, n INT64, note TEXT);")
        let before = warehouse.rowsInsertedInRuns
        XCTAssertEqual(try warehouse.insert(into: TableName("silver", "all_rows"), rows: rows), [])
        // Runs of 0..<80 (32, 32, 8, 8) and 84..<150 (32, 32; two rows left go alone).
        XCTAssertEqual(warehouse.rowsInsertedInRuns - before, 144)
        XCTAssertEqual(
            try warehouse.query("SELECT id, n FROM silver.all_rows ORDER BY rowid").rows.map { $0[0]! + " " + $0[1]! },
            rows.map { row in
                let values = row.values
                guard case .string(let id) = values["id"], case .int64(let n) = values["n"] else { return "?" }
                return "\(id) \(n)"
            })
    }

    /// Rows go many to a statement, also into tables with a function in an index (their statement
    /// journal stays in memory, `testAStatementJournalOfManyRowsStaysInMemory`), but not where a
    /// trigger or a foreign key writes or checks elsewhere. Asked again after a schema change.
    func testRowsGoManyToAStatementUnlessATriggerOrAForeignKeyReachesElsewhere() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute(
            """
            CREATE TABLE silver.plain (id TEXT NOT NULL PRIMARY KEY, at TIMESTAMP NOT NULL, n INT64 CHECK (n >= 0));
            CREATE INDEX silver.plain_by_at ON plain (at, id);
            CREATE TABLE silver.dated (id TEXT NOT NULL, at TIMESTAMP NOT NULL);
            CREATE INDEX silver.dated_by_day ON dated (date(substr(at, 1, 19), '+5 hours'));
            CREATE TABLE silver.partial (id TEXT NOT NULL, n INT64);
            CREATE INDEX silver.partial_positive ON partial (id) WHERE n > 0;
            CREATE TABLE silver.watched (id TEXT NOT NULL);
            CREATE TABLE silver.log (id TEXT NOT NULL);
            CREATE TRIGGER silver.watched_logged AFTER INSERT ON watched BEGIN INSERT INTO log (id) VALUES (new.id); END;
            CREATE TABLE silver.child (id TEXT NOT NULL REFERENCES plain (id));
            """)
        func many(_ table: String) throws -> Bool { try warehouse.takesManyRows(TableName("silver", table)) }
        XCTAssertTrue(try many("plain"), "plain column indexes, a CHECK on a column")
        XCTAssertTrue(try many("log"))
        XCTAssertTrue(try many("dated"), "an index on an expression")
        XCTAssertTrue(try many("partial"), "a partial index")
        XCTAssertFalse(try many("watched"), "a trigger")
        XCTAssertFalse(try many("child"), "a foreign key")
        try warehouse.execute("CREATE TRIGGER silver.plain_logged AFTER INSERT ON plain BEGIN INSERT INTO log (id) VALUES (new.id); END;")
        XCTAssertFalse(try many("plain"), "asked again after a schema change")
        // And the rows go in all the same, one a statement.
        let rows = (0..<40).map { WarehouseRow(insertId: "\($0)", values: ["id": .string("w\($0)")]) }
        XCTAssertEqual(try warehouse.insert(into: TableName("silver", "watched"), rows: rows), [])
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) FROM silver.log").scalar, "40")
    }

    /// A statement of many rows into a table with an index on a function keeps a statement journal
    /// (SQLite's), holding the pages it changes. At SQLite's 64 KiB it spilled to a temporary file
    /// every transaction, a write a page; kept in memory, rows 32 to a statement into such a table
    /// take the writes they take into the same table without that index (counted by the kernel:
    /// write system calls of this process, `/proc/self/io`).
    func testAStatementJournalOfManyRowsStaysInMemory() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute(
            """
            CREATE TABLE silver.dated (id TEXT NOT NULL, at TIMESTAMP NOT NULL);
            CREATE INDEX silver.dated_by_id ON dated (id);
            CREATE INDEX silver.dated_by_day ON dated (date(substr(at, 1, 19), '+5 hours'));
            CREATE TABLE silver.undated (id TEXT NOT NULL, at TIMESTAMP NOT NULL);
            CREATE INDEX silver.undated_by_id ON undated (id);
            CREATE INDEX silver.undated_by_at ON undated (at);
            """)
        // Ids in no order, so that each statement changes index pages all over a table already
        // holding thousands of rows: what a statement journal has to keep.
        func rows(_ range: Range<Int>) -> [WarehouseRow] {
            range.map {
                let id = String(UInt64($0).multipliedFullWidth(by: 0x9e37_79b9_7f4a_7c15).low, radix: 16)
                return WarehouseRow(insertId: id, values: ["id": .string(id), "at": .timestamp("2025-01-02T03:04:05.000000Z")])
            }
        }
        func writes(_ table: String, _ range: Range<Int>) throws -> Int {
            let before = try Self.writeCalls()
            XCTAssertEqual(try warehouse.insert(into: TableName("silver", table), rows: rows(range)), [])
            return try Self.writeCalls() - before
        }
        for table in ["dated", "undated"] { _ = try writes(table, 0..<20_000) }
        let dated = try writes("dated", 20_000..<22_000)
        let undated = try writes("undated", 20_000..<22_000)
        XCTAssertEqual(warehouse.rowsInsertedInRuns, 44_000, "every row of both tables went many to a statement (a journal to keep)")
        XCTAssertGreaterThan(undated, 100, "the rows were written")
        XCTAssertLessThan(dated, undated + undated / 4, "into the table with an index on a function: \(dated) writes against \(undated)")
    }

    /// Inserts keep the connection's temporary storage in memory (their statement journals);
    /// everything else keeps it on files (a gold pass's temporary tables and sorts grow with the
    /// history it reads). The prepared inserts go on working across the switches.
    func testTemporaryStorageIsMemoryForInsertsAndFilesForTheRest() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute(
            """
            CREATE TABLE silver.dated (id TEXT NOT NULL, at TIMESTAMP NOT NULL);
            CREATE INDEX silver.dated_by_day ON dated (date(substr(at, 1, 19), '+5 hours'));
            """)
        let table = TableName("silver", "dated")
        func rows(_ range: Range<Int>) -> [WarehouseRow] {
            range.map {
                WarehouseRow(insertId: "\($0)", values: ["id": .string("d\($0)"), "at": .timestamp("2025-01-02T03:04:05.000000Z")])
            }
        }
        XCTAssertEqual(try warehouse.insert(into: table, rows: rows(0..<100)), [])
        XCTAssertEqual(try warehouse.query("PRAGMA temp_store").scalar, "0", "a query's: files (SQLite's default)")
        // A pass as gold makes one: a temporary table of a few megabytes, used and dropped.
        try warehouse.executeTransaction(
            """
            CREATE TEMP TABLE staged AS SELECT id || '-' || n AS id, at, randomblob(1000) AS pad
              FROM silver.dated, (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 30) SELECT n FROM k);
            INSERT INTO silver.dated (id, at) SELECT id, at FROM temp.staged WHERE id LIKE '%-1';
            DROP TABLE temp.staged;
            """)
        XCTAssertEqual(try warehouse.insert(into: table, rows: rows(100..<200)), [])
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) FROM silver.dated").scalar, "300")
    }

    /// `syscw` of `/proc/self/io`: how many write system calls this process made.
    private static func writeCalls() throws -> Int {
        let io = try String(contentsOfFile: "/proc/self/io", encoding: .utf8)
        guard let line = io.split(separator: "\n").first(where: { $0.hasPrefix("syscw:") }),
            let count = Int(line.dropFirst("syscw:".count).trimmingCharacters(in: .whitespaces))
        else { throw CocoaError(.fileReadCorruptFile) }
        return count
    }

    /// A query computed aside runs on a second connection while the transaction runs (it sees
    /// what was committed, not the transaction's own rows); its rows land in the transaction,
    /// each value of the storage class the query gave, between `sql` and `then`. A failure anywhere leaves nothing of any of it, and names the table.
    func testRowsComputedAsideLandInTheTransactionTypeForTypeAndAFailureLeavesNothing() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.createDataset("gold")
        try warehouse.execute(
            """
            CREATE TABLE silver.src (n INT64, x FLOAT64, s STRING, t TEXT);
            INSERT INTO silver.src VALUES (1, 0.1, 'a', '2025-01-01'), (2, 1e300, NULL, 'x'), (NULL, -0.0, 'é', NULL);
            CREATE TABLE gold.dst (n INT64, x FLOAT64, s STRING, t TEXT);
            CREATE TABLE gold.log (step INT64);
            """)
        let copy = AsideInsert(
            table: TableName("gold", "dst"), columns: ["n", "x", "s", "t"], query: "SELECT n, x / 3, s, t FROM silver.src ORDER BY rowid")
        let dump = "SELECT quote(n), quote(x), quote(s), quote(t), typeof(n) || typeof(x) || typeof(s) || typeof(t) FROM "
        let expected = try warehouse.query(dump + "(SELECT n, x / 3 AS x, s, t FROM silver.src ORDER BY rowid)").rows
        // The transaction adds a row to silver.src: the query, on the other connection, does not see it.
        try warehouse.executeTransaction(
            "INSERT INTO gold.log VALUES (1); INSERT INTO silver.src VALUES (4, 4.0, 'uncommitted', NULL);", aside: [copy],
            then: "INSERT INTO gold.log SELECT COUNT(*) * 10 FROM gold.dst;")
        XCTAssertEqual(try warehouse.query(dump + "gold.dst ORDER BY rowid").rows, expected, "the rows committed before, value for value")
        XCTAssertEqual(
            try warehouse.query("SELECT step FROM gold.log ORDER BY rowid").rows, [["1"], ["30"]], "then runs after the rows are in")

        let before = try warehouse.query("SELECT (SELECT COUNT(*) FROM gold.dst), (SELECT COUNT(*) FROM gold.log)").rows
        let broken = AsideInsert(table: TableName("gold", "dst"), columns: ["n"], query: "SELECT no_such_column FROM silver.src")
        XCTAssertThrowsError(try warehouse.executeTransaction("INSERT INTO gold.log VALUES (2);", aside: [copy, broken], then: "")) {
            XCTAssertTrue("\($0)".contains("INSERT INTO gold.dst") && "\($0)".contains("no_such_column"), "\($0)")
        }
        XCTAssertThrowsError(
            try warehouse.executeTransaction("INSERT INTO gold.log VALUES (3);", aside: [copy], then: "INSERT INTO gold.nope VALUES (1);"))
        XCTAssertEqual(
            try warehouse.query("SELECT (SELECT COUNT(*) FROM gold.dst), (SELECT COUNT(*) FROM gold.log)").rows, before,
            "neither failed transaction left anything")
    }

    func testConcurrentCallersAreSerialised() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute("CREATE TABLE silver.c (id TEXT NOT NULL, n INT64 NOT NULL);")
        let table = TableName("silver", "c")
        let errors = ErrorList()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                for batch in 0..<10 {
                    let rows = (0..<50).map {
                        WarehouseRow(insertId: "\(worker)-\(batch)-\($0)", values: ["id": .string("\(worker)"), "n": .int64(Int64($0))])
                    }
                    let failures = try warehouse.insert(into: table, rows: rows)
                    if !failures.isEmpty { errors.add("\(failures)") }
                    _ = try warehouse.query("SELECT COUNT(*) FROM silver.c")
                }
            } catch {
                errors.add("\(error)")
            }
        }
        XCTAssertEqual(errors.all, [])
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) FROM silver.c").scalar, "4000")
    }

    func testAnotherProcessSeesCommittedRowsWhileWriting() throws {
        let writer = try warehouse()
        try writer.createDataset("silver")
        try writer.execute("CREATE TABLE silver.w (n INT64 NOT NULL);")
        let reader = try warehouse()
        XCTAssertEqual(try writer.insert(into: TableName("silver", "w"), rows: [WarehouseRow(insertId: "1", values: ["n": .int64(1)])]), [])
        XCTAssertEqual(try reader.query("SELECT COUNT(*) FROM silver.w").scalar, "1")
    }

    func testQueryTakesOneStatementAndNamesTheSQL() throws {
        let warehouse = try warehouse()
        XCTAssertEqual(try warehouse.query("SELECT 1 AS one; ").rows, [["1"]], "a trailing ; is fine")
        XCTAssertThrowsError(try warehouse.query("SELECT 1; SELECT 2")) { XCTAssertTrue("\($0)".contains("one statement"), "\($0)") }
        XCTAssertThrowsError(try warehouse.query("SELECT * FROM silver.absent")) { error in
            XCTAssertTrue("\(error)".contains("no such table: silver.absent"), "\(error)")
            XCTAssertTrue("\(error)".contains("SELECT * FROM silver.absent"), "\(error)")
        }
    }

    func testColumnsOfATableWithAnUnmappedTypeSaysWhatToDeclare() throws {
        let warehouse = try warehouse()
        try warehouse.createDataset("silver")
        try warehouse.execute("CREATE TABLE silver.b (data BLOB);")
        XCTAssertThrowsError(try warehouse.columns(of: TableName("silver", "b"))) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .unsupported)
            XCTAssertTrue("\(error)".contains("NUMERIC_TEXT"), "\(error)")
        }
    }

    func testReservedAndUnsafeDatasetNamesAreRefused() throws {
        let warehouse = try warehouse()
        XCTAssertThrowsError(try warehouse.createDataset("main"))
        XCTAssertThrowsError(try warehouse.createDataset("../etc"))
        XCTAssertThrowsError(try warehouse.createDataset("1abc"))
        XCTAssertThrowsError(try warehouse.insert(into: TableName("silver", "x; DROP"), rows: [WarehouseRow(insertId: "1", values: [:])])) {
            XCTAssertEqual(($0 as? WarehouseError)?.code, .invalidName)
        }
    }

    func testMakeWarehouseOpensSQLiteByURL() throws {
        let opened = try makeWarehouse(url: "sqlite://./nested/w.db", environment: [:], currentDirectory: folder)
        XCTAssertEqual(opened.dialect, .sqlite)
        XCTAssertEqual(opened.url, "sqlite://\(folder)/nested/w.db")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/nested/w.db"))
    }

    /// `--load` chooses BigQuery's load path; asked of SQLite it is a mistake, said as one, for
    /// every command (`sink silver`, `run`, `run --live`) alike.
    func testALoadMethodForSQLiteIsRefusedNamingTheFlag() throws {
        XCTAssertThrowsError(try makeWarehouse(url: "sqlite://./w.db", environment: [:], currentDirectory: folder, load: .storageWrite)) {
            XCTAssertEqual(($0 as? WarehouseError)?.code, .invalidURL)
            XCTAssertTrue("\($0)".contains("--load chooses how rows reach BigQuery"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/w.db"), "nothing is created")
    }
}

/// Strings gathered from several threads.
final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func add(_ value: String) { lock.withLock { values.append(value) } }
    var all: [String] { lock.withLock { values } }
}

import Csqlite
import Foundation
import ShopStreamCore
import Synchronization

/// The embedded warehouse: one SQLite file (`warehouse.db`) plus one file per dataset beside it
/// (`warehouse.silver.db`, `warehouse.gold.db`, …), attached under the dataset's name, so that
/// `SELECT … FROM silver.sales` reads the same in SQLite as in BigQuery.
///
/// - WAL mode on every file (readers never block the writer), a busy timeout for other
///   processes, SQLite's default `synchronous=FULL` (a committed insert survives a power cut;
///   see `Durability` for the other choices).
/// - Thread-safe: one connection, every call serialised behind a lock. Other processes may open
///   the same files; SQLite's locking keeps them consistent.
/// - Types: declare columns with `ColumnType.sqliteTypeName` (NUMERIC is `NUMERIC_TEXT`: exact
///   digits as TEXT; see `SQLiteFunctions` for exact sums). Values come back as `QueryResult`
///   text, canonical by each column's declared type.
/// - `insertId` is not used for de-duplication (neither does the BigQuery emulator; BigQuery's is
///   best effort), so readers de-duplicate.
/// - At most 10 datasets can be attached at once (the limit Debian's SQLite is built with).
/// - Transactions: one per `insert` call. With attached files in WAL mode a transaction is atomic
///   within each file, not across files; an insert touches one table, so one file.
///
/// `@unchecked Sendable`: the connection, its prepared statements and `attached` are used only with
/// `lock` held (the methods below take it; the internals are called with it held).
public final class SQLiteWarehouse: Warehouse, ComputesAside, @unchecked Sendable {
    /// When a commit survives an operating-system crash or a power cut.
    public enum Durability: Sendable {
        /// Each commit waits for the disk (`synchronous=FULL`, SQLite's default in WAL mode).
        case eachCommit
        /// A commit waits for nothing; `makeDurable()` waits for the disk once for every commit
        /// made before it (`synchronous=NORMAL`, then an fdatasync of each file's WAL). For a
        /// writer that acknowledges its input only after `makeDurable()` (the silver sink
        /// commits its offsets so): a power cut loses only commits it had not acknowledged, and
        /// those are read again. SQLite stays consistent either way.
        case onMakeDurable
        /// Nothing is flushed (`synchronous=OFF`): a crash of the process loses nothing
        /// committed, a crash of the system may. For a warehouse the next run replaces.
        case none
    }

    /// How the warehouse waits and names its files.
    public struct Configuration: Sendable {
        /// How long to wait for another process's lock before failing (default 10 s).
        public var busyTimeout: Duration
        /// When a commit survives a power cut (`eachCommit` by default). `none` for a warehouse
        /// the next run replaces (`run`'s ./demo), where the silver sink's ~770 commits of a year
        /// waited ~3.5 s on fdatasync with nothing to protect; `onMakeDurable` for the silver
        /// sink, which makes its rows durable before it commits their offsets.
        public var durability: Durability

        public init(busyTimeout: Duration = .seconds(10), durability: Durability = .eachCommit) {
            self.busyTimeout = busyTimeout
            self.durability = durability
        }
    }

    /// The main database file, absolute.
    public let path: String
    public let configuration: Configuration
    public var url: String { "sqlite://" + path }
    public var dialect: SQLDialect { .sqlite }
    /// 10,000: one insert is one transaction, and a commit writes every page it dirtied to the
    /// WAL. Silver's indexes on random ids (event ids, customer ids) dirty a page a row at 2,000
    /// rows a commit, and the same pages again at the next; at 10,000, with the WAL copied into
    /// the file every 40,000 pages (`SQLiteConnection.checkpointPages`), a 700,000-event backlog
    /// landed ~1.3 s (~15 %) sooner on disk (BENCHMARKS.md, issue 11).
    public var rowsPerInsert: Int { 10_000 }

    private let lock = NSLock()
    private let connection: SQLiteConnection
    private var attached: Set<String> = []
    /// Prepared inserts by table and column list, reused across calls.
    private var insertStatements: [InsertKey: SQLiteStatement] = [:]
    /// Per table, whether its rows go many to a statement (`takesManyRows`), asked once.
    private var manyRowTables: [TableName: Bool] = [:]
    /// Where the connection keeps its temporary storage now (`keepTemporaryStorage`).
    private var temporaryStorage = TemporaryStorage.files
    /// Rows inserted by statements of many rows, since the warehouse was opened (for the tests).
    private var rowsInsertedManyToAStatement = 0
    var rowsInsertedInRuns: Int { lock.withLock { rowsInsertedManyToAStatement } }
    /// `PreparedRows.lengths` of a column bound without text (NULL, INT64, FLOAT64, BOOL) or not in
    /// the statement.
    private static let boundWithoutText = -1
    private static let absent = -2

    /// A prepared insert's identity: the table and which of its columns it sets.
    private struct InsertKey: Hashable {
        var table: TableName
        var columns: UInt64
        var wide: String
        /// Rows a statement inserts (`rowsPerStatement`, or 1).
        var rows: Int
    }

    /// Opens (creating if missing, with its folder) the warehouse whose main file is `path`, and
    /// attaches every dataset file already beside it.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw WarehouseError(.sqlite, "cannot create the folder \(folder) for the SQLite warehouse: \(error.localizedDescription)")
            }
        }
        self.path = path
        self.configuration = configuration
        connection = try SQLiteConnection(path: path, busyTimeout: configuration.busyTimeout, durability: configuration.durability)
        try attachDatasetFiles()
    }

    /// The file that holds `dataset`: `warehouse.silver.db` beside `warehouse.db`.
    public func datasetPath(_ dataset: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + "." + dataset + (ext.isEmpty ? "" : "." + ext)).path
    }

    // MARK: Warehouse

    public func createDataset(_ name: String) throws {
        try Identifier.validateDataset(name)
        try lock.withLock { try attach(name) }
    }

    /// Runs the script as one IMMEDIATE transaction: all of it or none, and two processes applying
    /// the same DDL at once (two sinks starting on one warehouse) take turns at the writer lock
    /// instead of interleaving — DROP VIEW, DROP VIEW, CREATE VIEW, then "view … already exists".
    public func execute(_ sql: String) throws {
        try lock.withLock {
            try keepTemporaryStorage(.files)
            // A schema change can make a cached insert's column list stale, or add an index on
            // an expression.
            insertStatements.removeAll()
            manyRowTables.removeAll()
            try attachDatasetFiles()
            try runInTransaction("BEGIN IMMEDIATE;", sql)
        }
    }

    public func executeTransaction(_ sql: String) throws {
        try lock.withLock {
            try keepTemporaryStorage(.files)
            try attachDatasetFiles()
            // DEFERRED: a lock on each attached file only when the transaction writes it, so a
            // transaction that reads silver and writes gold never blocks the silver sink.
            try runInTransaction("BEGIN DEFERRED;", sql)
        }
    }

    /// The asides' queries run on a second connection to the same files, opened for the call,
    /// while this one runs `sql`: WAL lets both read silver at once, and the rows come back as
    /// SQLite's own values (`SQLiteRows`), type for type. Each query sees what was committed when
    /// it started, never this transaction's changes.
    public func executeTransaction(_ sql: String, aside: [AsideInsert], then: String) throws {
        guard !aside.isEmpty else { return try executeTransaction(sql + "\n" + then) }
        let computed = Mutex<Result<[SQLiteRows], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let (path, configuration) = (self.path, self.configuration)
        _ = startThread(named: "warehouse-aside") {
            let result = Result { () throws -> [SQLiteRows] in
                let other = try SQLiteWarehouse(path: path, configuration: configuration)
                return try aside.map { insert in
                    do {
                        return try other.rows(of: insert.query)
                    } catch let error as WarehouseError {
                        throw WarehouseError(
                            error.code, "INSERT INTO \(insert.table), its query run on a second connection: \(error.message)",
                            sql: insert.query,
                            reason: error.reason)
                    }
                }
            }
            computed.withLock { $0 = result }
            done.signal()
        }
        func waitForAside() throws -> [SQLiteRows] {
            done.wait()
            done.signal()  // for a second wait (after a failure)
            return try computed.withLock { $0! }.get()
        }
        do {
            try lock.withLock {
                try keepTemporaryStorage(.files)
                try attachDatasetFiles()
                try runInTransaction("BEGIN DEFERRED;") {
                    try connection.executeAll(sql)
                    for (insert, rows) in zip(aside, try waitForAside()) {
                        guard rows.width == insert.columns.count else {
                            throw WarehouseError(
                                .query,
                                "the query for \(insert.table) gives \(rows.width) columns; the INSERT names \(insert.columns.count)",
                                sql: insert.query)
                        }
                        let statement = try connection.prepare(Self.insertSQL(insert.table, columns: insert.columns, rows: 1))
                        for row in 0..<rows.count {
                            defer { statement.reset() }
                            try rows.bind(row: row, to: statement)
                            _ = try statement.step()
                        }
                    }
                    try connection.executeAll(then)
                }
            }
        } catch {
            // Not back before the second connection is done with the files.
            _ = try? waitForAside()
            throw error
        }
    }

    /// Every row of one query, as SQLite's values.
    private func rows(of query: String) throws -> SQLiteRows {
        try lock.withLock {
            let statement = try prepareQuery(query)
            let rows = SQLiteRows(width: Int(statement.columnCount))
            while try statement.step() { try rows.append(rowOf: statement) }
            return rows
        }
    }

    /// `sql` between `begin` and COMMIT, rolled back if a statement fails. Called with `lock` held.
    private func runInTransaction(_ begin: String, _ sql: String) throws {
        try runInTransaction(begin) { try connection.executeAll(sql) }
    }

    /// `body` between `begin` and COMMIT, rolled back if it throws. Called with `lock` held.
    private func runInTransaction(_ begin: String, _ body: () throws -> Void) throws {
        try connection.executeAll(begin)
        do {
            try body()
            try connection.executeAll("COMMIT;")
        } catch {
            if connection.isInTransaction { try? connection.executeAll("ROLLBACK;") }
            throw error
        }
    }

    public func query(_ sql: String) throws -> QueryResult {
        var rows: [[String?]] = []
        let columns = try stream(sql) { rows.append($0) }
        return QueryResult(columns: columns, rows: rows)
    }

    public func forEachRow(_ sql: String, _ body: ([String?]) throws -> Void) throws {
        _ = try stream(sql, body)
    }

    /// Steps through one query's rows, handing each to `body`; returns the column names.
    private func stream(_ sql: String, _ body: ([String?]) throws -> Void) throws -> [String] {
        try lock.withLock {
            let statement = try prepareQuery(sql)
            let count = statement.columnCount
            let columns = (0..<count).map { statement.columnName($0) }
            let types = (0..<count).map { statement.declaredType($0) }
            while try statement.step() {
                try body((0..<count).map { statement.text($0, declared: types[Int($0)]) })
            }
            return columns
        }
    }

    /// The one statement of a query, prepared with the dataset files attached. Called with `lock` held.
    private func prepareQuery(_ sql: String) throws -> SQLiteStatement {
        try keepTemporaryStorage(.files)
        try attachDatasetFiles()
        var tail = ""
        guard let statement = try connection.prepareFirst(sql, tail: &tail) else {
            throw WarehouseError(.query, "the query is empty", sql: sql)
        }
        guard SQLStatements.isOnlyComments(tail.replacingOccurrences(of: ";", with: "")) else {
            throw WarehouseError(
                .query,
                "query takes one statement, but the text goes on after \"\(statement.sql.statementPreview)\"; use execute for several",
                sql: sql)
        }
        return statement
    }

    public func columns(of table: TableName) throws -> [Column]? {
        try Identifier.validate(table)
        return try lock.withLock { try columnsLocked(table) }
    }

    /// `onMakeDurable`: flushes the WAL of the main file and of every attached dataset file to
    /// disk, without holding the connection (inserts go on meanwhile): every commit made before
    /// the call then survives a power cut. Otherwise nothing to do (each commit already waited,
    /// or nothing ever does).
    public func makeDurable() throws {
        guard configuration.durability == .onMakeDurable else { return }
        for log in walPaths() { try SQLiteConnection.flushToDisk(log) }
    }

    /// The WAL of the main file and of each attached dataset file (internal for its test).
    func walPaths() -> [String] {
        lock.withLock { (["main"] + attached.sorted()).compactMap { connection.walPath(schema: $0) } }
    }

    /// Inserts every good row in one transaction. A row that is not valid for the table (see
    /// `RowChecker`) or that breaks a constraint (`NOT NULL`, `UNIQUE`, `CHECK`) is that row's
    /// `invalid` failure and the others still go in. A storage failure (disk full, busy past the
    /// timeout) rolls the whole call back and throws: then no row of the call is in.
    ///
    /// The rows are checked and their values gathered (`prepare`) before the lock is taken, so
    /// threads inserting into several tables do that part side by side: only binding and stepping
    /// wait for the one connection.
    public func insert(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] {
        try Identifier.validate(table)
        guard !rows.isEmpty else { return [] }
        let notFound = WarehouseError(.notFound, "table \(table) does not exist in \(url); create it first (shopstream warehouse init)")
        let columns = try lock.withLock {
            try attachDatasetFiles()
            return try columnsLocked(table)
        }
        guard let columns else { throw notFound }
        let prepared = Self.prepare(rows, into: table, columns: columns)
        return try lock.withLock {
            guard let current = try columnsLocked(table) else { throw notFound }
            // The table changed between the two looks (another caller altered it): prepared again.
            let ready = current == columns ? prepared : Self.prepare(rows, into: table, columns: current)
            var failures = ready.failures
            var last: (columns: UInt64, statement: SQLiteStatement)?
            let manyRows = try takesManyRows(table)
            try keepTemporaryStorage(.memory)
            try connection.executeAll("BEGIN IMMEDIATE")
            do {
                try ready.texts.withUnsafeBufferPointer { texts in
                    let batch = Batch(
                        rows: ready.rows, lengths: ready.lengths, width: current.count, texts: texts,
                        parameterLimit: manyRows ? Int(sqlite3_limit(connection.handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) : 0
                    ) { row, column in
                        if let checked = row.checked { return checked[column]! }
                        return rows[row.index].ordered[row.positions[column]]
                    }
                    var k = 0
                    while k < batch.rows.count {
                        let count = batch.run(from: k)
                        if count > 1 {
                            let inserted = try stepRun(batch, k..<(k + count), into: table, columns: current)
                            k += inserted
                            if inserted == count { continue }
                            // SQLite refused row k of the run (the rows before it are in): that
                            // row alone, so that the refusal is its failure, worded as SQLite words it.
                        }
                        if let failure = try step(batch, k, into: table, columns: current, last: &last) { failures.append(failure) }
                        k += 1
                    }
                }
                try connection.executeAll("COMMIT")
            } catch {
                if connection.isInTransaction { try? connection.executeAll("ROLLBACK") }
                throw error
            }
            // The checker's failures and SQLite's, in row order.
            return ready.failures.isEmpty ? failures : failures.sorted { $0.index < $1.index }
        }
    }

    // MARK: Rows made ready outside the lock

    /// A call's rows ready to bind: what needs no connection, done outside the lock.
    private struct PreparedRows {
        /// The text values of every row, one after another, bound in place (SQLite then copies
        /// nothing per value).
        var texts: [UInt8] = []
        /// Per row of `rows`, per column: the byte count of its text in `texts` (in column order),
        /// `boundWithoutText` (NULL, INT64, FLOAT64, BOOL) or `absent` (not in the statement).
        var lengths: [Int] = []
        var rows: [PreparedRow] = []
        /// The rows the checker refused.
        var failures: [RowFailure] = []
    }

    private struct PreparedRow {
        /// Its index in the call.
        var index: Int
        var insertId: String
        /// The columns it gives, as bits.
        var bits: UInt64
        /// Where its texts begin in `PreparedRows.texts`.
        var textStart: Int
        /// A checked row's values in column order; nil for a trusted row, whose column `c` is
        /// `ordered[positions[c]]` of the call's row.
        var checked: [WarehouseValue?]?
        var positions: [Int]
    }

    /// Checks and gathers `rows` for `columns`. A row whose layout promises canonical values is
    /// taken straight from them; the checker takes any row that needs more than a look at each
    /// value's type.
    private static func prepare(_ rows: [WarehouseRow], into table: TableName, columns: [Column]) -> PreparedRows {
        let checker = RowChecker(table: table, columns: columns)
        var out = PreparedRows()
        out.lengths.reserveCapacity(rows.count * columns.count)
        out.rows.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            let textStart = out.texts.count
            if let positions = checker.trustedPositions(of: row),
                let bits = collect(row.ordered, positions, columns, into: &out.texts, lengths: &out.lengths)
            {
                out.rows.append(
                    PreparedRow(index: index, insertId: row.insertId, bits: bits, textStart: textStart, checked: nil, positions: positions))
                continue
            }
            switch checker.check(row, index: index) {
            case .failure(let box):
                out.failures.append(box.failure)
            case .success(let checked):
                let bits = collect(checked.values, into: &out.texts, lengths: &out.lengths)
                out.rows.append(
                    PreparedRow(
                        index: index, insertId: checked.insertId, bits: bits, textStart: textStart, checked: checked.values, positions: []))
            }
        }
        return out
    }

    /// Appends a checked row's values to `texts` and `lengths`; returns the set of columns it
    /// gives, as bits.
    private static func collect(_ values: [WarehouseValue?], into texts: inout [UInt8], lengths: inout [Int]) -> UInt64 {
        var bits: UInt64 = 0
        for (index, value) in values.enumerated() {
            guard let value else { lengths.append(Self.absent); continue }
            if index < 64 { bits |= 1 << UInt64(index) }
            append(value.boundText, to: &texts, lengths: &lengths)
        }
        return bits
    }

    /// `collect` for a trusted row (`RowChecker.trustedPositions`), column `c` at `values[positions[c]]`
    /// (-1: none), each value taken as it is when of the column's type (NULL only where the column
    /// takes it) or, NUMERIC, in its shortest form
    /// (`RowChecker.canonicalNumeric`: "2299.00" as "2299"). Nil when any value needs the checker
    /// (its failure is then worded there): nothing of this row is kept. Every value of every silver
    /// row comes through here: matched on its column's type and its own in one switch, read in
    /// place, its bytes copied from the string's storage (a copy of each value, its text taken
    /// out as an optional and copied again cost ~250 instructions a value).
    private static func collect(
        _ values: [WarehouseValue], _ positions: [Int], _ columns: [Column], into texts: inout [UInt8], lengths: inout [Int]
    ) -> UInt64? {
        let (textCount, lengthCount) = (texts.count, lengths.count)
        var bits: UInt64 = 0
        let taken = values.withUnsafeBufferPointer { values -> Bool in
            for (index, column) in columns.enumerated() {
                let position = positions[index]
                guard position >= 0 else {
                    guard column.nullable else { return false }
                    lengths.append(Self.absent)
                    continue
                }
                if index < 64 { bits |= 1 << UInt64(index) }
                switch (column.type, values[position]) {
                case (.string, .string(let text)), (.date, .date(let text)), (.timestamp, .timestamp(let text)):
                    append(text, to: &texts, lengths: &lengths)
                case (.numeric, .numeric(let given)):
                    guard let canonical = RowChecker.canonicalNumeric(given) else { return false }
                    append(canonical, to: &texts, lengths: &lengths)
                case (_, .null):
                    guard column.nullable else { return false }
                    lengths.append(Self.boundWithoutText)
                case (.int64, .int64), (.float64, .float64), (.bool, .bool):
                    lengths.append(Self.boundWithoutText)
                default:
                    return false
                }
            }
            return true
        }
        guard taken else {
            texts.removeSubrange(textCount...)
            lengths.removeSubrange(lengthCount...)
            return nil
        }
        return bits
    }

    /// One column's value into the row's buffers: its text's bytes, or `boundWithoutText`.
    private static func append(_ text: String?, to texts: inout [UInt8], lengths: inout [Int]) {
        guard let text else { return lengths.append(Self.boundWithoutText) }
        append(text, to: &texts, lengths: &lengths)
    }

    /// A text's bytes into the row's buffers, read from the string's own storage.
    @inline(__always)
    private static func append(_ text: String, to texts: inout [UInt8], lengths: inout [Int]) {
        let utf8 = text.utf8
        if utf8.withContiguousStorageIfAvailable({ texts.append(contentsOf: $0) }) == nil { texts.append(contentsOf: utf8) }
        lengths.append(utf8.count)
    }

    // MARK: Called with the lock held

    /// A call's prepared rows as the statements read them: row `k`'s lengths are
    /// `lengths[k * width ..< (k + 1) * width]`, its texts in `texts` from its `textStart`, and
    /// `value(row, c)` is its column `c` where that is bound without text.
    private struct Batch {
        let rows: [PreparedRow]
        let lengths: [Int]
        let width: Int
        let texts: UnsafeBufferPointer<UInt8>
        /// The most parameters SQLite takes in one statement (32,766 since 3.32, 999 before); 0
        /// for a table whose rows go one a statement (`takesManyRows`).
        let parameterLimit: Int
        let value: (PreparedRow, Int) -> WarehouseValue

        func lengths(of k: Int) -> ArraySlice<Int> { lengths[(k * width)..<((k + 1) * width)] }

        /// How many rows from `k` on go in one statement: a run of rows giving the same columns,
        /// cut to the largest of `rowsPerStatement` it fills within SQLite's parameter limit. 1
        /// when it fills none, when the table is wider than 64 columns (its rows have no column
        /// bits to compare), or when the row gives no column (`DEFAULT VALUES` is one row).
        func run(from k: Int) -> Int {
            guard width <= 64, parameterLimit > 0, rows[k].bits != 0 else { return 1 }
            let most = SQLiteWarehouse.rowsPerStatement[0]
            var end = k + 1
            while end < rows.count, end - k < most, rows[end].bits == rows[k].bits { end += 1 }
            return SQLiteWarehouse.rowsPerStatement.first { $0 <= end - k && $0 * width <= parameterLimit } ?? 1
        }
    }

    /// Rows one INSERT takes at once (`VALUES (…), (…), …`), largest first; what is left of a run
    /// goes one row a statement. Per row, SQLite then opens the table's and indexes' cursors, ends
    /// the statement and seeks the table's last rowid once a statement rather than once a row:
    /// silver.sales' rows cost sqlite3_step 30,400 instructions one a statement, 21,800 eight and
    /// 20,800 thirty-two to a statement (callgrind, 16,000 of a year's rows, its four indexes).
    static let rowsPerStatement = [32, 8]

    /// Where SQLite keeps a connection's temporary storage: its statement journals, temporary
    /// tables and the sorts that outgrow the page cache (`PRAGMA temp_store`).
    private enum TemporaryStorage {
        /// Temporary files, SQLite's default: what grows with the data stays on disk.
        case files
        /// Memory only: nothing spills to a file, however large.
        case memory
    }

    /// Puts the connection's temporary storage where the work at hand wants it, if it is not there
    /// already. Inserts want memory: a statement of many rows into a table with a function in an
    /// index keeps a statement journal (`takesManyRows`), the pages it changes, which SQLite spills
    /// to a temporary file past 64 KiB, every transaction. Everything else wants files: a gold
    /// pass's temporary tables and sorts grow with the history it reads. A switch drops the
    /// connection's temporary tables (a gold pass makes and drops its own within one call) and
    /// has its prepared statements prepared again at their next step; it comes when the work
    /// changes kind (a gold pass, a query between inserts), not with every insert.
    ///
    /// Not SQLite's process-wide `SQLITE_CONFIG_STMTJRNL_SPILL`, which keeps every statement
    /// journal (and a temporary table's rollback journal) in memory up to a size: on SQLite
    /// 3.40.1 a memory journal set to spill past ~128 KiB fails with SQLITE_FULL when it does
    /// spill (a temporary table of 20 MB dropped, an UPDATE of 20 MB; with 4 MiB `run --days 365`
    /// failed on gold's `DROP TABLE temp.sales_once`), where one in memory only never spills.
    /// Called with `lock` held, outside a transaction.
    private func keepTemporaryStorage(_ place: TemporaryStorage) throws {
        guard place != temporaryStorage else { return }
        _ = try connection.prepare("PRAGMA temp_store = \(place == .memory ? "MEMORY" : "DEFAULT")").step()
        temporaryStorage = place
    }

    /// Whether rows of `table` go many to a statement: not when a trigger or a foreign key writes
    /// or checks elsewhere (not measured; their statement journals grow with what they touch
    /// there). A statement of many rows into a table with a function in an index (on an
    /// expression, or a partial index's WHERE: silver.payments' and silver.inventory's Pakistan
    /// dates) needs a statement journal whatever its conflict clause (a row may fail midway for
    /// another reason than a constraint); inserts keep it in memory (`keepTemporaryStorage`). On
    /// a temporary file it was written every transaction: 16,049 writes against 3,371 for
    /// silver.payments' rows one a statement, so those tables went one row a statement; in
    /// memory, 32 to a statement cost silver.payments ~9 % fewer instructions in `sqlite3_step`
    /// than one, and the same writes (`benchmarks/rows-per-statement.sh`). Not seen here: a
    /// function in a CHECK constraint or a generated column (the journal is the same). Asked once
    /// a table, and again after `execute`. Called with `lock` held (internal, not private, for
    /// its test).
    func takesManyRows(_ table: TableName) throws -> Bool {
        if let known = manyRowTables[table] { return known }
        let dataset = Identifier.quoted(table.dataset)
        let name = Identifier.quoted(table.table)
        var plain = try !connection.prepare("PRAGMA \(dataset).foreign_key_list(\(name))").step()
        if plain {
            let triggers = try connection.prepare("SELECT 1 FROM \(dataset).sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
            try triggers.bind(text: table.table, at: 1)
            if try triggers.step() { plain = false }
        }
        manyRowTables[table] = plain
        return plain
    }

    /// Inserts rows `range` of `batch` (all giving the same columns) in one `INSERT OR FAIL`, and
    /// returns how many went in: all of them, or the rows before the first that SQLite refused for
    /// a constraint (FAIL keeps them, and checks a row's constraints before writing any of it).
    /// Not ABORT: to undo a statement of many rows SQLite keeps a statement journal, which spilled
    /// to a temporary file every transaction and tripled the writes (pwrite64: 348,148 against
    /// 108,888 one row a statement, 50,000 rows). Anything else throws. Called with `lock` held.
    private func stepRun(_ batch: Batch, _ range: Range<Int>, into table: TableName, columns: [Column]) throws -> Int {
        let statement = try insertStatement(
            table, columns, lengths: batch.lengths(of: range.lowerBound), bits: batch.rows[range.lowerBound].bits, rows: range.count)
        let inserted: Int
        do {
            defer { statement.reset() }
            var parameter: Int32 = 1
            for k in range { try bind(batch, k, to: statement, from: &parameter) }
            _ = try statement.step()
            inserted = range.count
        } catch let error as WarehouseError where error.reason?.hasPrefix("SQLITE_CONSTRAINT") == true {
            inserted = Int(sqlite3_changes(connection.handle))
        }
        rowsInsertedManyToAStatement += inserted
        return inserted
    }

    /// Inserts row `k` of `batch`: its texts are read from `texts` in place, its lengths say which
    /// columns it gives and how. A constraint SQLite refuses is the row's failure; anything else
    /// throws. Called with `lock` held.
    /// `last`: the statement of the previous row inserted alone and its column set (a batch's rows
    /// usually give the same columns, so most rows need no look-up at all).
    private func step(
        _ batch: Batch, _ k: Int, into table: TableName, columns: [Column], last: inout (columns: UInt64, statement: SQLiteStatement)?
    ) throws -> RowFailure? {
        let row = batch.rows[k]
        // The statement for this table and set of columns, found without building its text: the
        // set as bits (tables wider than 64 columns use the names).
        let statement: SQLiteStatement
        let narrow = columns.count <= 64
        if narrow, let last, last.columns == row.bits {
            statement = last.statement
        } else {
            statement = try insertStatement(table, columns, lengths: batch.lengths(of: k), bits: row.bits, rows: 1)
            if narrow { last = (row.bits, statement) }
        }
        do {
            defer { statement.reset() }
            var parameter: Int32 = 1
            try bind(batch, k, to: statement, from: &parameter)
            _ = try statement.step()
            return nil
        } catch let error as WarehouseError where error.reason?.hasPrefix("SQLITE_CONSTRAINT") == true {
            // SQLite undid this one statement; the transaction and the other rows go on.
            let column = error.message.range(of: #"\.([A-Za-z_][A-Za-z0-9_]*)"#, options: .regularExpression)
                .map { String(error.message[$0].dropFirst()) }
            return RowFailure(
                index: row.index, reason: "invalid",
                message: "\(table) row \(row.index) (insertId \(row.insertId)): \(error.message)", retryable: false, location: column)
        }
    }

    /// Binds row `k` of `batch` to `statement`'s parameters from `parameter` on, and moves
    /// `parameter` past them.
    private func bind(_ batch: Batch, _ k: Int, to statement: SQLiteStatement, from parameter: inout Int32) throws {
        let row = batch.rows[k]
        var offset = row.textStart
        for (column, count) in batch.lengths(of: k).enumerated() where count != Self.absent {
            if count >= 0 {
                try statement.bind(textBytes: UnsafeBufferPointer(rebasing: batch.texts[offset..<(offset + count)]), at: parameter)
                offset += count
            } else {
                try statement.bind(batch.value(row, column), at: parameter)
            }
            parameter += 1
        }
    }

    /// The prepared INSERT of `rows` rows into `table` for the columns a row of these `lengths`
    /// gives (`bits`), made once and kept.
    private func insertStatement(_ table: TableName, _ columns: [Column], lengths: ArraySlice<Int>, bits: UInt64, rows: Int) throws
        -> SQLiteStatement
    {
        func names() -> [String] { columns.indices.filter { lengths[lengths.startIndex + $0] != Self.absent }.map { columns[$0].name } }
        let key = InsertKey(table: table, columns: bits, wide: columns.count > 64 ? names().joined(separator: ",") : "", rows: rows)
        if let cached = insertStatements[key] { return cached }
        let statement = try connection.prepare(Self.insertSQL(table, columns: names(), rows: rows))
        insertStatements[key] = statement
        return statement
    }

    /// `INSERT INTO table (columns) VALUES (?, …)`, with `rows` rows of parameters (`OR FAIL` for
    /// more than one: `stepRun`); `DEFAULT VALUES` for no column.
    private static func insertSQL(_ table: TableName, columns: [String], rows: Int) -> String {
        let target = Identifier.quoted(table.dataset) + "." + Identifier.quoted(table.table)
        guard !columns.isEmpty else { return "INSERT INTO \(target) DEFAULT VALUES" }
        let marks = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT\(rows > 1 ? " OR FAIL" : "") INTO \(target) (\(columns.map(Identifier.quoted).joined(separator: ", "))) VALUES "
            + Array(repeating: marks, count: rows).joined(separator: ", ")
    }

    private func columnsLocked(_ table: TableName) throws -> [Column]? {
        guard attached.contains(table.dataset) || (try? attachExisting(table.dataset)) == true else { return nil }
        let statement = try connection.prepare("PRAGMA \(Identifier.quoted(table.dataset)).table_info(\(Identifier.quoted(table.table)))")
        var columns: [Column] = []
        while try statement.step() {
            let name = statement.rawText(1) ?? ""
            let declared = statement.rawText(2) ?? ""
            guard let type = ColumnType(sqliteDeclaredType: declared) else {
                throw WarehouseError(
                    .unsupported,
                    "\(table) column \(name) is declared \"\(declared)\", which maps to no warehouse type; declare it as one of \(ColumnType.allCases.map(\.sqliteTypeName).joined(separator: ", "))"
                )
            }
            columns.append(Column(name, type, nullable: statement.int64(3) == 0))
        }
        return columns.isEmpty ? nil : columns
    }

    /// Attaches the dataset's file, creating it if missing.
    private func attach(_ dataset: String) throws {
        guard !attached.contains(dataset) else { return }
        guard !["main", "temp"].contains(dataset.lowercased()) else {
            throw WarehouseError(.invalidName, "dataset name \"\(dataset)\" is reserved by SQLite; choose another")
        }
        let file = datasetPath(dataset)
        let statement = try connection.prepare("ATTACH DATABASE ? AS \(Identifier.quoted(dataset))")
        try statement.bind(text: file, at: 1)
        do {
            _ = try statement.step()
        } catch let error as WarehouseError where error.message.contains("too many attached databases") {
            throw WarehouseError(
                .sqlite,
                "cannot attach dataset \(dataset): SQLite attaches at most \(sqlite3_limit(connection.handle, SQLITE_LIMIT_ATTACHED, -1)) datasets at once (\(attached.sorted().joined(separator: ", ")) are attached); use fewer datasets",
                reason: error.reason)
        }
        attached.insert(dataset)
        try connection.setWAL(schema: dataset)
    }

    /// Attaches `dataset` only if its file exists; true when it is attached afterwards.
    private func attachExisting(_ dataset: String) throws -> Bool {
        guard Identifier.problem(dataset, what: "dataset") == nil, FileManager.default.fileExists(atPath: datasetPath(dataset)) else {
            return false
        }
        try attach(dataset)
        return true
    }

    /// Attaches every `STEM.DATASET.EXT` file beside the main file not attached yet (another
    /// process may have created a dataset since this one opened).
    private func attachDatasetFiles() throws {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? []
        for name in names.sorted() where name.hasPrefix(stem) && name.hasSuffix(ext) && name.count > stem.count + ext.count {
            let dataset = String(name.dropFirst(stem.count).dropLast(ext.count))
            if !attached.contains(dataset), Identifier.problem(dataset, what: "dataset") == nil,
                !["main", "temp"].contains(dataset.lowercased())
            {
                try attach(dataset)
            }
        }
    }
}

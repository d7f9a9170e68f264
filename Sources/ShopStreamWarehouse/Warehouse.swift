import ShopStreamCore
import ShopStreamHTTP

/// A place silver and gold tables live: BigQuery (`BigQueryWarehouse`) or an embedded SQLite file
/// (`SQLiteWarehouse`). Dataset-qualified names (`silver.sales`) mean the same table in both.
///
/// Every method blocks the calling thread (network or disk): call it from a thread of your own,
/// not from Swift concurrency's cooperative pool. Implementations are thread-safe: SQLite
/// serialises calls on its one connection, BigQuery sends them in parallel over a pool of
/// connections.
public protocol Warehouse: AnyObject, Sendable {
    /// `bigquery://PROJECT[?location=L]` or `sqlite:///ABSOLUTE/PATH.db`.
    var url: String { get }
    /// The SQL the warehouse speaks.
    var dialect: SQLDialect { get }

    /// Runs DDL or DML: one statement or several, each ending with `;` at the end of a line.
    /// Statements run in order; the first that fails stops the rest and throws, naming it.
    func execute(_ sql: String) throws

    /// Runs several DML statements as one transaction: every change takes effect, or none
    /// (the error names the statement that failed). Readers see the state before or after,
    /// never between. SQLite: BEGIN … COMMIT on the one connection; BigQuery: one
    /// multi-statement script job, BEGIN TRANSACTION … COMMIT TRANSACTION.
    func executeTransaction(_ sql: String) throws

    /// Runs one query and returns every row (all pages), as text (see `QueryResult`).
    func query(_ sql: String) throws -> QueryResult

    /// Runs one query and hands each row to `body` as it is read (text, as in `QueryResult`),
    /// holding at most a page of the result at a time: for results too large to hold whole.
    /// `body` must not call the warehouse (SQLite holds its connection while rows are read).
    func forEachRow(_ sql: String, _ body: ([String?]) throws -> Void) throws

    /// Streams rows into an existing table. Returns the rows that are not in it (empty: all
    /// are); a bad row never stops the good ones. Each row is checked against the table's
    /// columns first: an unknown column, a value of the wrong type or a missing required value
    /// is that row's `invalid` failure. Throws only when nothing could be inserted for a reason a
    /// person must fix (no such table, no permission, quota used up, the warehouse unreachable).
    func insert(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure]

    /// How many rows one `insert` had best carry when a stream has more to give: what a streaming
    /// writer (the silver sink) batches up to by default.
    var rowsPerInsert: Int { get }

    /// Makes every insert that returned before the call survive a power cut: what a writer calls
    /// before it acknowledges the rows' source (the silver sink, before it commits offsets).
    /// BigQuery's inserts are durable when they return, and so is a SQLite warehouse's by default:
    /// nothing to do; a SQLite warehouse opened `onMakeDurable` flushes its logs here instead of at
    /// every commit.
    func makeDurable() throws

    /// The table's columns in order, or nil when there is no such table (or dataset).
    func columns(of table: TableName) throws -> [Column]?

    /// Creates the dataset if it is missing (a BigQuery dataset; a SQLite file beside the main
    /// one, attached under the dataset's name).
    func createDataset(_ name: String) throws

    /// The HTTP requests retried since the last call (none for an embedded warehouse).
    func takeRetries() -> RetrySummary

    /// From now on `stop` ends the warehouse's waits early: once it asks `.abandon`, a call
    /// waiting to retry (or for a job) sends nothing more and throws `.stopped`, naming what it
    /// was waiting out. For a sink given a warehouse built before its stop existed. Replaces a stop
    /// given before. An embedded warehouse has no such waits (SQLite's busy timeout is short) and
    /// ignores it.
    func interruptWaits(on stop: StopSignal)
}

extension Warehouse {
    public func takeRetries() -> RetrySummary { RetrySummary() }

    public func makeDurable() throws {}

    /// 2,000: BigQuery's client splits them into requests of its own size.
    public var rowsPerInsert: Int { 2000 }

    public func interruptWaits(on stop: StopSignal) {}

    public func forEachRow(_ sql: String, _ body: ([String?]) throws -> Void) throws {
        for row in try query(sql).rows { try body(row) }
    }
}

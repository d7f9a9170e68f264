import Foundation
import ShopStreamCore
import ShopStreamHTTP
import Synchronization

/// BigQuery as a `Warehouse`: DDL and DML through jobs with client-chosen ids, queries through
/// `jobs.query`, rows through the Storage Write API (committed streams with offsets: each append
/// lands at most once; `StorageWriteLoader`) or the legacy `tabledata.insertAll` (`LoadMethod`),
/// each row checked against the table's schema first (read once per table and cached until the
/// next `execute`).
///
/// Thread-safe: calls run in parallel over the client's connection pool.
public final class BigQueryWarehouse: Warehouse, Sendable {
    public let client: BigQueryClient
    public var url: String {
        "bigquery://" + client.project + (client.configuration.location.map { "?location=" + $0 } ?? "")
    }
    public var dialect: SQLDialect { .bigquery }

    /// Table schemas read, for checking rows before an insert.
    private let schemas = Mutex<[TableName: [Column]]>([:])

    /// The Storage Write loader resends through `client`, so one stop covers both.
    public func interruptWaits(on stop: StopSignal) { client.interruptWaits(on: stop) }

    public func takeRetries() -> RetrySummary {
        var retries = client.takeRetries()
        if let loader { retries.merge(loader.client.takeRetries()) }
        return retries
    }

    /// How rows get in.
    public var load: LoadMethod { loader == nil ? .insertAll : .storageWrite }
    let loader: StorageWriteLoader?

    /// Inserts through `writer` (the Storage Write API) when given, else through insertAll.
    public init(client: BigQueryClient, writer: StorageWriteClient? = nil) {
        self.client = client
        loader = writer.map { StorageWriteLoader(client: $0, bigQuery: client) }
        serialized = writer != nil && client.configuration.internalErrorIsPermanent
    }

    /// bqemulator 1.4.0 runs its REST API and its Storage Write API on one DuckDB connection from
    /// two threads, and deadlocks when a query and an append meet (both threads wait in
    /// `DuckDBEngine.execute` for good, REST and gRPC alike; seen in StorageWriteCrashTests).
    /// Beside the emulator with storage-write, every call of this process takes this one lock, so
    /// this process never sends both at once. Other processes on the same emulator are not covered:
    /// that is why storage-write is not the default beside an emulator.
    private let serialized: Bool
    private static let emulatorLock = NSRecursiveLock()

    private func one<T>(_ body: () throws -> T) rethrows -> T {
        guard serialized else { return try body() }
        Self.emulatorLock.lock()
        defer { Self.emulatorLock.unlock() }
        return try body()
    }

    /// Endpoint and credentials from the environment (see `BigQueryClient.init(project:location:environment:http:)`);
    /// the Storage Write API at Google, or at `BIGQUERY_STORAGE_EMULATOR_HOST` beside an emulator.
    /// `load` nil is storage-write at Google and insert-all beside an emulator, where storage-write
    /// must be asked for (`serialized` says why).
    public convenience init(
        project: String, location: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClientConfiguration = HTTPClientConfiguration(), load: LoadMethod? = nil
    ) throws {
        let client = try BigQueryClient(project: project, location: location, environment: environment, http: http)
        let emulated = BigQueryClient.Configuration.emulatorEndpoint(environment: environment) != nil
        switch load ?? (emulated ? .insertAll : .storageWrite) {
        case .insertAll:
            self.init(client: client)
        case .storageWrite:
            guard
                let writeEndpoint = emulated
                    ? StorageWriteClient.emulatorEndpoint(environment: environment) : StorageWriteClient.googleEndpoint
            else {
                throw WarehouseError(
                    .invalidURL,
                    "the Storage Write API of the BigQuery emulator is not known: set BIGQUERY_STORAGE_EMULATOR_HOST to its gRPC address (bqemulator's --grpc-port, e.g. 127.0.0.1:9060; scripts/emulators start prints it), or load with insert-all"
                )
            }
            self.init(
                client: client,
                writer: StorageWriteClient(project: project, endpoint: writeEndpoint, credentials: client.credentials, http: http))
        }
    }

    public func createDataset(_ name: String) throws {
        try one { _ = try client.createDataset(name) }
    }

    /// Each statement (split where `;` ends a line) runs as its own job, so a failure names the
    /// statement and a resend never repeats one that finished.
    public func execute(_ sql: String) throws {
        try one { try executeStatements(sql) }
    }

    private func executeStatements(_ sql: String) throws {
        defer { schemas.withLock { $0.removeAll() } }
        let statements = SQLStatements.split(sql)
        for (number, statement) in statements.enumerated() {
            do {
                try client.runJob(statement)
            } catch let error as WarehouseError where statements.count > 1 {
                throw WarehouseError(
                    error.code, "statement \(number + 1) of \(statements.count): " + error.message, sql: statement, reason: error.reason,
                    http: error.http)
            }
        }
    }

    public func executeTransaction(_ sql: String) throws {
        // One script job: BigQuery keeps a transaction within a script, not across jobs.
        try one { try client.runJob("BEGIN TRANSACTION;\n" + sql + "\nCOMMIT TRANSACTION;") }
    }

    public func query(_ sql: String) throws -> QueryResult {
        try one { try client.query(sql) }
    }

    public func forEachRow(_ sql: String, _ body: ([String?]) throws -> Void) throws {
        _ = try one { try client.query(sql, eachRow: body) }
    }

    public func columns(of table: TableName) throws -> [Column]? {
        let columns = try one { try client.table(table)?.columns }
        schemas.withLock { $0[table] = columns }
        return columns
    }

    /// The write streams this warehouse appends to now, one per table it inserted into (for tests).
    func streamNames() -> [String] { loader?.streamNames() ?? [] }

    /// For tests: drops the answers to the next `count` appends after the service took them.
    func loseAnswers(_ count: Int) { loader?.answersToLose.withLock { $0 = count } }

    public func insert(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] {
        try one { try insertRows(into: table, rows: rows) }
    }

    private func insertRows(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] {
        guard !rows.isEmpty else { return [] }
        let cached = schemas.withLock { $0[table] }
        guard let columns = try cached ?? self.columns(of: table) else {
            throw WarehouseError(.notFound, "table \(table) does not exist in \(url); create it first (shopstream warehouse init)")
        }
        let checker = RowChecker(table: table, columns: columns)
        var failures: [RowFailure] = []
        var good: [WarehouseRow] = []
        var checkedValues: [[WarehouseValue?]] = []
        var positions: [Int] = []
        for (index, row) in rows.enumerated() {
            switch checker.check(row, index: index) {
            case .failure(let box):
                failures.append(box.failure)
            case .success(let checked) where loader != nil:
                checkedValues.append(checked.values)
                positions.append(index)
            case .success(let checked):
                var values: [String: WarehouseValue] = [:]
                for (position, value) in checked.values.enumerated() {
                    if let value { values[columns[position].name] = value }
                }
                good.append(WarehouseRow(insertId: row.insertId, values: values))
                positions.append(index)
            }
        }
        if let loader {
            failures += try loader.insert(into: table, columns: columns, rows: checkedValues, positions: positions)
            return failures.sorted { $0.index < $1.index }
        }
        failures += try client.insertAll(into: table, rows: good, positions: positions)
        if failures.contains(where: { $0.message.contains("no such field") }) {
            // The table changed under us: read its schema afresh next time.
            schemas.withLock { _ = $0.removeValue(forKey: table) }
        }
        return failures.sorted { $0.index < $1.index }
    }
}

/// How rows reach a BigQuery table.
public enum LoadMethod: String, Sendable, CaseIterable {
    /// The Storage Write API: committed streams with offsets, exactly once per append; about half
    /// insertAll's price (the first 2 TiB a month free).
    case storageWrite = "storage-write"
    /// The legacy `tabledata.insertAll`: best-effort de-duplication by `insertId`.
    case insertAll = "insert-all"
}

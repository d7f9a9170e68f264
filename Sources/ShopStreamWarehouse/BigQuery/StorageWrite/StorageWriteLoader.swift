import Foundation
import ShopStreamHTTP
import Synchronization

/// Rows into BigQuery through the Storage Write API, each append landing at most once.
///
/// Per table, one COMMITTED write stream, opened on the first insert and kept: rows are visible
/// as soon as an append is acknowledged, as with insertAll. Every append names its offset in the
/// stream (the rows this loader appended to it before), so a resend — after a lost answer, a
/// dropped connection, libcurl's own resend on a dead keep-alive connection, UNAVAILABLE — either
/// lands at that offset or is answered ALREADY_EXISTS, which means the first send landed: never
/// twice. insertAll's `insertId` is only a best-effort de-duplication for about a minute (and the
/// emulator ignores it).
///
/// What this does not cover, and who does: rows of a process that died, read again after a
/// restart, go to a new stream; the silver sink reads back what silver already holds past the
/// committed offsets before it inserts them again (SilverSink's header comment has the protocol).
///
/// A stream the service no longer knows (NOT_FOUND: bqemulator keeps streams in memory and forgets
/// them when it restarts) or will not take more rows (FAILED_PRECONDITION: finalized; OUT_OF_RANGE:
/// it holds fewer rows than we appended) refused the whole append, so the rows go to a new stream.
/// If an earlier send of the same append got no answer and the stream is gone, that send may have
/// landed: this cannot be told apart, is logged by the caller's retry count, and needs a stream
/// lost in the seconds of one append.
///
/// A request the service refuses as invalid is split in halves until the bad rows stand alone,
/// each reported as its row's `invalid` failure while the good rows go in (as insertAll does);
/// per-row errors, where the service returns them, are the rows' failures at once.
final class StorageWriteLoader: Sendable {
    let client: StorageWriteClient
    /// Retries and their counting: the BigQuery client's one budget and policy.
    let bigQuery: BigQueryClient
    private let tables = Mutex<[TableName: TableStream]>([:])
    /// For tests: the answers to this many next appends are dropped after the service took them,
    /// as a connection dying at that moment would.
    let answersToLose = Mutex(0)

    /// One table's stream. Appends to it are serialized: offsets are a sequence.
    private final class TableStream: @unchecked Sendable {
        // @unchecked: every field is read and written only while `lock` is held.
        let lock = NSLock()
        var name: String?
        var next: Int64 = 0
        var schema: ProtoRowSchema?
    }

    init(client: StorageWriteClient, bigQuery: BigQueryClient) {
        self.client = client
        self.bigQuery = bigQuery
    }

    /// The streams in use, one per table appended to.
    func streamNames() -> [String] {
        tables.withLock { Array($0.values) }.compactMap { stream in
            stream.lock.lock()
            defer { stream.lock.unlock() }
            return stream.name
        }.sorted()
    }

    /// Limits of one AppendRows request (BigQuery refuses more than 10 MB).
    static let maxRequestBytes = 9_000_000
    static let maxRowsPerRequest = 10_000

    /// Appends checked rows (values in `columns` order) to `table`; `positions[i]` is row i's
    /// index in the caller's insert. Returns the rows that are not in the table.
    func insert(into table: TableName, columns: [Column], rows: [[WarehouseValue?]], positions: [Int]) throws -> [RowFailure] {
        let stream = tables.withLock { tables in
            if let s = tables[table] { return s }
            let s = TableStream()
            tables[table] = s
            return s
        }
        stream.lock.lock()
        defer { stream.lock.unlock() }
        if stream.schema?.columns != columns {
            stream.schema = ProtoRowSchema(messageName: table.table + "_row", columns: columns)
        }
        let schema = stream.schema!
        // Room in a request for the rows, after the writer schema and the envelope.
        let room = Self.maxRequestBytes - schema.descriptor.count - 512
        var failures: [RowFailure] = []
        var chunk: [(index: Int, bytes: [UInt8])] = []
        var chunkBytes = 0
        for (values, index) in zip(rows, positions) {
            guard let bytes = schema.encode(values) else {
                failures.append(
                    RowFailure(
                        index: index, reason: "invalid", message: "\(table) row \(index): a DATE or TIMESTAMP value cannot be encoded",
                        retryable: false))
                continue
            }
            if bytes.count + 16 > room {
                failures.append(
                    RowFailure(
                        index: index, reason: "invalid",
                        message:
                            "\(table) row \(index) is \(bytes.count) bytes, more than one AppendRows request may carry; shorten its values",
                        retryable: false))
                continue
            }
            if !chunk.isEmpty
                && (chunk.count >= Self.maxRowsPerRequest
                    || chunkBytes + bytes.count + 16 > room)
            {
                failures += try append(chunk, to: table, stream: stream, schema: schema)
                chunk.removeAll(keepingCapacity: true)
                chunkBytes = 0
            }
            chunk.append((index, bytes))
            chunkBytes += bytes.count + 16
        }
        if !chunk.isEmpty { failures += try append(chunk, to: table, stream: stream, schema: schema) }
        return failures
    }

    /// One request's rows, until each is in or refused for good. Called with the stream's lock held.
    private func append(
        _ rows: [(index: Int, bytes: [UInt8])], to table: TableName, stream: TableStream, schema: ProtoRowSchema
    ) throws -> [RowFailure] {
        let doing = "append to \(table) (Storage Write API)"
        var budget = BigQueryClient.RetryBudget()
        var fresh = 0
        while true {
            do {
                if stream.name == nil {
                    stream.name = try client.createCommittedStream(table)
                    stream.next = 0
                }
                let outcome = try client.append(stream: stream.name!, schema: schema, rows: rows.map(\.bytes), offset: stream.next)
                if answersToLose.withLock({ n in
                    defer { n = max(0, n - 1) }; return n > 0
                }) {
                    throw HTTPError(.transport, "the connection died before the answer (a test's fault)")
                }
                switch outcome {
                case .appended, .alreadyThere:
                    stream.next += Int64(rows.count)
                    return []
                case .rowErrors(let errors):
                    // None of the request landed: the bad rows are failures, the rest go again.
                    let bad = rows.indices.filter { errors[$0] != nil }
                    let failures = bad.map {
                        RowFailure(
                            index: rows[$0].index, reason: "invalid", message: "\(table) row \(rows[$0].index): \(errors[$0]!)",
                            retryable: false)
                    }
                    let rest = rows.indices.filter { errors[$0] == nil }.map { rows[$0] }
                    return failures + (rest.isEmpty ? [] : try append(rest, to: table, stream: stream, schema: schema))
                }
            } catch let status as GRPCStatus {
                switch status.code {
                case GRPCStatus.notFound where stream.name != nil && status.message.localizedCaseInsensitiveContains("stream"),
                    GRPCStatus.failedPrecondition, GRPCStatus.outOfRange:
                    // The stream is gone or closed: nothing of this append landed there. A new one, once.
                    fresh += 1
                    guard fresh <= 2 else { throw error(status, doing: doing, attempts: budget.attempt) }
                    stream.name = nil
                    bigQuery.pool.recordRetry("stream \(status.name)")
                    continue
                case GRPCStatus.invalidArgument,
                    GRPCStatus.unknown where bigQuery.configuration.internalErrorIsPermanent:
                    // A row the service will not take fails the whole request: halve until it stands alone.
                    if rows.count > 1 {
                        let half = rows.count / 2
                        return try append(Array(rows[..<half]), to: table, stream: stream, schema: schema)
                            + append(Array(rows[half...]), to: table, stream: stream, schema: schema)
                    }
                    return [
                        RowFailure(
                            index: rows[0].index, reason: "invalid",
                            message:
                                "\(table) row \(rows[0].index): the Storage Write API refused it (\(status)); check its values against the columns",
                            retryable: false)
                    ]
                default:
                    guard status.isTransient, budget.attempt < bigQuery.configuration.retry.maxAttempts else {
                        throw error(status, doing: doing, attempts: budget.attempt)
                    }
                    // The same rows at the same offset: landed at most once whatever the first send did.
                    try bigQuery.resend(&budget, reason: status.name, doing: doing, cause: "\(status)")
                }
            } catch let http as HTTPError {
                guard BigQueryClient.disposition(of: http) == .retry, budget.attempt < bigQuery.configuration.retry.maxAttempts else {
                    throw bigQuery.warehouseError(http, doing: doing, attempts: budget.attempt)
                }
                try bigQuery.resend(&budget, reason: http.status.map(String.init) ?? "\(http.code)", doing: doing, cause: http.message)
            }
        }
    }

    /// A gRPC status as a sentence a person can act on.
    private func error(_ status: GRPCStatus, doing: String, attempts: Int) -> WarehouseError {
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        switch status.code {
        case GRPCStatus.notFound:
            return WarehouseError(
                .notFound, "\(doing): \(status.message); create it first (shopstream warehouse init)", reason: status.name)
        case GRPCStatus.permissionDenied:
            return WarehouseError(
                .permissionDenied,
                "\(doing): \(status.message); grant roles/bigquery.dataEditor (it includes bigquery.tables.updateData) on the dataset",
                reason: status.name)
        case GRPCStatus.unauthenticated:
            return WarehouseError(
                .credentials,
                "\(doing): the Storage Write API refused the credentials from \(client.credentials.source), also with a freshly fetched token (\(status.message)); run `gcloud auth application-default login` or check GOOGLE_APPLICATION_CREDENTIALS",
                reason: status.name)
        default:
            return WarehouseError(status.isTransient ? .bigquery : .query, "\(doing) failed\(tries): \(status)", reason: status.name)
        }
    }
}

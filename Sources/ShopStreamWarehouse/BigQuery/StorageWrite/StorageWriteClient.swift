import Foundation
import ShopStreamHTTP

/// BigQuery's Storage Write API (`google.cloud.bigquery.storage.v1.BigQueryWrite`) over gRPC on
/// libcurl: committed write streams, appends with explicit offsets, finalize.
///
/// The Write API is gRPC only. Talking it through libcurl (HTTP/2 by nghttp2, TLS and
/// credentials as for every other Google call here) with hand-written protobuf costs no new
/// package; grpc-swift 2 with swift-protobuf would add a NIO stack and minutes to every clean build
/// (BENCHMARKS.md, "Storage Write"). Each call is one HTTP/2 stream on a pooled connection.
///
/// Thread-safe; every method blocks its thread.
public final class StorageWriteClient: Sendable {
    public static let googleEndpoint = "https://bigquerystorage.googleapis.com"
    static let service = "google.cloud.bigquery.storage.v1.BigQueryWrite"

    public let project: String
    /// `https://bigquerystorage.googleapis.com` or an emulator's `http://HOST:PORT`.
    public let endpoint: String
    let credentials: any AccessTokenProvider
    let pool: HTTPClientPool
    /// Sends one HTTP/2 request: the pool's, or a test's stand-in for the service.
    let transport: @Sendable (HTTPRequest) throws -> HTTPResponse

    public convenience init(
        project: String, endpoint: String = StorageWriteClient.googleEndpoint, credentials: any AccessTokenProvider,
        http: HTTPClientConfiguration = HTTPClientConfiguration()
    ) {
        var http = http
        // Retries are decided above, by gRPC status and by whether the call is safe to repeat.
        http.retry = .never
        let pool = HTTPClientPool(configuration: http, maximumIdle: 8)
        self.init(project: project, endpoint: endpoint, credentials: credentials, pool: pool, transport: { try pool.send($0) })
    }

    /// `transport` in place of the pool's connections (tests).
    init(
        project: String, endpoint: String, credentials: any AccessTokenProvider, pool: HTTPClientPool = HTTPClientPool(),
        transport: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse
    ) {
        self.project = project
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.credentials = credentials
        self.pool = pool
        self.transport = transport
    }

    /// The resends since the last call: a dead keep-alive connection, a refused token fetched afresh.
    func takeRetries() -> RetrySummary { pool.takeRetries() }

    /// The Write API's endpoint from `BIGQUERY_STORAGE_EMULATOR_HOST` (`127.0.0.1:9060`), or nil.
    public static func emulatorEndpoint(environment: [String: String]) -> String? {
        EmulatorHost.endpoint("BIGQUERY_STORAGE_EMULATOR_HOST", environment: environment)
    }

    /// `projects/P/datasets/D/tables/T`.
    func tablePath(_ table: TableName) -> String {
        "projects/\(project)/datasets/\(table.dataset)/tables/\(table.table)"
    }

    /// Creates a COMMITTED write stream on `table`: each append is visible as soon as it is
    /// acknowledged, and an append with an offset lands at most once. Returns the stream's name.
    func createCommittedStream(_ table: TableName) throws -> String {
        // CreateWriteStreamRequest { parent = 1; write_stream = 2 }; WriteStream { name = 1; type = 2 (COMMITTED = 1) }.
        var w = ProtoWriter()
        w.string(1, tablePath(table))
        w.message(2) { $0.int(2, 1) }
        let answer = try call("CreateWriteStream", w.bytes)
        var r = ProtoReader(answer)
        while let (field, value) = try r.next() {
            if field == 1, let name = value.string { return name }
        }
        throw GRPCStatus(code: GRPCStatus.unknown, message: "CreateWriteStream answered without a stream name")
    }

    /// What an append came to.
    enum AppendOutcome: Equatable {
        /// The rows are in, at this offset of the stream.
        case appended(offset: Int64)
        /// The rows at this offset were already in (an earlier send of the same append landed).
        case alreadyThere
        /// Rows the service refused, by their index in the append (the rest are not in either).
        case rowErrors([Int: String])
    }

    /// Appends serialized rows (described by `schema`) to `stream`; with an `offset`, at that
    /// row offset of the stream or not at all. Errors the service reports for the request throw
    /// `GRPCStatus`, except ALREADY_EXISTS at an offset, which is `.alreadyThere`.
    func append(stream: String, schema: ProtoRowSchema, rows: [[UInt8]], offset: Int64?) throws -> AppendOutcome {
        // AppendRowsRequest { write_stream = 1; offset = 2 (Int64Value { value = 1 }); proto_rows = 4; trace_id = 6 }
        // ProtoData { writer_schema = 1 (ProtoSchema { proto_descriptor = 1 }); rows = 2 (ProtoRows { serialized_rows = 1 }) }
        var w = ProtoWriter(capacity: rows.reduce(schema.descriptor.count + 256) { $0 + $1.count + 3 })
        w.string(1, stream)
        if let offset { w.message(2) { $0.int(1, offset) } }
        w.message(4) { data in
            data.message(1) { $0.data(1, schema.descriptor) }
            data.message(2) { proto in
                for row in rows { proto.data(1, row) }
            }
        }
        w.string(6, "shopstream")
        let answer = try call("AppendRows", w.bytes)
        // AppendRowsResponse { append_result = 1 (AppendResult { offset = 1 Int64Value }); error = 2 (google.rpc.Status
        // { code = 1; message = 2 }); row_errors = 4 (RowError { index = 1; code = 2; message = 3 }) }
        var r = ProtoReader(answer)
        var appendedAt: Int64?
        var error: GRPCStatus?
        var rowErrors: [Int: String] = [:]
        while let (field, value) = try r.next() {
            switch field {
            case 1:
                // An absent offset is offset 0 (proto3 leaves zeros out).
                let wrapped = try ProtoReader.value(of: 1, in: value.data ?? [])
                appendedAt = try wrapped.flatMap { try ProtoReader.value(of: 1, in: $0.data ?? []) }?.int ?? 0
            case 2:
                var status = GRPCStatus(code: GRPCStatus.unknown, message: "")
                var s = ProtoReader(value.data ?? [])
                while let (f, v) = try s.next() {
                    if f == 1 { status.code = Int(v.int ?? 2) } else if f == 2 { status.message = v.string ?? "" }
                }
                error = status
            case 4:
                var index = -1
                var message = ""
                var e = ProtoReader(value.data ?? [])
                while let (f, v) = try e.next() {
                    if f == 1 { index = Int(v.int ?? -1) } else if f == 3 { message = v.string ?? "" }
                }
                rowErrors[index] = message
            default: break
            }
        }
        if !rowErrors.isEmpty { return .rowErrors(rowErrors) }
        if let error {
            if error.code == GRPCStatus.alreadyExists && offset != nil { return .alreadyThere }
            throw error
        }
        guard let appendedAt else {
            throw GRPCStatus(code: GRPCStatus.unknown, message: "AppendRows answered neither a result nor an error")
        }
        return .appended(offset: appendedAt)
    }

    /// Closes `stream` to further appends; returns how many rows it holds. Once it returns, no
    /// append to the stream can land any more, from this process or any other.
    func finalize(stream: String) throws -> Int64 {
        var w = ProtoWriter()
        w.string(1, stream)
        return try ProtoReader.value(of: 1, in: try call("FinalizeWriteStream", w.bytes)[...])?.int ?? 0
    }

    /// One call; its single answer message.
    private func call(_ method: String, _ message: [UInt8]) throws -> [UInt8] {
        let answers = try GRPCCall.unary(
            endpoint, Self.service + "/" + method, message, credentials: credentials, send: transport,
            refreshedToken: { [pool] in pool.recordRetry("UNAUTHENTICATED") })
        guard let first = answers.first else {
            throw GRPCStatus(code: GRPCStatus.unknown, message: "\(method) answered OK without a message")
        }
        return first
    }
}

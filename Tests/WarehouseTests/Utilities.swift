import Foundation
import ShopStreamHTTP
import XCTest

@testable import ShopStreamWarehouse

/// The behaviour every warehouse must have, run against SQLite and against the BigQuery emulator
/// by their own test classes. Each contract works in a dataset of its own.
struct WarehouseContract {
    let warehouse: any Warehouse
    let dataset = "wh_" + UUID().uuidString.prefix(8).lowercased()

    var sales: TableName { TableName(dataset, "sales") }

    /// Every column type, nullable and not.
    static let salesColumns = [
        Column("sale_id", .string), Column("sale_date", .date), Column("quantity", .int64),
        Column("amount", .numeric), Column("ratio", .float64, nullable: true), Column("damaged", .bool, nullable: true),
        Column("paid_at", .timestamp, nullable: true), Column("note", .string, nullable: true),
    ]

    /// The sales table's DDL in the warehouse's dialect, partitioned and clustered in BigQuery.
    func salesDDL(table: String = "sales") -> String {
        let bigquery = warehouse.dialect == .bigquery
        let columns = Self.salesColumns.map {
            "  \($0.name) \(bigquery ? $0.type.bigQueryDDLTypeName : $0.type.sqliteTypeName)\($0.nullable ? "" : " NOT NULL")"
        }.joined(separator: ",\n")
        let options = bigquery ? "\nPARTITION BY sale_date\nCLUSTER BY sale_id" : ""
        return "CREATE TABLE IF NOT EXISTS \(dataset).\(table) (\n\(columns)\n)\(options);\n"
    }

    func createSales() throws {
        try warehouse.createDataset(dataset)
        try warehouse.execute(salesDDL())
    }

    static func sale(_ id: String, _ values: [String: WarehouseValue] = [:]) -> WarehouseRow {
        var row: [String: WarehouseValue] = [
            "sale_id": .string(id), "sale_date": .date("2025-01-02"), "quantity": .int64(1), "amount": .numeric("1.00"),
        ]
        row.merge(values) { $1 }
        return WarehouseRow(insertId: "shop.sales:0:\(id)", values: row)
    }

    func datasetAndTableCreationIsIdempotent() throws {
        try warehouse.createDataset(dataset)
        try warehouse.createDataset(dataset)
        try warehouse.execute(salesDDL())
        try warehouse.execute(salesDDL())
        XCTAssertEqual(try warehouse.columns(of: sales), Self.salesColumns, "columns(of:) reads back names, types and nullability in order")
        XCTAssertNil(try warehouse.columns(of: TableName(dataset, "no_such_table")))
        XCTAssertNil(try warehouse.columns(of: TableName("no_such_dataset_\(dataset)", "sales")))
    }

    /// The same rows read back as the same text from every engine.
    func typedRowsReadBackAsIdenticalText() throws {
        try createSales()
        let rows = [
            Self.sale(
                "a",
                [
                    "quantity": .int64(3), "amount": .numeric("74999.00"), "ratio": .float64(1.5), "damaged": .bool(true),
                    "paid_at": .timestamp("2025-01-02T03:04:05.123456Z"), "note": .string("Lahore – Karachi ✓ \"quoted\"\n"),
                ]),
            Self.sale(
                "b",
                [
                    "sale_date": .date("2024-02-29"), "quantity": .int64(-9_007_199_254_740_993), "amount": .numeric("0.10"),
                    "ratio": .null, "damaged": .bool(false), "paid_at": .timestamp("2024-02-29 23:59:59+05:00"), "note": .null,
                ]),
            Self.sale("c", ["amount": .int64(5), "ratio": .int64(2), "paid_at": .timestamp("1969-12-31T23:59:59.5Z")]),
            Self.sale("d", ["amount": .numeric("-0.000000001"), "ratio": .float64(1e20), "note": .string("0123")]),
            Self.sale("e", ["amount": .numeric("99999999999999999999999999999.999999999"), "ratio": .float64(0.1)]),
        ]
        XCTAssertEqual(try warehouse.insert(into: sales, rows: rows), [])
        let result = try warehouse.query(
            "SELECT sale_id, sale_date, quantity, amount, ratio, damaged, paid_at, note FROM \(sales) ORDER BY sale_id")
        XCTAssertEqual(result.columns, ["sale_id", "sale_date", "quantity", "amount", "ratio", "damaged", "paid_at", "note"])
        XCTAssertEqual(
            result.rows,
            [
                ["a", "2025-01-02", "3", "74999", "1.5", "true", "2025-01-02T03:04:05.123456Z", "Lahore – Karachi ✓ \"quoted\"\n"],
                ["b", "2024-02-29", "-9007199254740993", "0.1", nil, "false", "2024-02-29T18:59:59.000000Z", nil],
                ["c", "2025-01-02", "1", "5", "2.0", nil, "1969-12-31T23:59:59.500000Z", nil],
                ["d", "2025-01-02", "1", "-0.000000001", "1e+20", nil, nil, "0123"],
                ["e", "2025-01-02", "1", "99999999999999999999999999999.999999999", "0.1", nil, nil, nil],
            ])
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) AS n FROM \(sales) WHERE damaged").scalar, "1", "BOOL works as a condition")
        XCTAssertEqual(try warehouse.query("SELECT sale_id FROM \(sales) WHERE paid_at > '2025-01-01' ORDER BY sale_id").rows, [["a"]])
    }

    /// A bad row is that row's failure; the good rows of the same call are in.
    func badRowsAreTheirOwnFailures() throws {
        try createSales()
        let rows = [
            Self.sale("ok1"),
            Self.sale("bad_type", ["quantity": .string("three")]),
            Self.sale("ok2"),
            Self.sale("bad_column", ["colour": .string("red")]),
            Self.sale("missing_required", ["amount": .null]),
            Self.sale("bad_date", ["sale_date": .date("2025-02-30")]),
            Self.sale("bad_numeric", ["amount": .numeric("12.5.0")]),
            Self.sale("ok3"),
        ]
        let failures = try warehouse.insert(into: sales, rows: rows)
        XCTAssertEqual(failures.map(\.index), [1, 3, 4, 5, 6])
        XCTAssertEqual(Set(failures.map(\.reason)), ["invalid"])
        XCTAssertFalse(failures.contains(where: \.retryable))
        XCTAssertEqual(failures.map(\.location), ["quantity", "colour", "amount", "sale_date", "amount"])
        for failure in failures {
            XCTAssertTrue(failure.message.contains("\(sales) row \(failure.index)"), failure.message)
            XCTAssertTrue(failure.message.contains(failure.location ?? "?"), failure.message)
        }
        XCTAssertEqual(try warehouse.query("SELECT sale_id FROM \(sales) ORDER BY sale_id").rows, [["ok1"], ["ok2"], ["ok3"]])
    }

    /// Rows given by layout (values in an order of their own, the form the silver sink sends) are
    /// checked and land exactly as the same rows given by name: the same failures at the same
    /// indexes and columns, the same rows read back.
    func positionalRowsAreCheckedAndLandAsNamedOnes() throws {
        try createSales()
        let named = [
            Self.sale("ok1", ["note": .string("first")]),
            Self.sale("bad_column", ["colour": .string("red")]),
            Self.sale("ok2", ["paid_at": .timestamp("2025-01-02T03:04:05.000006Z"), "ratio": .float64(0.5)]),
            Self.sale("missing_required", ["amount": .null]),
            Self.sale("bad_type", ["quantity": .string("three")]),
            Self.sale("ok3", ["note": .string("third")]),
        ]
        // Rows with the same names share one layout, as a silver table's rows do; names in
        // reverse order, so no layout matches the table's column order by chance.
        var layouts: [[String]: RowLayout] = [:]
        let positional = named.map { row in
            let names = row.values.keys.sorted(by: >)
            let layout = layouts[names] ?? RowLayout(names)
            layouts[names] = layout
            return WarehouseRow(insertId: row.insertId, layout: layout, ordered: names.map { row.values[$0]! })
        }
        XCTAssertEqual(positional, named, "a positional row equals the same row by name")
        let failures = try warehouse.insert(into: sales, rows: positional)
        XCTAssertEqual(failures.map(\.index), [1, 3, 4])
        XCTAssertEqual(failures.map(\.location), ["colour", "amount", "quantity"])
        let read = "SELECT sale_id, sale_date, quantity, amount, ratio, paid_at, note FROM \(sales) ORDER BY sale_id"
        XCTAssertEqual(try warehouse.query(read).rows.map { $0[0] }, ["ok1", "ok2", "ok3"])
        let again = WarehouseContract(warehouse: warehouse)
        try again.createSales()
        XCTAssertEqual(try again.warehouse.insert(into: again.sales, rows: named).map(\.index), [1, 3, 4])
        XCTAssertEqual(
            try warehouse.query(read).rows, try warehouse.query(read.replacingOccurrences(of: "\(sales)", with: "\(again.sales)")).rows,
            "the same rows read back, given by layout or by name")
    }

    func insertIntoAMissingTableThrows() throws {
        try warehouse.createDataset(dataset)
        XCTAssertThrowsError(try warehouse.insert(into: TableName(dataset, "nope"), rows: [Self.sale("x")])) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .notFound, "\(error)")
            XCTAssertTrue("\(error)".contains("\(dataset).nope does not exist"), "\(error)")
        }
    }

    func queryErrorsNameTheProblem() throws {
        try createSales()
        XCTAssertThrowsError(try warehouse.query("SELECT no_such_column FROM \(sales)")) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .query, "\(error)")
            XCTAssertTrue("\(error)".contains("no_such_column"), "\(error)")
            XCTAssertEqual((error as? WarehouseError)?.sql, "SELECT no_such_column FROM \(sales)")
        }
        XCTAssertThrowsError(try warehouse.query("SELEC 1")) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .query, "\(error)")
            XCTAssertTrue("\(error)".contains("SELEC"), "\(error)")
        }
        XCTAssertThrowsError(
            try warehouse.execute("CREATE TABLE IF NOT EXISTS \(dataset).t2 (a INT64);\nINSERT INTO \(dataset).missing (a) VALUES (1);\n")
        ) { error in
            XCTAssertTrue("\(error)".contains("statement 2"), "\(error)")
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
    }

    /// Several statements in one execute; DML; results of computed columns.
    func executeRunsStatementsInOrder() throws {
        try createSales()
        try warehouse.execute(
            """
            -- a comment before the first statement
            INSERT INTO \(sales) (sale_id, sale_date, quantity, amount) VALUES ('x1', '2025-03-04', 2, '10.50');
            INSERT INTO \(sales) (sale_id, sale_date, quantity, amount) VALUES ('x2; not a split', '2025-03-04', 3, '0.25');
            DELETE FROM \(sales) WHERE sale_id = 'x1';
            """)
        XCTAssertEqual(try warehouse.query("SELECT sale_id, quantity FROM \(sales) ORDER BY sale_id").rows, [["x2; not a split", "3"]])
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) AS n, MAX(quantity) AS q FROM \(sales)").rows, [["1", "3"]])
    }
}

/// The emulator's endpoint from `BIGQUERY_EMULATOR_HOST`. Unset: the test fails under `CI=true`
/// (CI must run it) and is skipped otherwise.
func bigQueryEmulatorEnvironment() throws -> [String: String] {
    let environment = ProcessInfo.processInfo.environment
    guard BigQueryClient.Configuration.emulatorEndpoint(environment: environment) != nil else {
        let hint = "BIGQUERY_EMULATOR_HOST is not set; run `eval \"$(scripts/emulators start bigquery)\"` first"
        if environment["CI"] == "true" { throw MissingEmulator(description: hint + " (CI=true: the emulator tests must run)") }
        throw XCTSkip(hint)
    }
    return ["BIGQUERY_EMULATOR_HOST": environment["BIGQUERY_EMULATOR_HOST"]!]
}

struct MissingEmulator: Error, CustomStringConvertible {
    var description: String
}

/// A fresh temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "shopstream-warehouse-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Records the waits a client asks for instead of waiting.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []
    var all: [Duration] { lock.withLock { recorded } }
    func record(_ duration: Duration) { lock.withLock { recorded.append(duration) } }

    /// A retry policy that records its waits (jitter fixed at zero).
    func policy(maxAttempts: Int = 4) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, sleep: { [self] in record($0) }, random: { 0 })
    }
}

/// A loopback stand-in for BigQuery (a python3 script) that gives the answers the emulator never
/// gives: `stopped` rows, row-level `backendError`, 409 for a reused job id, jobs that are still
/// RUNNING, TIMESTAMP as epoch seconds, paged query results, and injected failures. With
/// `upstream`, requests it has no scripted answer for go to that server instead.
///
/// insertAll: a row whose json has the key `bad` is `invalid` and the others `stopped` (BigQuery
/// with skipInvalidRows false) — or, with `emulator500`, the whole request gets HTTP 500; a row
/// with `flaky: n` gets `backendError` its first n times. Script entries, matched in order by
/// method and path substring, each used once: `{"match": "/insertAll", "status": 503, "reason":
/// "backendError"}` answers an error; `"action": "lost"` does the real work, then answers 503.
final class BigQueryStub {
    let url: String
    var endpoint: String { url + "/bigquery/v2" }
    private let process = Process()

    init(script: [[String: Any]] = [], emulator500: Bool = false, upstream: String? = nil) throws {
        let config: [String: Any] = ["script": script, "emulator500": emulator500, "upstream": upstream ?? ""]
        let configJSON = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, configJSON]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        url = "http://127.0.0.1:" + String(decoding: line, as: UTF8.self)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    struct LoggedRequest {
        var method: String
        var path: String
        var body: [String: Any]?
        var bytes: Int
        /// insertAll rows' insertIds.
        var insertIds: [String] { (body?["rows"] as? [[String: Any]])?.compactMap { $0["insertId"] as? String } ?? [] }
    }

    /// Every request the stub received, in order.
    func requests() throws -> [LoggedRequest] {
        let client = try HTTPClient()
        let body = try client.send(HTTPRequest(url: url + "/_log")).body
        let entries = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
        return entries.map {
            LoggedRequest(
                method: $0["method"] as? String ?? "", path: $0["path"] as? String ?? "", body: $0["body"] as? [String: Any],
                bytes: $0["bytes"] as? Int ?? 0)
        }
    }

    /// insertIds that went in.
    func inserted() throws -> [String] {
        let client = try HTTPClient()
        return try JSONSerialization.jsonObject(with: client.send(HTTPRequest(url: url + "/_inserted")).body) as? [String] ?? []
    }

    private static let script = #"""
        import http.server, json, sys, threading, urllib.request, urllib.error
        config = json.loads(sys.argv[1])
        script, emulator500, upstream = config['script'], config['emulator500'], config['upstream']
        lock = threading.Lock()
        log, inserted, jobs, flaky, queries = [], [], {}, {}, {}

        def error(code, reason, message='injected'):
            return code, {'error': {'code': code, 'message': message, 'errors': [{'reason': reason, 'message': message}]}}

        def job_resource(job_id, job):
            resource = {'jobReference': {'projectId': 'p', 'jobId': job_id}, 'configuration': {'query': {'query': job['query']}},
                        'status': {'state': 'DONE' if job['polls'] >= 2 else 'RUNNING'}, 'statistics': {'query': {'statementType': 'INSERT', 'numDmlAffectedRows': '1'}}}
            if job['polls'] >= 2 and 'FAIL' in job['query']:
                resource['status']['errorResult'] = {'reason': 'invalidQuery', 'message': 'Syntax error: Unexpected keyword FAIL at [1:1]'}
            return resource

        def page(token):
            schema = {'fields': [{'name': 'ts', 'type': 'TIMESTAMP'}, {'name': 'amount', 'type': 'NUMERIC'}, {'name': 'ratio', 'type': 'FLOAT'},
                                 {'name': 'ok', 'type': 'BOOLEAN'}, {'name': 'd', 'type': 'DATE'}, {'name': 'n', 'type': 'INTEGER'}]}
            if token is None:
                rows = [['1.735787045123456E9', '74999.000000000', '1.0E20', 'true', '2025-01-02', '42']]
                return {'jobComplete': True, 'schema': schema, 'rows': [{'f': [{'v': v} for v in r]} for r in rows], 'totalRows': '2', 'pageToken': 'p2'}
            rows = [['1735787045123456', '-1E-9', None, 'false', None, '-7']]
            return {'jobComplete': True, 'schema': schema, 'rows': [{'f': [{'v': v} for v in r]} for r in rows], 'totalRows': '2'}

        def default(method, path, body):
            route = path.split('?')[0]
            query = dict(p.split('=', 1) for p in path.split('?')[1].split('&')) if '?' in path else {}
            if method == 'POST' and route.endswith('/insertAll'):
                rows = body['rows']
                bad = [i for i, r in enumerate(rows) if 'bad' in r['json']]
                if bad and emulator500:
                    return error(500, 'internalError', 'An internal error occurred')
                errors = []
                if bad:
                    for i in range(len(rows)):
                        if i in bad: errors.append({'index': i, 'errors': [{'reason': 'invalid', 'location': 'bad', 'message': 'no such field: bad.'}]})
                        else: errors.append({'index': i, 'errors': [{'reason': 'stopped', 'location': '', 'message': ''}]})
                else:
                    for i, r in enumerate(rows):
                        left = int(flaky.get(r['insertId'], r['json'].get('flaky', 0)))
                        if left > 0:
                            flaky[r['insertId']] = left - 1
                            errors.append({'index': i, 'errors': [{'reason': 'backendError', 'message': 'try again'}]})
                        else:
                            inserted.append(r['insertId'])
                return 200, {'kind': 'bigquery#tableDataInsertAllResponse', 'insertErrors': errors} if errors else {'kind': 'bigquery#tableDataInsertAllResponse'}
            if method == 'GET' and route.endswith('/tables/sales'):
                fields = [{'name': n, 'type': t, 'mode': 'NULLABLE'} for n, t in
                          [('id', 'STRING'), ('amount', 'NUMERIC'), ('n', 'INTEGER'), ('note', 'STRING'), ('bad', 'BOOLEAN'), ('flaky', 'INT64')]]
                return 200, {'schema': {'fields': fields}, 'timePartitioning': {'type': 'DAY', 'field': 'd'}}
            if method == 'POST' and route.endswith('/jobs'):
                job_id = body['jobReference']['jobId']
                if job_id in jobs: return error(409, 'duplicate', 'Already Exists: Job p:' + job_id)
                jobs[job_id] = {'query': body['configuration']['query']['query'], 'polls': 0, 'posts': 1}
                return 200, job_resource(job_id, jobs[job_id])
            if method == 'GET' and '/jobs/' in route:
                job_id = route.rsplit('/', 1)[1]
                if job_id not in jobs: return error(404, 'notFound', 'Not found: Job p:' + job_id)
                jobs[job_id]['polls'] += 1
                return 200, job_resource(job_id, jobs[job_id])
            if method == 'POST' and route.endswith('/queries'):
                job_id = 'q%d' % (len(queries) + 1)
                queries[job_id] = body
                return 200, {'jobComplete': False, 'jobReference': {'projectId': 'p', 'jobId': job_id}}
            if method == 'GET' and '/queries/' in route:
                return 200, page(query.get('pageToken'))
            return error(404, 'notFound', 'Not found: ' + route)

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def send(self, code, obj):
                data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
                self.send_response(code)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def forward(self, data):
                request = urllib.request.Request(upstream + self.path, data=data if self.command == 'POST' else None, method=self.command)
                request.add_header('Content-Type', 'application/json')
                try:
                    with urllib.request.urlopen(request) as answer: return answer.status, answer.read()
                except urllib.error.HTTPError as failure: return failure.code, failure.read()
            def handle_any(self):
                data = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                if self.path == '/_log': return self.send(200, log)
                if self.path == '/_inserted': return self.send(200, inserted)
                body = json.loads(data) if data else None
                with lock:
                    log.append({'method': self.command, 'path': self.path, 'body': body, 'bytes': len(data)})
                    action = None
                    for i, entry in enumerate(script):
                        if entry.get('method', self.command) == self.command and entry['match'] in self.path:
                            action = script.pop(i)
                            break
                    if action and action.get('action') != 'lost':
                        return self.send(*error(action['status'], action.get('reason'), action.get('message', 'injected')))
                    answer = self.forward(data) if upstream else default(self.command, self.path, body)
                if action: return self.send(*error(503, 'backendError', 'the answer was lost'))
                return self.send(*answer)
            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = handle_any
            def log_message(self, *args): pass

        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import XCTest

@testable import ShopStreamWarehouse

/// The BigQuery client against a loopback stand-in that answers as BigQuery does where the
/// emulator does not: batching, per-row errors, reasons, jobs, polling, paging.
final class BigQueryClientTests: XCTestCase {
    private let table = TableName("silver", "sales")
    private let sleeps = SleepRecorder()

    private func client(_ stub: BigQueryStub, rows: Int = 500, bytes: Int = 9_000_000, emulator: Bool = false, attempts: Int = 4) throws
        -> BigQueryClient
    {
        try BigQueryClient(
            project: "p", credentials: NoCredentials(),
            configuration: .init(
                endpoint: stub.endpoint, retry: sleeps.policy(maxAttempts: attempts), maxRowsPerRequest: rows, maxBytesPerRequest: bytes,
                internalErrorIsPermanent: emulator))
    }

    private func rows(_ count: Int, _ extra: [Int: [String: WarehouseValue]] = [:]) -> [WarehouseRow] {
        (0..<count).map { index in
            var values: [String: WarehouseValue] = [
                "id": .string("r\(index)"), "amount": .numeric("74999.00"), "n": .int64(9_007_199_254_740_993),
            ]
            values.merge(extra[index] ?? [:]) { $1 }
            return WarehouseRow(insertId: "shop.sales:0:\(index)", values: values)
        }
    }

    func testInsertAllSendsAtMost500RowsARequest() throws {
        let stub = try BigQueryStub()
        XCTAssertEqual(try client(stub).insertAll(into: table, rows: rows(1234)), [])
        let inserts = try stub.requests().filter { $0.path.hasSuffix("/insertAll") }
        XCTAssertEqual(inserts.map(\.insertIds.count), [500, 500, 234])
        XCTAssertEqual(inserts.first?.path, "/bigquery/v2/projects/p/datasets/silver/tables/sales/insertAll")
        XCTAssertEqual(try stub.inserted().count, 1234)
        let body = try XCTUnwrap(inserts.first?.body)
        XCTAssertEqual(body["skipInvalidRows"] as? Bool, false)
        XCTAssertEqual(body["ignoreUnknownValues"] as? Bool, false)
        let first = try XCTUnwrap((body["rows"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["insertId"] as? String, "shop.sales:0:0")
        XCTAssertEqual((first["json"] as? [String: Any])?["n"] as? String, "9007199254740993", "INT64 travels as a string")
        XCTAssertEqual((first["json"] as? [String: Any])?["amount"] as? String, "74999.00")
    }

    func testInsertAllKeepsEachRequestUnderTheByteLimit() throws {
        let stub = try BigQueryStub()
        let big = rows(
            40, Dictionary(uniqueKeysWithValues: (0..<40).map { ($0, ["note": WarehouseValue.string(String(repeating: "x", count: 900))]) })
        )
        XCTAssertEqual(try client(stub, bytes: 8192).insertAll(into: table, rows: big), [])
        let inserts = try stub.requests().filter { $0.path.hasSuffix("/insertAll") }
        XCTAssertGreaterThan(inserts.count, 4)
        XCTAssertTrue(inserts.allSatisfy { $0.bytes <= 8192 }, "\(inserts.map(\.bytes))")
        XCTAssertEqual(inserts.flatMap(\.insertIds), big.map(\.insertId), "every row once, in order")

        let huge = rows(1, [0: ["note": .string(String(repeating: "y", count: 10_000))]])
        let failures = try client(stub, bytes: 8192).insertAll(into: table, rows: huge)
        XCTAssertEqual(failures.map(\.reason), ["invalid"])
        XCTAssertTrue(failures[0].message.contains("more than one insertAll request may carry"), failures[0].message)
    }

    func testStoppedRowsAreResentAndInvalidRowsReported() throws {
        let stub = try BigQueryStub()
        let failures = try client(stub).insertAll(into: table, rows: rows(5, [3: ["bad": .bool(true)]]))
        XCTAssertEqual(failures.count, 1)
        XCTAssertEqual(failures[0].index, 3)
        XCTAssertEqual(failures[0].reason, "invalid")
        XCTAssertFalse(failures[0].retryable)
        XCTAssertEqual(failures[0].location, "bad")
        XCTAssertTrue(
            failures[0].message.contains("silver.sales row 3 (insertId shop.sales:0:3): no such field: bad."), failures[0].message)
        XCTAssertEqual(try stub.requests().map(\.insertIds.count), [5, 4], "the stopped rows went again, at once")
        XCTAssertEqual(sleeps.all, [])
        XCTAssertEqual(try stub.inserted(), ["shop.sales:0:0", "shop.sales:0:1", "shop.sales:0:2", "shop.sales:0:4"])
    }

    func testRowLevelTransientErrorsAreResentThenReportedRetryable() throws {
        let stub = try BigQueryStub()
        let failures = try client(stub, attempts: 3).insertAll(
            into: table, rows: rows(3, [0: ["flaky": .int64(1)], 2: ["flaky": .int64(5)]]))
        XCTAssertEqual(failures.map(\.index), [2])
        XCTAssertEqual(failures.first?.reason, "backendError")
        XCTAssertEqual(failures.first?.retryable, true)
        XCTAssertEqual(try stub.inserted(), ["shop.sales:0:1", "shop.sales:0:0"])
        XCTAssertEqual(sleeps.all, [.seconds(1), .seconds(2)], "exponential backoff between resends")
    }

    func testTransientRequestFailuresAreRetriedWithBackoff() throws {
        let stub = try BigQueryStub(script: [
            ["match": "/insertAll", "status": 503, "reason": "backendError"],
            ["match": "/insertAll", "status": 403, "reason": "rateLimitExceeded"],
            ["match": "/insertAll", "status": 500, "reason": "internalError"],
        ])
        XCTAssertEqual(try client(stub).insertAll(into: table, rows: rows(2)), [])
        XCTAssertEqual(sleeps.all, [.seconds(1), .seconds(2), .seconds(4)])
        XCTAssertEqual(try stub.inserted().count, 2)
    }

    func testARequestThatKeepsFailingReturnsRetryableFailures() throws {
        let stub = try BigQueryStub(script: Array(repeating: ["match": "/insertAll", "status": 503, "reason": "backendError"], count: 3))
        let failures = try client(stub, attempts: 3).insertAll(into: table, rows: rows(2))
        XCTAssertEqual(failures.map(\.index), [0, 1])
        XCTAssertTrue(failures.allSatisfy { $0.retryable && $0.reason == "backendError" })
        XCTAssertTrue(failures[0].message.contains("send it again later"), failures[0].message)
    }

    func testQuotaExceededWaitsLongBeforeRetrying() throws {
        let stub = try BigQueryStub(script: [["match": "/insertAll", "status": 403, "reason": "quotaExceeded"]])
        XCTAssertEqual(try client(stub).insertAll(into: table, rows: rows(1)), [])
        XCTAssertEqual(sleeps.all, [.seconds(30)])
    }

    func testQuotaExceededThrowsOnceTheWaitsAreUsedUp() throws {
        let stub = try BigQueryStub(
            script: Array(
                repeating: [
                    "match": "/insertAll", "status": 403, "reason": "quotaExceeded",
                    "message": "Exceeded rate limits: too many table update operations",
                ], count: 4))
        XCTAssertThrowsError(try client(stub).insertAll(into: table, rows: rows(1))) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .quotaExceeded)
            XCTAssertTrue("\(error)".contains("raise the quota"), "\(error)")
        }
        XCTAssertEqual(sleeps.all, [.seconds(30), .seconds(60), .seconds(120)])
    }

    func testInvalidRequestsAreNeverRetried() throws {
        let stub = try BigQueryStub(script: [["match": "/insertAll", "status": 400, "reason": "invalid", "message": "Invalid project ID"]])
        XCTAssertThrowsError(try client(stub).insertAll(into: table, rows: rows(2))) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .query)
            XCTAssertTrue("\(error)".contains("Invalid project ID"), "\(error)")
        }
        XCTAssertEqual(try stub.requests().count, 1)
        XCTAssertEqual(sleeps.all, [])
    }

    func testAMissingTableThrowsNotFound() throws {
        let stub = try BigQueryStub(script: [
            ["match": "/insertAll", "status": 404, "reason": "notFound", "message": "Not found: Table p:silver.sales"]
        ])
        XCTAssertThrowsError(try client(stub).insertAll(into: table, rows: rows(1))) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .notFound)
            XCTAssertTrue("\(error)".contains("create it first"), "\(error)")
        }
    }

    func testEmulator500IsHalvedDownToTheBadRows() throws {
        let stub = try BigQueryStub(emulator500: true)
        let failures = try client(stub, emulator: true).insertAll(
            into: table, rows: rows(8, [2: ["bad": .bool(true)], 5: ["bad": .bool(true)]]))
        XCTAssertEqual(failures.map(\.index), [2, 5])
        XCTAssertTrue(failures.allSatisfy { $0.reason == "invalid" && !$0.retryable })
        XCTAssertEqual(try stub.inserted().sorted(), [0, 1, 3, 4, 6, 7].map { "shop.sales:0:\($0)" })
        XCTAssertEqual(sleeps.all, [], "no backoff: the emulator's 500 is not transient")
    }

    func testTheWarehouseReportsCheckedAndServerFailuresByTheCallersIndex() throws {
        let stub = try BigQueryStub()
        let warehouse = BigQueryWarehouse(client: try client(stub))
        let failures = try warehouse.insert(into: table, rows: rows(5, [1: ["colour": .string("red")], 3: ["bad": .bool(true)]]))
        XCTAssertEqual(failures.map(\.index), [1, 3])
        XCTAssertTrue(failures[0].message.contains("silver.sales row 1 (insertId shop.sales:0:1): no column colour"), failures[0].message)
        XCTAssertTrue(
            failures[1].message.contains("silver.sales row 3 (insertId shop.sales:0:3): no such field: bad."), failures[1].message)
        XCTAssertEqual(try stub.inserted(), ["shop.sales:0:0", "shop.sales:0:2", "shop.sales:0:4"])
        let first = try XCTUnwrap(stub.requests().first { $0.path.hasSuffix("/insertAll") })
        let json = try XCTUnwrap((first.body?["rows"] as? [[String: Any]])?.first?["json"] as? [String: Any])
        XCTAssertEqual(json["amount"] as? String, "74999", "values go out canonical")
        XCTAssertEqual(try warehouse.columns(of: table)?.map(\.type), [.string, .numeric, .int64, .string, .bool, .int64])
    }

    func testAReusedJobIdWaitsForTheJobThatHasIt() throws {
        let stub = try BigQueryStub()
        let client = try client(stub)
        let sql = "INSERT INTO silver.sales (id) VALUES ('a')"
        let first = try client.runJob(sql, jobId: "job_1")
        XCTAssertEqual(first.affectedRows, 1)
        XCTAssertEqual(first.statementType, "INSERT")
        let again = try client.runJob(sql, jobId: "job_1")
        XCTAssertEqual(again.jobId, "job_1")
        let posts = try stub.requests().filter { $0.method == "POST" }
        XCTAssertEqual(posts.count, 2, "the second POST got 409 and the job was read instead")
        XCTAssertThrowsError(try client.runJob("DELETE FROM silver.sales WHERE TRUE", jobId: "job_1")) { error in
            XCTAssertTrue("\(error)".contains("already used for a different statement"), "\(error)")
        }
    }

    func testAFailedJobThrowsItsErrorResult() throws {
        let stub = try BigQueryStub()
        XCTAssertThrowsError(try client(stub).runJob("FAIL THIS")) { error in
            XCTAssertEqual((error as? WarehouseError)?.code, .query)
            XCTAssertEqual((error as? WarehouseError)?.reason, "invalidQuery")
            XCTAssertTrue("\(error)".contains("Syntax error: Unexpected keyword FAIL"), "\(error)")
            XCTAssertTrue("\(error)".contains("in: FAIL THIS"), "\(error)")
        }
    }

    /// A client whose waits `stop` ends (given after it was built, as a sink does), and whose
    /// first wait is where the stop abandons.
    private func abandoningClient(_ stub: BigQueryStub, stop: StopSignal) throws -> BigQueryClient {
        let client = try BigQueryClient(
            project: "p", credentials: NoCredentials(),
            configuration: .init(
                endpoint: stub.endpoint, retry: RetryPolicy(maxAttempts: 4, sleep: { _ in stop.request(.abandon) }, random: { 0 })))
        client.interruptWaits(on: stop)
        return client
    }

    /// Abandoned while it backs off (a 503) or waits for quota: nothing is sent again, and the
    /// error names the operation and the failure it was waiting out.
    func testAnAbandonWhileWaitingToRetryEndsTheCallWithItsCause() throws {
        for (status, reason) in [(503, "backendError"), (403, "quotaExceeded")] {
            let stub = try BigQueryStub(script: Array(repeating: ["match": "/insertAll", "status": status, "reason": reason], count: 4))
            XCTAssertThrowsError(try abandoningClient(stub, stop: StopSignal()).insertAll(into: table, rows: rows(2))) { error in
                XCTAssertEqual((error as? WarehouseError)?.code, .stopped, "\(error)")
                XCTAssertFalse(error.isTransient, "a stop is not a failure to try again")
                XCTAssertTrue(
                    "\(error)".hasPrefix("stopped while waiting to retry insert into silver.sales (1 attempt made): POST "), "\(error)")
                XCTAssertTrue("\(error)".contains("HTTP \(status)"), "\(error)")
            }
            XCTAssertEqual(try stub.requests().filter { $0.path.hasSuffix("/insertAll") }.count, 1, "\(reason): not sent again")
        }
    }

    /// A job still running when the stop abandons is not polled again (it may still run in BigQuery).
    func testAnAbandonWhileAJobRunsStopsPollingIt() throws {
        let stub = try BigQueryStub()
        XCTAssertThrowsError(try abandoningClient(stub, stop: StopSignal()).runJob("INSERT INTO silver.sales (id) VALUES ('a')")) {
            error in
            XCTAssertEqual((error as? WarehouseError)?.code, .stopped, "\(error)")
            XCTAssertTrue("\(error)".contains("it may still be running in BigQuery"), "\(error)")
        }
        XCTAssertEqual(try stub.requests().map(\.method), ["POST"], "inserted, then not polled")
    }

    func testALostJobAnswerIsFollowedByAReadNotASecondInsert() throws {
        let stub = try BigQueryStub(script: [["method": "POST", "match": "/jobs", "action": "lost"]])
        let job = try client(stub).runJob("INSERT INTO silver.sales (id) VALUES ('a')", jobId: "job_lost")
        XCTAssertEqual(job.jobId, "job_lost")
        XCTAssertEqual(try stub.requests().filter { $0.method == "POST" }.count, 1)
    }

    func testQueriesArePolledPagedAndNormalised() throws {
        let stub = try BigQueryStub()
        let result = try client(stub).query("SELECT ts, amount, ratio, ok, d, n FROM silver.sales")
        XCTAssertEqual(result.columns, ["ts", "amount", "ratio", "ok", "d", "n"])
        XCTAssertEqual(
            result.rows,
            [
                ["2025-01-02T03:04:05.123456Z", "74999", "1e+20", "true", "2025-01-02", "42"],
                ["2025-01-02T03:04:05.123456Z", "-0.000000001", nil, "false", nil, "-7"],
            ])
        let requests = try stub.requests()
        XCTAssertEqual(requests.map(\.method), ["POST", "GET", "GET"], "query, poll until complete, second page")
        let body = try XCTUnwrap(requests.first?.body)
        XCTAssertEqual(body["useLegacySql"] as? Bool, false)
        XCTAssertNotNil(UUID(uuidString: body["requestId"] as? String ?? ""), "a UUID request id")
        XCTAssertTrue(requests[2].path.contains("pageToken=p2"), requests[2].path)
    }

    func testReasonsDecideRetries() {
        func error(_ status: Int?, _ reason: String?, code: HTTPError.Code = .status) -> HTTPError {
            HTTPError(code, "x", status: status, googleReason: reason)
        }
        XCTAssertEqual(BigQueryClient.disposition(of: error(500, "backendError")), .retry)
        XCTAssertEqual(BigQueryClient.disposition(of: error(503, nil)), .retry)
        XCTAssertEqual(BigQueryClient.disposition(of: error(403, "rateLimitExceeded")), .retry)
        XCTAssertEqual(BigQueryClient.disposition(of: error(429, nil)), .retry)
        XCTAssertEqual(BigQueryClient.disposition(of: error(403, "quotaExceeded")), .waitForQuota)
        XCTAssertEqual(BigQueryClient.disposition(of: error(400, "invalid")), .fail)
        XCTAssertEqual(BigQueryClient.disposition(of: error(403, "accessDenied")), .fail)
        XCTAssertEqual(BigQueryClient.disposition(of: error(404, "notFound")), .fail)
        XCTAssertEqual(BigQueryClient.disposition(of: error(409, "duplicate")), .fail)
        XCTAssertEqual(BigQueryClient.disposition(of: error(nil, nil, code: .transport)), .retry)
        XCTAssertEqual(BigQueryClient.disposition(of: error(nil, nil, code: .credentials)), .fail)
    }

    func testTheEmulatorEndpointComesFromTheEnvironment() throws {
        typealias C = BigQueryClient.Configuration
        XCTAssertEqual(
            C.emulatorEndpoint(environment: ["BIGQUERY_EMULATOR_HOST": "http://127.0.0.1:9050"]), "http://127.0.0.1:9050/bigquery/v2")
        XCTAssertEqual(C.emulatorEndpoint(environment: ["BIGQUERY_EMULATOR_HOST": "localhost:9050/"]), "http://localhost:9050/bigquery/v2")
        XCTAssertNil(C.emulatorEndpoint(environment: ["BIGQUERY_EMULATOR_HOST": " "]))
        XCTAssertNil(C.emulatorEndpoint(environment: [:]))
        let client = try BigQueryClient(project: "shopstream", environment: ["BIGQUERY_EMULATOR_HOST": "127.0.0.1:1"])
        XCTAssertEqual(client.configuration.endpoint, "http://127.0.0.1:1/bigquery/v2")
        XCTAssertTrue(client.configuration.internalErrorIsPermanent)
        XCTAssertEqual(client.credentials.source, NoCredentials().source)
    }
}

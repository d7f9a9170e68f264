import Foundation
import ShopStreamHTTP
import XCTest

@testable import ShopStreamWarehouse

/// The warehouse contract and the emulator's own quirks, against bqemulator
/// (`BIGQUERY_EMULATOR_HOST`).
final class BigQueryEmulatorTests: XCTestCase {
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        environment = try bigQueryEmulatorEnvironment()
    }

    private func warehouse() throws -> BigQueryWarehouse {
        try BigQueryWarehouse(project: "shopstream", environment: environment)
    }

    private func contract() throws -> WarehouseContract { WarehouseContract(warehouse: try warehouse()) }

    func testDatasetAndTableCreationIsIdempotent() throws { try contract().datasetAndTableCreationIsIdempotent() }
    func testTypedRowsReadBackAsIdenticalText() throws { try contract().typedRowsReadBackAsIdenticalText() }
    func testBadRowsAreTheirOwnFailures() throws { try contract().badRowsAreTheirOwnFailures() }
    func testPositionalRowsAreCheckedAndLandAsNamedOnes() throws { try contract().positionalRowsAreCheckedAndLandAsNamedOnes() }
    func testInsertIntoAMissingTableThrows() throws { try contract().insertIntoAMissingTableThrows() }
    func testQueryErrorsNameTheProblem() throws { try contract().queryErrorsNameTheProblem() }
    func testExecuteRunsStatementsInOrder() throws { try contract().executeRunsStatementsInOrder() }

    func testMakeWarehouseOpensTheEmulatorByURL() throws {
        let opened = try makeWarehouse(url: "bigquery://shopstream?location=US", environment: environment)
        XCTAssertEqual(opened.dialect, .bigquery)
        XCTAssertEqual(opened.url, "bigquery://shopstream?location=US")
        XCTAssertEqual(try opened.query("SELECT 1 AS one").rows, [["1"]])
    }

    func testResultsLargerThanOnePageArriveWhole() throws {
        let endpoint = BigQueryClient.Configuration.emulatorEndpoint(environment: environment)!
        let client = try BigQueryClient(
            project: "shopstream", credentials: NoCredentials(),
            configuration: .init(endpoint: endpoint, pageSize: 3, internalErrorIsPermanent: true))
        let result = try client.query("SELECT x, CAST(x AS STRING) AS s FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x ORDER BY x")
        XCTAssertEqual(result.rows.map { $0[0] }, (1...10).map { String($0) })
    }

    func testTablesCreatedThroughTheAPIKeepPartitioningAndClustering() throws {
        let client = try warehouse().client
        let dataset = "wh_" + UUID().uuidString.prefix(8).lowercased()
        XCTAssertTrue(try client.createDataset(dataset))
        XCTAssertFalse(try client.createDataset(dataset), "a second create finds it")
        XCTAssertTrue(try client.datasetExists(dataset))
        let definition = TableDefinition(
            name: TableName(dataset, "sales"), columns: WarehouseContract.salesColumns, partitionField: "sale_date", clustering: ["sale_id"]
        )
        XCTAssertTrue(try client.createTable(definition))
        XCTAssertFalse(try client.createTable(definition), "409 means it exists")
        XCTAssertEqual(try client.table(definition.name), definition)
        XCTAssertThrowsError(
            try client.createTable(TableDefinition(name: TableName("no_such_\(dataset)", "t"), columns: [Column("a", .int64)]))
        ) {
            XCTAssertEqual(($0 as? WarehouseError)?.code, .notFound)
            XCTAssertTrue("\($0)".contains("create the dataset first"), "\($0)")
        }
    }

    /// The emulator answers an invalid row with HTTP 500 for the whole request: the client halves
    /// the request until the bad rows stand alone, and the good rows go in.
    func testRowsTheEmulatorRefusesWith500AreFoundByHalving() throws {
        let warehouse = try warehouse()
        let contract = WarehouseContract(warehouse: warehouse)
        try contract.createSales()
        // Straight to the client: past the checks that would have caught the bad dates first.
        var rows = (0..<10).map { WarehouseContract.sale("r\($0)") }
        rows[3].values["sale_date"] = .date("2025-13-45")
        rows[8].values["paid_at"] = .timestamp("yesterday")
        let failures = try warehouse.client.insertAll(into: contract.sales, rows: rows)
        XCTAssertEqual(failures.map(\.index), [3, 8])
        XCTAssertEqual(Set(failures.map(\.reason)), ["invalid"])
        XCTAssertTrue(failures[0].message.contains("HTTP 500"), failures[0].message)
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) FROM \(contract.sales)").scalar, "8")
    }

    /// A DML job whose answer is lost is not run twice: the resend asks for the job first (the
    /// emulator would run a re-sent job id again instead of answering 409).
    func testADMLJobWhoseAnswerWasLostRunsOnce() throws {
        let contract = WarehouseContract(warehouse: try warehouse())
        try contract.createSales()
        let proxy = try BigQueryStub(
            script: [["method": "POST", "match": "/jobs", "action": "lost"]],
            upstream: BigQueryClient.Configuration.emulatorEndpoint(environment: environment)!.replacingOccurrences(
                of: "/bigquery/v2", with: ""))
        let sleeps = SleepRecorder()
        let client = try BigQueryClient(
            project: "shopstream", credentials: NoCredentials(),
            configuration: .init(endpoint: proxy.endpoint, retry: sleeps.policy(), internalErrorIsPermanent: true))
        let job = try client.runJob(
            "INSERT INTO \(contract.sales) (sale_id, sale_date, quantity, amount) VALUES ('j', '2025-01-01', 1, 1)",
            jobId: "lost_" + UUID().uuidString.prefix(8))
        XCTAssertEqual(job.affectedRows, 1)
        XCTAssertEqual(try contract.warehouse.query("SELECT COUNT(*) FROM \(contract.sales)").scalar, "1")
        XCTAssertEqual(try proxy.requests().filter { $0.method == "POST" }.count, 1, "sent once, then asked for")
    }
}

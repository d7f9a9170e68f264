import Foundation
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse
import TestSupport
import XCTest

/// The same checks against the BigQuery emulator (`BIGQUERY_EMULATOR_HOST`): GoogleSQL's
/// spelling of each query, run by bqemulator on DuckDB. Skipped without the emulator, except
/// under CI=true, where a missing emulator fails.
final class BigQueryEmulatorCheckTests: XCTestCase {
    func testEverySilverCheckPassesOnACleanRunInTheEmulator() throws {
        let host = try bigQueryEmulatorHost()
        let environment = ["BIGQUERY_EMULATOR_HOST": host]
        let warehouseURL = "bigquery://shopstream"
        let initialised = try runShopstream(["warehouse", "init", "--warehouse", warehouseURL], environment: environment)
        XCTAssertEqual(initialised.status, 0, initialised.stderr)
        // The emulator lives for the whole test run: start from empty silver tables.
        let warehouse = try makeWarehouse(url: warehouseURL, environment: environment)
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        for table in try SilverSchema(catalog: catalog).allTables {
            try warehouse.execute("DELETE FROM \(table.name) WHERE TRUE;")
        }
        let lake = "file://\(try temporaryDirectory(for: self))/lake"
        let run = try runShopstream(
            ["run", "--days", "2", "--lake", lake, "--warehouse", warehouseURL], timeout: 300, environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)

        // Everything but gold: gold._state in a shared emulator belongs to the compactor's tests.
        let r = try runShopstream(["check", "--warehouse", warehouseURL, "--lake", lake, "--select", "*silver*"], environment: environment)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let lines = checkLines(r.stdout)
        XCTAssertEqual(lines.count, 56, r.stdout)
        XCTAssertEqual(lines.filter { !$0.hasPrefix("PASS ") }, [], r.stdout)
    }

    func testGoldLagIsMeasuredByTheEmulatorsClock() throws {
        let host = try bigQueryEmulatorHost()
        try GoldLagContract(warehouse: makeWarehouse(url: "bigquery://shopstream", environment: ["BIGQUERY_EMULATOR_HOST": host])).run()
    }
}

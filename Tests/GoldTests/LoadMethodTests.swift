import Foundation
import ShopStreamWarehouse
import TestSupport
import XCTest

/// Silver's two ways into BigQuery land the same thing: one seed's events through `shopstream run`
/// with `--load insert-all` and with `--load storage-write` give the same silver rows (every
/// column but when each was read) and the same gold, on the BigQuery emulator.
final class LoadMethodTests: XCTestCase {
    func testInsertAllAndStorageWriteGiveIdenticalSilverAndGold() throws {
        _ = try requiredEnvironment("BIGQUERY_EMULATOR_HOST", "BIGQUERY_STORAGE_EMULATOR_HOST")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }

        var warehouses: [LoadMethod: BigQueryWarehouse] = [:]
        for method in LoadMethod.allCases {
            let project = "load-\(method.rawValue.prefix(6))-\(UUID().uuidString.prefix(6).lowercased())"
            let run = try shopstream(
                [
                    "run", "--days", "2", "--seed", "31", "--lake", "file://\(dir.path)/\(method.rawValue)",
                    "--warehouse", "bigquery://\(project)", "--load", method.rawValue,
                ], timeout: 600)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("gold:"), run.stdout)
            warehouses[method] = try BigQueryWarehouse(project: project, load: .insertAll)
        }
        let insertAll = warehouses[.insertAll]!, storageWrite = warehouses[.storageWrite]!

        let silver = ["customers", "products", "stores", "inventory", "sales", "payments", "shipping", "rejects"]
        let gold = try insertAll.query("SELECT table_name FROM gold.INFORMATION_SCHEMA.TABLES WHERE table_type = 'BASE TABLE'")
            .rows.compactMap { $0[0] }.filter { $0 != "_state" }
        XCTAssertGreaterThanOrEqual(gold.count, 10, "gold's tables: \(gold)")
        var compared = 0
        for table in silver.map({ "silver." + $0 }) + gold.map({ "gold." + $0 }) {
            let a = try rows(of: table, in: insertAll), b = try rows(of: table, in: storageWrite)
            XCTAssertEqual(a.count, b.count, "\(table): \(a.count) rows through insert-all, \(b.count) through storage-write")
            if let k = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) {
                XCTFail("\(table) differs between insert-all and storage-write, first at row \(k): \(a[k]) against \(b[k])")
            }
            compared += a.count
        }
        XCTAssertGreaterThan(try rows(of: "silver.sales", in: storageWrite).count, 100)
        print("load methods: \(compared) rows compared in \(silver.count) silver and \(gold.count) gold tables")
    }

    /// Every row of `table` as text, sorted; `_ingested_at` (when the sink read it) left out.
    private func rows(of table: String, in warehouse: BigQueryWarehouse) throws -> [[String?]] {
        let result = try warehouse.query("SELECT * FROM \(table)")
        let keep = result.columns.indices.filter { !["_ingested_at", "rejected_at"].contains(result.columns[$0]) }
        return result.rows.map { row in keep.map { row[$0] } }.sorted { $0.lexicographicallyPrecedes($1) { ($0 ?? "") < ($1 ?? "") } }
    }
}

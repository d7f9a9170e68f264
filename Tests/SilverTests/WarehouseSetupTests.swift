import Foundation
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse
import XCTest

/// Applying sql/silver/ to a warehouse: idempotent, and a missing folder said so in words a person can act on.
final class WarehouseSetupTests: XCTestCase {
    private func temporaryWarehouse() throws -> (SQLiteWarehouse, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (try SQLiteWarehouse(path: dir.appendingPathComponent("w.db").path), dir)
    }

    /// The repository's sql/ applied to `warehouse`.
    private func repositorySetup(of warehouse: any Warehouse) -> WarehouseSetup {
        let sql = topicsDirectory.deletingLastPathComponent().appendingPathComponent("sql")
        return WarehouseSetup(warehouse: warehouse, sqlDirectory: sql, schema: silverSchema)
    }

    func testApplyingTheRepositorysSQLTwiceCreatesTheModelWithNoDrift() throws {
        let (warehouse, dir) = try temporaryWarehouse()
        defer { try? FileManager.default.removeItem(at: dir) }
        let setup = repositorySetup(of: warehouse)
        XCTAssertEqual(try setup.apply(), [])
        XCTAssertEqual(try setup.apply(), [], "a second apply changes nothing")
        XCTAssertNotNil(try warehouse.columns(of: TableName("silver", "sales")))
    }

    /// The silver sink's look-up of ids it does not hold (old sales, dimensions another member read)
    /// is answered by an index on SQLite, not by scanning a table that grows with history.
    func testTheSinksIdLookUpsUseAnIndexOnSQLite() throws {
        let (warehouse, dir) = try temporaryWarehouse()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try repositorySetup(of: warehouse).apply(), [])
        for entity in EntityReference.referencedEntities {
            let lookUp = EntityReference.lookUpSQL(entity, ids: ["A-1", "B-2", "O'Brien"])
            let plan = try warehouse.query("EXPLAIN QUERY PLAN " + lookUp).rows.compactMap { $0.last ?? nil }
            let table = entity.rawValue
            XCTAssertTrue(
                plan.contains { $0.hasPrefix("SEARCH silver.\(table) USING") && $0.contains("INDEX \(table)_by_id") },
                "\(lookUp)\nis answered by \(table)_by_id, not a scan: \(plan)")
            XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN silver.\(table)") }, "\(lookUp): \(plan)")
        }
    }

    /// Silver keeps no index on event ids (random: every insert dirtied a page of it anywhere, issue
    /// 11); a warehouse made before loses them at the next set-up, and nothing else of it.
    func testSetUpDropsTheEventIdIndexesAWarehouseMadeBeforeStillHas() throws {
        let (warehouse, dir) = try temporaryWarehouse()
        defer { try? FileManager.default.removeItem(at: dir) }
        let setup = repositorySetup(of: warehouse)
        XCTAssertEqual(try setup.apply(), [])
        func indexes() throws -> Set<String> {
            Set(try warehouse.query("SELECT name FROM silver.sqlite_master WHERE type = 'index'").rows.compactMap { $0[0] })
        }
        let kept = try indexes()
        XCTAssertFalse(kept.contains { $0.hasSuffix("_by_event") }, "\(kept)")
        for table in ["sales", "payments", "shipping"] {
            try warehouse.execute("CREATE INDEX silver.\(table)_by_event ON \(table) (event_id);")
        }
        XCTAssertEqual(try setup.apply(), [])
        XCTAssertEqual(try indexes(), kept)
    }

    func testAFolderWithoutTheSQLNamesTheFileAndTheOption() throws {
        let (warehouse, dir) = try temporaryWarehouse()
        defer { try? FileManager.default.removeItem(at: dir) }
        let setup = WarehouseSetup(warehouse: warehouse, sqlDirectory: dir.appendingPathComponent("nowhere"), schema: silverSchema)
        XCTAssertThrowsError(try setup.apply()) { error in
            XCTAssertEqual((error as? SilverError)?.code, .missingSQL)
            XCTAssertEqual(
                "\(error)", "cannot read \(dir.path)/nowhere/silver/sqlite.sql; pass --sql DIR pointing at the repository's sql/ folder")
        }
    }

    /// A silver created before the source columns were bus-neutral is refused before anything is
    /// changed, with what to do, never with a raw SQL error from a view over a missing column.
    func testASilverOfTheKafkaOnlyColumnsIsRefusedSayingHowToRebuildIt() throws {
        let (warehouse, dir) = try temporaryWarehouse()
        defer { try? FileManager.default.removeItem(at: dir) }
        try warehouse.createDataset("silver")
        // The metadata columns silver.sales had before (sql/silver/sqlite.sql until December).
        try warehouse.execute(
            """
            CREATE TABLE silver.sales (event_id TEXT NOT NULL, _topic TEXT NOT NULL, _kafka_partition INT64 NOT NULL,
              _offset INT64 NOT NULL, _insert_id TEXT NOT NULL, _ingested_at TIMESTAMP NOT NULL);
            """)
        XCTAssertThrowsError(try repositorySetup(of: warehouse).apply()) { error in
            XCTAssertEqual((error as? SilverError)?.code, .schemaMismatch)
            let message = "\(error)"
            XCTAssertTrue(
                message.hasPrefix(
                    "silver.sales in \(warehouse.url) was created by an older ShopStream: it has _topic, _kafka_partition, _offset, where silver now names each row's source on either bus"
                ), message)
            XCTAssertTrue(message.contains("move the silver database file aside"), message)
            XCTAssertTrue(message.contains("run `shopstream warehouse init --warehouse \(warehouse.url)`"), message)
        }
        XCTAssertNil(try warehouse.columns(of: TableName("silver", "customers")), "refused before creating anything")
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// How the silver sink cuts what it read into inserts.
final class SilverBatchingTests: XCTestCase {
    private let customers = TableName("silver", "customers")

    /// Without --max-rows an insert carries as many rows as the warehouse carries best: 10,000 for
    /// SQLite (one transaction), here 10.
    func testAnInsertCarriesTheWarehousesRowsPerInsertUnlessToldOtherwise() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: (1...25).map { String(format: "CUS-%08d", $0) })
        let sqlite = try freshSQLiteWarehouse()
        XCTAssertEqual(sqlite.rowsPerInsert, 10_000)

        let warehouse = InterceptedWarehouse(sqlite)
        warehouse.rowsPerInsertGiven = 10
        try SilverSink(configuration: silverConfiguration(broker, grace: .seconds(5)), warehouse: warehouse, catalog: silverCatalog)
            .run(shouldStop: { false })
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["25"])
        XCTAssertEqual(warehouse.inserts(into: customers), 3, "10 + 10 + 5")

        var told = silverConfiguration(broker, grace: .seconds(5))
        told.maxRows = 20
        let other = InterceptedWarehouse(try freshSQLiteWarehouse())
        other.rowsPerInsertGiven = 10
        try SilverSink(configuration: told, warehouse: other, catalog: silverCatalog).run(shouldStop: { false })
        XCTAssertEqual(other.inserts(into: customers), 2, "20 + 5")
    }
}

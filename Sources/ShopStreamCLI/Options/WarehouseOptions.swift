import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse

/// Where the warehouse is, and the SQL that shapes it.
struct WarehouseOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The warehouse: bigquery://PROJECT ($BIGQUERY_EMULATOR_HOST points it at an emulator) or sqlite:///PATH.db. Default: $SHOPSTREAM_WAREHOUSE, else sqlite://./warehouse.db.",
        valueName: "url"))
    var warehouse: String?

    @Option(help: ArgumentHelp("Folder of warehouse SQL. Default: ./sql, else the source checkout's.", valueName: "dir"))
    var sql: String?

    var url: String {
        warehouse ?? ProcessInfo.processInfo.environment["SHOPSTREAM_WAREHOUSE"] ?? "sqlite://./warehouse.db"
    }

    func open() throws -> any Warehouse {
        try makeWarehouse(url: url, environment: ProcessInfo.processInfo.environment)
    }

    func setup(_ warehouse: any Warehouse, catalog: TopicCatalog) throws -> WarehouseSetup {
        WarehouseSetup(warehouse: warehouse, sqlDirectory: sql.map { URL(fileURLWithPath: $0) } ?? WarehouseSetup.defaultDirectory(),
                       schema: try SilverSchema(catalog: catalog))
    }
}

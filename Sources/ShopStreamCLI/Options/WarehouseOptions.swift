import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse

/// Where the warehouse is.
struct WarehouseOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The warehouse: bigquery://PROJECT ($BIGQUERY_EMULATOR_HOST points it at an emulator) or sqlite:///PATH.db. Default: $SHOPSTREAM_WAREHOUSE, else sqlite://./warehouse.db.",
            valueName: "url"))
    var warehouse: String?

    var url: String {
        warehouse ?? ProcessInfo.processInfo.environment["SHOPSTREAM_WAREHOUSE"] ?? "sqlite://./warehouse.db"
    }

    /// Opens the warehouse; a SQLite file is created when missing (the sinks make it). `load`
    /// chooses BigQuery's load path (nil: its default); `durability` a SQLite file's.
    func open(load: LoadMethod? = nil, durability: SQLiteWarehouse.Durability = .eachCommit) throws -> any Warehouse {
        try makeWarehouse(url: url, environment: ProcessInfo.processInfo.environment, load: load, durability: durability)
    }

    /// Opens a warehouse that must exist already: for commands that read silver, where opening
    /// a mistyped SQLite path would create an empty file and report on nothing.
    func openExisting() throws -> any Warehouse {
        if case .sqlite(let path) = try WarehouseURL(parsing: url, currentDirectory: FileManager.default.currentDirectoryPath),
            !FileManager.default.fileExists(atPath: path)
        {
            throw CommandFailure("there is no SQLite warehouse at \(path); check --warehouse (the pipeline's sinks create it)")
        }
        return try open()
    }
}

/// The folder of warehouse SQL, for the commands that apply it.
struct SQLOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of warehouse SQL. Default: ./sql, else the source checkout's.", valueName: "dir"))
    var sql: String?

    var directory: URL {
        sql.map { URL(fileURLWithPath: $0) } ?? WarehouseSetup.defaultDirectory()
    }

    func setup(_ warehouse: any Warehouse, catalog: TopicCatalog) throws -> WarehouseSetup {
        WarehouseSetup(warehouse: warehouse, sqlDirectory: directory, schema: try SilverSchema(catalog: catalog))
    }
}

extension LoadMethod: ExpressibleByArgument {}

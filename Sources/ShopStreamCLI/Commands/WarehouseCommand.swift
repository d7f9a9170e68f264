import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct WarehouseCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "warehouse",
            abstract: "Set up and query the warehouse (BigQuery or SQLite).",
            subcommands: [Init.self, Query.self])
    }
}

extension ShopStreamCommand.WarehouseCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the silver dataset, tables and views of sql/ that are missing; report drift.",
            discussion:
                "Idempotent: CREATE … IF NOT EXISTS. A table whose columns differ from sql/ is reported, never altered, and the command exits 2."
        )
        @OptionGroup var options: WarehouseOptions
        @OptionGroup var sqlOptions: SQLOptions
        @Option(help: ArgumentHelp("Folder of topic definitions (the silver model derives from them).", valueName: "dir"))
        var topics: String?

        func run() throws {
            let drift = try reportingErrors { () -> [String] in
                let warehouse = try options.open()
                let catalog = try TopicCatalog.load(directory: topics.map { URL(fileURLWithPath: $0) } ?? TopicCatalog.defaultDirectory())
                let setup = try sqlOptions.setup(warehouse, catalog: catalog)
                let drift = try setup.apply()
                print("warehouse: \(warehouse.url)")
                for file in setup.files { print("applied: \(file.path)") }
                for line in drift { print("DRIFT: \(line)") }
                if drift.isEmpty { print("every silver table matches sql/") }
                return drift
            }
            if !drift.isEmpty { throw ExitCode(2) }
        }
    }

    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one SQL query and print the rows, tab-separated.")
        @OptionGroup var options: WarehouseOptions
        @Argument(help: "The query, e.g. \"SELECT COUNT(*) FROM silver.sales\".") var query: String

        func run() throws {
            try reportingErrors {
                let result = try options.openExisting().query(query)
                print(result.columns.joined(separator: "\t"))
                for row in result.rows { print(row.map { $0 ?? "NULL" }.joined(separator: "\t")) }
            }
        }
    }
}

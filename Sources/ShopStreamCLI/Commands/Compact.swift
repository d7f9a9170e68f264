import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamGold
import ShopStreamSinks
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Compact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the gold tables from silver, rebuilding only the business dates that changed.",
            discussion: """
                Gold is what the dashboards read: daily sales per store, product performance,
                salespeople by month, payment mix, customer growth and segments, inventory
                health, shipping performance, and a monthly executive summary (the view
                gold.executive_summary adds growth against the previous month). Each table's
                grain and columns are in sql/gold/tables.<bigquery|sqlite>.sql; the SQL that
                builds them is sql/gold/build.<bigquery|sqlite>.sql.

                A pass counts silver's rows per business date and compares them with the counts
                of the last pass (kept in gold._state): only the dates (and months) whose
                counts changed are rebuilt, so a pass costs what the new data costs, not the
                history. The rebuild and the new state commit as one transaction: running it
                twice changes nothing, and rows the sinks write meanwhile are picked up by the
                next pass. The first pass, and --full-refresh, rebuild every table whole.

                A gold table whose columns differ from sql/ (an older ShopStream made it)
                stops the pass with the difference named; --full-refresh drops and re-creates
                such tables, then rebuilds gold from silver.

                Examples:
                  shopstream compact --warehouse sqlite://./demo/warehouse.db
                  shopstream compact --warehouse bigquery://my-project --every 60s
                  shopstream compact --full-refresh      # re-label history after renaming a store
                """)

        @OptionGroup var options: WarehouseOptions
        @OptionGroup var sqlOptions: SQLOptions

        @Option(help: ArgumentHelp("Keep going: a pass every interval (e.g. 30s, 5m) until Ctrl-C.", valueName: "interval"))
        var every: String?

        @Flag(help: "Rebuild every gold table whole, and the state with it; re-create tables whose columns differ from sql/.")
        var fullRefresh = false

        func validate() throws {
            if let every {
                guard let interval = Duration(parsing: every), interval > .zero else {
                    throw ValidationError("--every takes a duration like 500ms, 30s, 2m or 1h, not '\(every)'")
                }
            }
        }

        func run() throws {
            let compactor = try reportingErrors { () -> Compactor in
                let warehouse = try options.openExisting()
                return try Compactor(warehouse: warehouse, sql: GoldSQL(directory: sqlOptions.directory, dialect: warehouse.dialect))
            }
            guard let every, let interval = Duration(parsing: every) else {
                try reportingErrors { try pass(compactor, fullRefresh: fullRefresh) }
                return
            }
            let shutdown = ShutdownSignal()
            note("compact: a pass every \(every) on \(compactor.warehouse.url); Ctrl-C stops")
            var full = fullRefresh
            while !shutdown.isRequested {
                do {
                    try pass(compactor, fullRefresh: full)
                    full = false
                } catch {
                    // A failed pass commits nothing: say why and try again next time.
                    note("compact: pass failed, retrying in \(every): \(error)")
                }
                let deadline = ContinuousClock.now + interval
                while !shutdown.isRequested && ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
        }

        private func pass(_ compactor: Compactor, fullRefresh: Bool) throws {
            let report = try compactor.compact(fullRefresh: fullRefresh)
            // Unbuffered, so `compact --every … | tee log` shows each pass as it ends.
            let text = (["\(Self.now()) \(report.summary)"] + report.lines.map { "  \($0)" }).joined(separator: "\n") + "\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        }

        static func now() -> String {
            let formatter = ISO8601DateFormatter()
            return formatter.string(from: Date())
        }
    }
}

import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import ShopStreamCore
import ShopStreamGold
import ShopStreamServer
import ShopStreamService
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Compact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the gold tables from silver, rebuilding only the business dates that changed.",
            discussion: """
                Gold is what the dashboards read: daily sales per store, product performance, \
                salespeople by month, payment mix, customer growth and segments, inventory \
                health, shipping performance, and a monthly executive summary (the view \
                gold.executive_summary adds growth against the previous month). Each table's \
                grain and columns are in sql/gold/tables.<bigquery|sqlite>.sql; the SQL that \
                builds them is sql/gold/build.<bigquery|sqlite>.sql.

                A pass counts silver's rows per business date and compares them with the counts \
                of the last pass (kept in gold._state): only the dates (and months) whose \
                counts changed are rebuilt, so a pass costs what the new data costs, not the \
                history. The rebuild and the new state commit as one transaction: running it \
                twice changes nothing, and rows the sinks write meanwhile are picked up by the \
                next pass. The first pass, and --full-refresh, rebuild every table whole.

                A gold table whose columns differ from sql/ (an older ShopStream made it) \
                stops the pass with the difference named; --full-refresh drops and re-creates \
                such tables, then rebuilds gold from silver.

                Examples:
                  shopstream compact --warehouse sqlite://./demo/warehouse.db
                  shopstream compact --warehouse bigquery://my-project --every 60s
                  shopstream compact --full-refresh   # re-label history after renaming a store
                """)

        @OptionGroup var options: WarehouseOptions
        @OptionGroup var sqlOptions: SQLOptions

        @Option(help: "Keep going: a pass this often until Ctrl-C.")
        var every: Duration?

        @Flag(help: "Rebuild every gold table whole, and the state with it; re-create tables whose columns differ from sql/.")
        var fullRefresh = false

        @OptionGroup(title: "With --every") var service: ServiceOptions

        func validate() throws {
            if let every {
                guard every > .zero else { throw ValidationError("--every 0s: expected a duration longer than 0s, such as 30s") }
            } else if service.http != nil {
                throw ValidationError("--http is for a compactor that keeps running: add --every")
            }
        }

        func run() throws {
            if every != nil { service.bootstrap() }
            let compactor = try reportingErrors { () -> Compactor in
                let warehouse = try options.openExisting()
                return try Compactor(warehouse: warehouse, sql: GoldSQL(directory: sqlOptions.directory, dialect: warehouse.dialect))
            }
            guard let interval = every else {
                try reportingErrors { try pass(compactor, fullRefresh: fullRefresh) }
                return
            }
            let logger = Logger(label: "shopstream.compactor")
            logger.info("a pass every \(DurationArgument.format(interval)) on \(compactor.warehouse.url); Ctrl-C stops")
            let health = Health()
            // Gold's lag is measured against the newest row silver holds, read before each pass's wait.
            let silver = try reportingErrors { try options.openExisting() }
            let loop = CompactionLoop(
                compactor: compactor, interval: interval, fullRefresh: fullRefresh,
                newestSilver: { newestIngest(in: silver) },
                probe: health.probe("compactor", maxSilence: interval + .seconds(600)),
                onPass: { report in Self.print(report) })
            var services: [any Service] = []
            if let address = service.http?.value {
                services.append(StatusServer(host: address.host, port: address.port, health: health).service())
            }
            services.append(
                BlockingService("compactor", whenShuttingDown: .now) { stop in
                    // The lag's read of silver waits like the pass does: an abandon ends both.
                    silver.interruptWaits(on: stop)
                    loop.run(stop: stop)
                })
            try reportingErrors { try service.runner.run(services) }
        }

        private func pass(_ compactor: Compactor, fullRefresh: Bool) throws {
            Self.print(try compactor.compact(fullRefresh: fullRefresh))
        }

        /// A pass's report on stdout, unbuffered, so `compact --every … | tee log` shows each pass as it ends.
        static func print(_ report: CompactionReport) {
            let text = (["\(now()) \(report.summary)"] + report.lines.map { "  \($0)" }).joined(separator: "\n") + "\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        }

        static func now() -> String {
            let formatter = ISO8601DateFormatter()
            return formatter.string(from: Date())
        }
    }
}

/// When silver last received a row: the newest `_ingested_at` of the fact tables (nil when empty or unreadable).
func newestIngest(in warehouse: any Warehouse) -> Date? {
    var newest: Int64?
    for table in ["sales", "payments", "shipping"] {
        guard let text = try? warehouse.query("SELECT MAX(_ingested_at) FROM silver.\(table)").rows.first?.first ?? nil,
            let micros = TimestampText.microseconds(parsing: text)
        else { continue }
        newest = max(newest ?? micros, micros)
    }
    return newest.map { Date(timeIntervalSince1970: Double($0) / 1e6) }
}

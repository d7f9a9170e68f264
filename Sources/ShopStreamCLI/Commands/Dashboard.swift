import ArgumentParser
import Foundation
import Logging
import ShopStreamDashboard
import ShopStreamGold
import ShopStreamServer
import ShopStreamService
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Dashboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboard: one HTML page over the gold tables.",
            discussion: """
                Reads gold only (build it with `shopstream compact`) and writes one \
                self-contained HTML file — no script, nothing fetched — to open in a browser:

                  executive summary     net revenue, orders, average order, customers, last 7
                                        days against the 7 before, declined payments, on-time
                                        deliveries; revenue per day; regions; payment methods;
                                        month by month with growth
                  sales analytics       top products, categories, top salespeople, every store
                                        with its discount rate
                  customer insights     customers over time; segments by loyalty tier, age band,
                                        gender and province (orders and revenue per customer)
                  inventory, shipping   stock below reorder level, damaged units, restock cycle;
                                        carriers' on-time share, delay, damaged, returned, lost

                On GCP, Looker Studio reads the same tables (views in sql/looker/).

                --period limits what is read to gold's last 7, 30 or 90 days (counted back from its \
                newest sale), or reads all of it (the default for the file). Customer segments and \
                stock are snapshots of now whatever the period; monthly tables show whole months.

                With --serve, it serves the page instead, read from gold at each load and reloading \
                itself every 5 seconds, over a warehouse that something else keeps filling \
                (`run --live` serves the same page itself), with /metrics, /healthz and /readyz. \
                The served page shows when it was read and how old gold is, and links to each \
                period (`/?period=7`, 30, 90, all; without one, the last 30 days).

                Examples:
                  shopstream dashboard --warehouse sqlite://./demo/warehouse.db \\
                    --out demo/dashboard.html
                  shopstream dashboard --warehouse sqlite://./demo/warehouse.db \\
                    --period 30 --out demo/month.html
                  shopstream dashboard --serve --http 127.0.0.1:8080 \\
                    --warehouse sqlite://./demo/warehouse.db
                  shopstream dashboard --warehouse bigquery://my-project \\
                    --out /tmp/shopstream.html
                """)

        @OptionGroup var options: WarehouseOptions

        @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write (replaced if it exists).", valueName: "file"))
        var out = "dashboard.html"

        @Option(
            help: ArgumentHelp(
                "How much history the file shows: 7, 30 or 90 (days up to gold's newest sale) or all. Served, the page's links choose.",
                valueName: "period"))
        var period: DashboardPeriod = .all

        @Flag(help: "Serve the page over HTTP (at --http, default 127.0.0.1:8080) until Ctrl-C, instead of writing it.")
        var serve = false

        @OptionGroup(title: "Service") var service: ServiceOptions

        func validate() throws {
            if service.http != nil && !serve { throw ValidationError("--http is for --serve; add --serve, or leave it out") }
            if serve && period != .all { throw ValidationError("--period is for the file; the served page takes ?period=7|30|90|all") }
        }

        func run() throws {
            if serve { return try runServer() }
            try reportingErrors {
                let warehouse = try options.openExisting()
                let path = try Self.write(from: warehouse, period: period, to: out)
                print("wrote \(path): open it in a browser")
            }
        }

        private func runServer() throws {
            service.bootstrap()
            let logger = Logger(label: "shopstream.dashboard")
            try reportingErrors {
                let warehouse = try options.openExisting()
                let health = Health()
                health.probe("dashboard", maxSilence: nil).ready(true)
                let address = service.http?.value ?? HTTPAddress(host: "127.0.0.1", port: 8080)
                let server = StatusServer(
                    host: address.host, port: address.port, health: health,
                    page: { query in
                        try LiveDashboard.page(from: warehouse, query: query, goldLag: nil)
                    })
                try service.runner.run([
                    server.service(onListening: { port in
                        logger.notice(
                            "serving the dashboard over \(warehouse.url) at http://\(address.host == "0.0.0.0" ? "127.0.0.1" : address.host):\(port)/ (Ctrl-C stops)"
                        )
                    })
                ])
            }
        }

        /// Reads gold over `period` (all but `kpis`, when given for the same period) and writes the
        /// page; returns the file's absolute path. Shared with `run`.
        static func write(from warehouse: any Warehouse, period: DashboardPeriod = .all, kpis: ExecutiveKPIs? = nil, to file: String) throws
            -> String
        {
            guard try warehouse.columns(of: GoldTable.dailySales.tableName) != nil else {
                throw CommandFailure(
                    "\(warehouse.url) has no gold tables: build them with `shopstream compact --warehouse \(warehouse.url)` first")
            }
            let formatter = ISO8601DateFormatter()
            let page = DashboardPage(
                data: try DashboardData.read(from: warehouse, period: period, kpis: kpis), source: warehouse.url,
                generatedAt: formatter.string(from: Date()))
            let url = URL(fileURLWithPath: file)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(page.html.utf8).write(to: url, options: .atomic)
            } catch {
                throw CommandFailure("cannot write the dashboard to \(url.path): \(error.localizedDescription)")
            }
            return url.standardizedFileURL.path
        }
    }
}

extension DashboardPeriod: ExpressibleByArgument {}

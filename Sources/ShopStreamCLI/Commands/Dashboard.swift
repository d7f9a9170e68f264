import ArgumentParser
import Foundation
import ShopStreamDashboard
import ShopStreamGold
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Dashboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboard: one HTML page over the gold tables.",
            discussion: """
                Reads gold only (build it with `shopstream compact`) and writes one
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

                Examples:
                  shopstream dashboard --warehouse sqlite://./demo/warehouse.db --out demo/dashboard.html
                  shopstream dashboard --warehouse bigquery://my-project --out /tmp/shopstream.html
                """)

        @OptionGroup var options: WarehouseOptions

        @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write (replaced if it exists).", valueName: "file"))
        var out = "dashboard.html"

        func run() throws {
            try reportingErrors {
                let warehouse = try options.openExisting()
                let path = try Self.write(from: warehouse, to: out)
                print("wrote \(path): open it in a browser")
            }
        }

        /// Reads gold (all but `kpis`, when given) and writes the page; returns the file's
        /// absolute path. Shared with `run`.
        static func write(from warehouse: any Warehouse, kpis: ExecutiveKPIs? = nil, to file: String) throws -> String {
            guard try warehouse.columns(of: GoldTable.dailySales.tableName) != nil else {
                throw CommandFailure("\(warehouse.url) has no gold tables: build them with `shopstream compact --warehouse \(warehouse.url)` first")
            }
            let formatter = ISO8601DateFormatter()
            let page = DashboardPage(data: try DashboardData.read(from: warehouse, kpis: kpis), source: warehouse.url,
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

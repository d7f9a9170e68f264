import Foundation
import ShopStreamGold
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamDashboard

/// The dashboard page: gold's numbers, the same on both engines, safely written.
final class DashboardTests: XCTestCase {
    func testEverySectionAddsUpToWhatTheSimulationSold() throws {
        let warehouse = try sqliteWarehouse()
        let history = try History(into: warehouse)
        try history.load(days: 9)
        try compactor(warehouse).compact()
        let stats = history.simulator.stats
        let data = try DashboardData.read(from: warehouse)

        XCTAssertEqual(data.kpis.netRevenuePaisa, stats.revenuePaisa)
        XCTAssertEqual(data.days.count, 9)
        XCTAssertEqual(data.days.reduce(0) { $0 + $1.netPaisa }, stats.revenuePaisa, "revenue per day")
        XCTAssertEqual(data.days.reduce(0) { $0 + $1.orders }, stats.sales, "orders per day")
        XCTAssertEqual(data.months.reduce(0) { $0 + $1.netPaisa }, stats.revenuePaisa, "month by month")
        XCTAssertEqual(data.regions.reduce(0) { $0 + $1.paisa }, stats.revenuePaisa, "regions")
        XCTAssertEqual(data.categories.reduce(0) { $0 + $1.paisa }, stats.revenuePaisa, "categories")
        XCTAssertEqual(data.stores.reduce(0) { $0 + $1.orders }, stats.sales, "stores")
        XCTAssertEqual(data.stores.reduce(0) { $0 + $1.discountsPaisa }, stats.discountPaisa, "stores' discounts")
        XCTAssertEqual(data.regions.map(\.paisa), data.regions.map(\.paisa).sorted(by: >), "regions, largest first")
        XCTAssertEqual(data.topProducts.count, 10)
        XCTAssertEqual(data.topProducts.map(\.netPaisa), data.topProducts.map(\.netPaisa).sorted(by: >), "top products, best first")
        for (dimension, rows) in data.segments {
            XCTAssertEqual(rows.reduce(0) { $0 + $1.customers }, stats.customers, "every customer in one \(dimension)")
            XCTAssertEqual(rows.reduce(0) { $0 + $1.netPaisa }, stats.revenuePaisa, "all revenue across \(dimension)s")
        }
        XCTAssertEqual(data.segments.map(\.dimension), ["loyalty tier", "age band", "gender", "province"])
        XCTAssertEqual(
            data.segments[0].rows.map(\.label),
            ["Bronze", "Silver", "Gold", "Platinum"].filter { tier in
                data.segments[0].rows.contains { $0.label == tier }
            }, "tiers in their order")
        let silverPayments = try warehouse.query("SELECT COUNT(DISTINCT event_id) FROM silver.payments").scalar
        XCTAssertEqual("\(data.payments.reduce(0) { $0 + $1.attempts })", silverPayments, "every payment event in the mix")
        let pairs = try warehouse.query("SELECT COUNT(DISTINCT inventory_id) FROM silver.inventory").scalar
        XCTAssertEqual("\(data.inventory.pairs)", pairs, "every stock pair")
        XCTAssertGreaterThan(
            data.inventory.belowReorder, 0, "nine days leave pairs below their reorder level, so the list below is not empty")
        XCTAssertTrue(
            data.inventory.lowest.allSatisfy { $0.stock < $0.reorderLevel }, "the low-stock list holds only pairs below reorder level")
        XCTAssertEqual(data.inventory.lowest.count, min(12, data.inventory.belowReorder))
        let shipments = try warehouse.query("SELECT SUM(shipments) FROM gold.shipping_daily").scalar
        XCTAssertEqual("\(data.carriers.reduce(0) { $0 + $1.shipments })", shipments, "every shipment by carrier")

        let html = DashboardPage(data: data, source: warehouse.url, generatedAt: "2025-02-06T00:00:00Z").html
        XCTAssertTrue(
            html.contains(
                "<div class=\"card\" id=\"kpi-net-revenue\"><div class=\"title\">Net revenue</div><div class=\"value\">\(pkr(stats.revenuePaisa))</div>"
            ), "the headline is gold's net revenue")
        for id in [
            "executive", "sales", "customers", "operations", "daily-revenue", "regions", "payments", "months", "products",
            "categories", "salespeople", "stores", "customer-growth", "segments-loyalty-tier", "low-stock", "carriers",
        ] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), "the page has \(id)")
        }
        XCTAssertTrue(html.contains(Self.escaped(data.topProducts[0].name)), "the best product is named")
        XCTAssertFalse(html.contains("<script"), "no script")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "nothing to fetch")
    }

    func testSQLiteAndTheEmulatorShowTheSameDashboard() throws {
        let bigquery = try emulatorWarehouse()
        let sqlite = try sqliteWarehouse()
        for warehouse in [sqlite, bigquery] {
            try History(into: warehouse).load(days: 5)
            try compactor(warehouse).compact()
        }
        let a = try DashboardData.read(from: sqlite), b = try DashboardData.read(from: bigquery)
        XCTAssertEqual(a.kpis.netRevenuePaisa, b.kpis.netRevenuePaisa)
        XCTAssertEqual(a.kpis.customers, b.kpis.customers)
        XCTAssertEqual(a.days, b.days)
        XCTAssertEqual(a.customerDays, b.customerDays)
        XCTAssertEqual(a.months, b.months)
        XCTAssertEqual(a.regions, b.regions)
        XCTAssertEqual(a.categories, b.categories)
        XCTAssertEqual(a.stores, b.stores)
        XCTAssertEqual(a.topProducts, b.topProducts)
        XCTAssertEqual(a.topSalespeople, b.topSalespeople)
        XCTAssertEqual(a.payments, b.payments)
        XCTAssertEqual(a.segments.map(\.dimension), b.segments.map(\.dimension))
        XCTAssertEqual(a.segments.map(\.rows), b.segments.map(\.rows))
        XCTAssertEqual(a.inventory.lowest, b.inventory.lowest)
        XCTAssertEqual(
            [a.inventory.pairs, a.inventory.belowReorder, a.inventory.units, a.inventory.damaged],
            [b.inventory.pairs, b.inventory.belowReorder, b.inventory.units, b.inventory.damaged])
        // Both must have one: two missing averages would be equal and prove nothing.
        XCTAssertEqual(
            try XCTUnwrap(a.inventory.averageRestockCycleDays, "SQLite has restock cycles"),
            try XCTUnwrap(b.inventory.averageRestockCycleDays, "the emulator has restock cycles"), accuracy: 1e-9)
        XCTAssertEqual(a.carriers, b.carriers)

        // A period's date filter, in each engine's SQL.
        let a7 = try DashboardData.read(from: sqlite, period: .days7), b7 = try DashboardData.read(from: bigquery, period: .days7)
        XCTAssertEqual(a7.since, b7.since)
        XCTAssertEqual(a7.days.count, 5, "7 days of a 5-day history")
        XCTAssertEqual(a7.days, b7.days)
        XCTAssertEqual(a7.kpis.netRevenuePaisa, b7.kpis.netRevenuePaisa)
        XCTAssertEqual(a7.kpis.newCustomers, b7.kpis.newCustomers)
        XCTAssertEqual(a7.months, b7.months)
        XCTAssertEqual(a7.payments, b7.payments)
        XCTAssertEqual(
            a7.lastCompaction.flatMap(Format.instant) == nil, false, "gold._state's time reads as an instant: \(a7.lastCompaction ?? "nil")"
        )
        XCTAssertEqual(b7.lastCompaction.flatMap(Format.instant) == nil, false, "on BigQuery too: \(b7.lastCompaction ?? "nil")")
    }

    func testTextFromTheWarehouseIsEscaped() throws {
        var data = DashboardData(kpis: ExecutiveKPIs())
        data.kpis.firstDay = "2025-01-01"
        data.kpis.lastDay = "2025-01-01"
        data.kpis.orders = 1
        data.stores = [
            .init(
                id: "STR-1", name: "<script>alert(1)</script> & \"Sons\"", city: "Lahore", region: "Central",
                orders: 1, netPaisa: 100, discountsPaisa: 0, grossPaisa: 100)
        ]
        let html = DashboardPage(data: data, source: "sqlite:///tmp/<w>.db", generatedAt: "now").html
        XCTAssertFalse(html.contains("<script>"), "a store's name is text, not markup")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Sons&quot;"), html)
        XCTAssertTrue(html.contains("sqlite:///tmp/&lt;w&gt;.db"))
    }

    func testGoldWithoutSalesSaysWhatToRun() {
        let html = DashboardPage(data: DashboardData(kpis: ExecutiveKPIs()), source: "sqlite:///w.db", generatedAt: "now").html
        XCTAssertTrue(html.contains("<h2>No sales in gold yet</h2>"), html)
        XCTAssertTrue(html.contains("<code>shopstream compact</code>"), html)
        XCTAssertFalse(html.contains("id=\"executive\""), "no empty charts")
    }

    func testTheCommandWritesThePageAndRefusesAWarehouseWithoutGold() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = "sqlite://\(dir.path)/w.db"
        XCTAssertEqual(try shopstream(["backfill", "--warehouse", url, "--days", "3", "--start", "2025-03-01", "-q"]).status, 0)

        let early = try shopstream(["dashboard", "--warehouse", url, "--out", dir.path + "/page.html"])
        XCTAssertEqual(early.status, 1)
        XCTAssertEqual(early.stderr, "error: \(url) has no gold tables: build them with `shopstream compact --warehouse \(url)` first\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path + "/page.html"))

        XCTAssertEqual(try shopstream(["compact", "--warehouse", url]).status, 0)
        let r = try shopstream(["dashboard", "--warehouse", url, "--out", dir.path + "/out/page.html"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "wrote \(dir.path)/out/page.html: open it in a browser\n")
        let html = try String(contentsOfFile: dir.path + "/out/page.html", encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("all of gold: 2025-03-01 … 2025-03-03, 3 days with sales"), "the file shows all of gold by default")

        let week = try shopstream(["dashboard", "--warehouse", url, "--period", "7", "--out", dir.path + "/week.html"])
        XCTAssertEqual(week.status, 0, week.stderr)
        XCTAssertTrue(
            try String(contentsOfFile: dir.path + "/week.html", encoding: .utf8).contains(
                "<span id=\"period\">last 7 days: 2025-03-01 … 2025-03-03,"),
            "--period 7 names its period")
    }

    // MARK: Periods

    func testAPeriodShowsGoldsLastDaysOnly() throws {
        let warehouse = try sqliteWarehouse()
        try History(into: warehouse, ordersPerDay: 30).load(days: 40)
        try compactor(warehouse).compact()
        let all = try DashboardData.read(from: warehouse)
        XCTAssertEqual(all.days.count, 40, "every day has sales")
        XCTAssertNil(all.since)

        for period in [DashboardPeriod.days7, .days30] {
            let n = period.days!
            let data = try DashboardData.read(from: warehouse, period: period)
            let first = all.days[40 - n].day
            // Gold's own sums over the same days, by SQL of the test's own.
            func gold(_ sql: String) throws -> Int64 { Int64(try warehouse.query(sql).scalar ?? "") ?? -1 }
            let net = try gold("SELECT SUM(paisa(net_revenue)) FROM gold.daily_sales WHERE sale_date >= '\(first)'")
            let orders = try gold("SELECT SUM(orders) FROM gold.daily_sales WHERE sale_date >= '\(first)'")

            XCTAssertEqual(data.period, period)
            XCTAssertEqual(data.since, first, "\(n) days back from gold's newest sale")
            XCTAssertEqual(data.days, Array(all.days.suffix(n)), "\(n) days: the last \(n) days of gold, as all of it shows them")
            XCTAssertEqual([data.kpis.firstDay, data.kpis.lastDay], [first, all.kpis.lastDay])
            XCTAssertEqual(data.kpis.netRevenuePaisa, net, "\(n) days: net revenue")
            XCTAssertEqual(Int64(data.kpis.orders), orders, "\(n) days: orders")
            XCTAssertLessThan(data.kpis.netRevenuePaisa, all.kpis.netRevenuePaisa)
            XCTAssertEqual(data.regions.reduce(0) { $0 + $1.paisa }, net, "\(n) days: regions")
            XCTAssertEqual(Int64(data.stores.reduce(0) { $0 + $1.orders }), orders, "\(n) days: stores")
            XCTAssertEqual(data.categories.reduce(0) { $0 + $1.paisa }, net, "\(n) days: categories")
            XCTAssertEqual(
                Int64(data.payments.reduce(0) { $0 + $1.attempts }),
                try gold("SELECT SUM(attempts) FROM gold.payment_daily WHERE payment_date >= '\(first)'"), "\(n) days: payments")
            XCTAssertEqual(
                Int64(data.carriers.reduce(0) { $0 + $1.shipments }),
                try gold("SELECT SUM(shipments) FROM gold.shipping_daily WHERE shipped_date >= '\(first)'"), "\(n) days: carriers")
            XCTAssertEqual(data.kpis.customers, all.kpis.customers, "everyone signed up by the last day")
            XCTAssertEqual(
                Int64(data.kpis.newCustomers),
                try gold("SELECT SUM(new_customers) FROM gold.customer_daily WHERE day >= '\(first)' AND day <= '\(all.kpis.lastDay!)'"),
                "\(n) days: new customers")
            XCTAssertEqual(
                data.months.map(\.month), all.months.map(\.month).filter { $0 >= String(first.prefix(7)) }, "whole months from the first")
            XCTAssertEqual(data.segments.map(\.rows), all.segments.map(\.rows), "segments: every customer, whatever the period")

            let html = DashboardPage(data: data, source: warehouse.url, generatedAt: "now").html
            XCTAssertTrue(
                html.contains("last \(n) days: \(first) … \(all.kpis.lastDay!), \(n) days with sales"), "the header names the period")
            XCTAssertTrue(html.contains(">\(pkr(net))</div>"), "the headline is the period's net revenue")
        }
        let ninety = try DashboardData.read(from: warehouse, period: .days90)
        XCTAssertEqual(ninety.days, all.days, "a period longer than gold holds shows all of it")
        XCTAssertEqual(ninety.kpis.netRevenuePaisa, all.kpis.netRevenuePaisa)
    }

    func testAPeriodIsFilteredInTheQueriesNotAfterReading() throws {
        let warehouse = try sqliteWarehouse()
        try History(into: warehouse, ordersPerDay: 30).load(days: 12)
        try compactor(warehouse).compact()
        let recording = RecordingWarehouse(warehouse)
        let data = try DashboardData.read(from: recording, period: .days7)
        let since = try XCTUnwrap(data.since)
        let month = String(since.prefix(8)) + "01"
        let dated = [
            "daily_sales": "sale_date", "product_daily": "sale_date", "payment_daily": "payment_date",
            "shipping_daily": "shipped_date", "customer_daily": "day", "executive_monthly": "month", "salesperson_monthly": "month",
        ]
        var bounded: Set<String> = []
        for sql in recording.queries {
            for (table, column) in dated where sql.range(of: "gold\\.\(table)\\b", options: .regularExpression) != nil {
                let from = table.hasSuffix("monthly") ? month : since
                if sql.contains("\(column) >= '\(from)'") { bounded.insert(table); continue }
                // Bounded otherwise: where the period ends, and the newest few rows (the last 14 days
                // with sales for the week-on-week card, the newest count of customers).
                let allowed = sql.hasPrefix("SELECT MAX(sale_date) FROM gold.daily_sales") || sql.contains("DESC LIMIT")
                XCTAssertTrue(allowed, "a query over gold.\(table) that reads all of its history:\n\(sql)")
            }
        }
        XCTAssertEqual(bounded, Set(dated.keys), "every dated table is read from the period's first day")
    }

    func testTheServedPageReloadsItselfLinksEachPeriodAndSaysHowOldGoldIs() throws {
        let warehouse = try sqliteWarehouse()
        try History(into: warehouse, ordersPerDay: 30).load(days: 3)
        let waiting = try LiveDashboard.page(from: warehouse, query: [:], goldLag: nil)
        XCTAssertTrue(waiting.contains("<meta http-equiv=refresh content=5>"), "before gold exists the page waits for it: \(waiting)")
        try compactor(warehouse).compact()

        let compacted = try XCTUnwrap(DashboardData.read(from: warehouse).lastCompaction, "gold._state records the pass")
        let later = try XCTUnwrap(Format.instant(compacted)).addingTimeInterval(125)
        let html = try LiveDashboard.page(from: warehouse, query: ["period": "7"], goldLag: nil, now: later)
        XCTAssertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"), "it reloads itself every 5 s, at the same URL")
        XCTAssertTrue(html.contains("<strong aria-current=\"page\">7 days</strong>"), "the period shown is not a link")
        for (value, label) in [("30", "30 days"), ("90", "90 days"), ("all", "all")] {
            XCTAssertTrue(html.contains("<a href=\"?period=\(value)\" id=\"period-\(value)\">\(label)</a>"), "a plain link to \(label)")
        }
        XCTAssertTrue(html.contains("<span id=\"read-at\">\(ISO8601DateFormatter().string(from: later))</span>"), "when gold was read")
        XCTAssertTrue(html.contains("<span id=\"gold-freshness\">gold compacted 2 min before this read</span>"), "how old gold is")
        XCTAssertFalse(html.contains("<script"), "no script")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "nothing to fetch")

        let withCompactor = try LiveDashboard.page(from: warehouse, query: [:], goldLag: 12.4)
        XCTAssertTrue(
            withCompactor.contains("<span id=\"gold-freshness\">gold 12 s behind silver</span>"),
            "the lag a compactor in the process measured")
        XCTAssertTrue(withCompactor.contains("<span id=\"period\">last 30 days: "), "30 days without ?period=")
        XCTAssertTrue(
            try LiveDashboard.page(from: warehouse, query: ["period": "all"], goldLag: nil).contains("<span id=\"period\">all of gold: "))
        XCTAssertTrue(
            try LiveDashboard.page(from: warehouse, query: ["period": "13"], goldLag: nil).contains("<span id=\"period\">last 30 days: "),
            "an unknown period shows the default")

        let file = DashboardPage(data: try DashboardData.read(from: warehouse), source: warehouse.url, generatedAt: "now").html
        XCTAssertFalse(file.contains("http-equiv=\"refresh\""), "the written file does not reload itself")
        XCTAssertFalse(file.contains("id=\"periods\""), "nor offer links that would open the same file")
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}

/// A warehouse that remembers every query it is asked, and answers from another.
private final class RecordingWarehouse: Warehouse, @unchecked Sendable {
    let inner: any Warehouse
    private let lock = NSLock()
    private var recorded: [String] = []
    init(_ inner: any Warehouse) { self.inner = inner }

    var queries: [String] { lock.withLock { recorded } }
    var url: String { inner.url }
    var dialect: SQLDialect { inner.dialect }
    func execute(_ sql: String) throws { try inner.execute(sql) }
    func executeTransaction(_ sql: String) throws { try inner.executeTransaction(sql) }
    func query(_ sql: String) throws -> QueryResult {
        lock.withLock { recorded.append(sql) }
        return try inner.query(sql)
    }
    func insert(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] { try inner.insert(into: table, rows: rows) }
    func columns(of table: TableName) throws -> [Column]? { try inner.columns(of: table) }
    func createDataset(_ name: String) throws { try inner.createDataset(name) }
}

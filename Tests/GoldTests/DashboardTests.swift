import Foundation
@testable import ShopStreamDashboard
import ShopStreamGold
import ShopStreamWarehouse
import TestSupport
import XCTest

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
        XCTAssertEqual(data.segments[0].rows.map(\.label), ["Bronze", "Silver", "Gold", "Platinum"].filter { tier in
            data.segments[0].rows.contains { $0.label == tier }
        }, "tiers in their order")
        let silverPayments = try warehouse.query("SELECT COUNT(DISTINCT event_id) FROM silver.payments").scalar
        XCTAssertEqual("\(data.payments.reduce(0) { $0 + $1.attempts })", silverPayments, "every payment event in the mix")
        let pairs = try warehouse.query("SELECT COUNT(DISTINCT inventory_id) FROM silver.inventory").scalar
        XCTAssertEqual("\(data.inventory.pairs)", pairs, "every stock pair")
        XCTAssertGreaterThan(data.inventory.belowReorder, 0, "nine days leave pairs below their reorder level, so the list below is not empty")
        XCTAssertTrue(data.inventory.lowest.allSatisfy { $0.stock < $0.reorderLevel }, "the low-stock list holds only pairs below reorder level")
        XCTAssertEqual(data.inventory.lowest.count, min(12, data.inventory.belowReorder))
        let shipments = try warehouse.query("SELECT SUM(shipments) FROM gold.shipping_daily").scalar
        XCTAssertEqual("\(data.carriers.reduce(0) { $0 + $1.shipments })", shipments, "every shipment by carrier")

        let html = DashboardPage(data: data, source: warehouse.url, generatedAt: "2025-02-06T00:00:00Z").html
        XCTAssertTrue(html.contains("<div class=\"card\" id=\"kpi-net-revenue\"><div class=\"title\">Net revenue</div><div class=\"value\">\(pkr(stats.revenuePaisa))</div>"), "the headline is gold's net revenue")
        for id in ["executive", "sales", "customers", "operations", "daily-revenue", "regions", "payments", "months", "products",
                   "categories", "salespeople", "stores", "customer-growth", "segments-loyalty-tier", "low-stock", "carriers"] {
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
        XCTAssertEqual([a.inventory.pairs, a.inventory.belowReorder, a.inventory.units, a.inventory.damaged],
                       [b.inventory.pairs, b.inventory.belowReorder, b.inventory.units, b.inventory.damaged])
        // Both must have one: two missing averages would be equal and prove nothing.
        XCTAssertEqual(try XCTUnwrap(a.inventory.averageRestockCycleDays, "SQLite has restock cycles"),
                       try XCTUnwrap(b.inventory.averageRestockCycleDays, "the emulator has restock cycles"), accuracy: 1e-9)
        XCTAssertEqual(a.carriers, b.carriers)
    }

    func testTextFromTheWarehouseIsEscaped() throws {
        var data = DashboardData(kpis: ExecutiveKPIs())
        data.kpis.firstDay = "2025-01-01"
        data.kpis.lastDay = "2025-01-01"
        data.kpis.orders = 1
        data.stores = [.init(id: "STR-1", name: "<script>alert(1)</script> & \"Sons\"", city: "Lahore", region: "Central",
                             orders: 1, netPaisa: 100, discountsPaisa: 0, grossPaisa: 100)]
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
        XCTAssertTrue(html.contains("2025-03-01 … 2025-03-03, 3 days with sales"), "the period gold holds")
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}

/// `PKR 1,234`, as the page writes money.
private func pkr(_ paisa: Int64) -> String {
    let rupees = String((paisa + 50) / 100)
    var out = ""
    for (i, c) in rupees.enumerated() {
        if i > 0 && (rupees.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return "PKR " + out
}

import Foundation
import ShopStreamGenerator
import ShopStreamGold
import ShopStreamWarehouse
import TestSupport
import XCTest

/// The whole pipeline from one seed — generator → Kafka → bronze + silver → gold, as
/// `shopstream run` drives it — and gold held against what the generator says it published.
final class GoldTruthTests: XCTestCase {
    func testGoldOnSQLiteEqualsTheGeneratorsGroundTruth() throws {
        let dir = try scratch()
        try holdGoldAgainstTruth(warehouseURL: "sqlite://\(dir.path)/warehouse.db", dir: dir)
    }

    func testGoldOnTheBigQueryEmulatorEqualsTheGeneratorsGroundTruth() throws {
        _ = try emulatorWarehouse()  // fails under CI=true when the emulator is missing
        let dir = try scratch()
        try holdGoldAgainstTruth(warehouseURL: "bigquery://truth-\(UUID().uuidString.prefix(8).lowercased())", dir: dir)
    }

    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func holdGoldAgainstTruth(warehouseURL: String, dir: URL) throws {
        let truthFile = dir.appendingPathComponent("truth.json")
        let run = try shopstream(
            [
                "run", "--days", "10", "--seed", "11", "--truth", truthFile.path,
                "--lake", "file://\(dir.path)/lake", "--warehouse", warehouseURL,
            ], timeout: 600)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("executive summary"), run.stdout)
        let truth = try GroundTruth.read(from: truthFile)
        let warehouse = try makeWarehouse(url: warehouseURL, environment: ProcessInfo.processInfo.environment)
        let sqlite = warehouse.dialect == .sqlite
        func money(_ column: String) -> String { sqlite ? "paisa(\(column))" : "CAST(\(column) * 100 AS INT64)" }
        func rows(_ sql: String) throws -> [[String]] {
            // Dates as YYYY-MM-DD in both engines; everything else as printed.
            try warehouse.query(sql).rows.map { $0.map { cell in cell.map { canonical($0) } ?? "NULL" } }
        }

        XCTAssertEqual(
            try rows(
                """
                SELECT sale_date, store_id, orders, units, \(money("gross_revenue")), \(money("discounts")), \(money("net_revenue"))
                FROM gold.daily_sales ORDER BY sale_date, store_id
                """),
            truth.dailySales.map {
                [
                    $0.saleDate, $0.storeId, "\($0.orders)", "\($0.units)", "\($0.grossRevenuePaisa)", "\($0.discountsPaisa)",
                    "\($0.netRevenuePaisa)",
                ]
            },
            "gold.daily_sales: every day and store, to the paisa")

        XCTAssertEqual(
            try rows(
                """
                SELECT payment_date, payment_method, attempts, completed, failed, pending, refunded,
                  \(money("amount")), \(money("completed_amount")), \(money("refunded_amount"))
                FROM gold.payment_daily ORDER BY payment_date, payment_method
                """),
            truth.paymentsDaily.map {
                [
                    $0.paymentDate, $0.paymentMethod, "\($0.attempts)", "\($0.completed)", "\($0.failed)", "\($0.pending)",
                    "\($0.refunded)", "\($0.amountPaisa)", "\($0.completedAmountPaisa)", "\($0.refundedAmountPaisa)",
                ]
            },
            "gold.payment_daily: every day and method")
        XCTAssertTrue(truth.paymentsDaily.contains { $0.refunded > 0 }, "ten days are long enough to see a refund")

        XCTAssertEqual(
            try rows(
                """
                SELECT shipped_date, carrier, shipments, delivered, delayed, returned, lost, damaged, delay_days
                FROM gold.shipping_daily ORDER BY shipped_date, carrier
                """),
            truth.shippingDaily.map {
                [
                    $0.shippedDate, $0.carrier, "\($0.shipments)", "\($0.delivered)", "\($0.delayed)", "\($0.returned)", "\($0.lost)",
                    "\($0.damaged)", "\($0.delayDays)",
                ]
            },
            "gold.shipping_daily: every shipped day and carrier")

        XCTAssertEqual(
            try rows("SELECT day, new_customers FROM gold.customer_daily WHERE new_customers > 0 ORDER BY day"),
            truth.newCustomersDaily.map { [$0.signupDate, "\($0.newCustomers)"] }, "gold.customer_daily: sign-ups per day")
        XCTAssertEqual(try rows("SELECT MAX(cumulative_customers) FROM gold.customer_daily"), [["\(truth.totals.customers)"]])
        let tiers = try rows("SELECT loyalty_tier, SUM(customers) FROM gold.customer_segments GROUP BY loyalty_tier ORDER BY loyalty_tier")
        XCTAssertEqual(
            tiers, truth.customersByTier.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }, "customers per current tier")

        let kpis = try ExecutiveKPIs.read(from: warehouse)
        XCTAssertEqual(kpis.orders, truth.totals.orders)
        XCTAssertEqual(kpis.units, truth.totals.units)
        XCTAssertEqual(kpis.netRevenuePaisa, truth.totals.netRevenuePaisa)
        XCTAssertEqual(kpis.grossRevenuePaisa, truth.totals.grossRevenuePaisa)
        XCTAssertEqual(kpis.customers, truth.totals.customers)
        XCTAssertEqual(try rows("SELECT SUM(orders) FROM gold.executive_monthly"), [["\(truth.totals.orders)"]])
        XCTAssertEqual(try rows("SELECT COUNT(*) FROM gold.inventory_health"), try rows("SELECT COUNT(*) FROM silver.inventory_current"))
    }
}

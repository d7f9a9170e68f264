import ShopStreamWarehouse

/// The executive summary's headline numbers, read from the gold tables (never from silver):
/// what `shopstream run` prints at the end, and what a dashboard's first row shows.
public struct ExecutiveKPIs: Sendable {
    public var firstDay: String?
    public var lastDay: String?
    public var orders = 0
    public var units = 0
    public var grossRevenuePaisa: Int64 = 0
    public var discountsPaisa: Int64 = 0
    public var netRevenuePaisa: Int64 = 0
    /// Customers signed up by the last day, and those of them who signed up inside the period.
    public var customers = 0
    public var newCustomers = 0
    /// Net revenue of the last 7 days with sales, and of the 7 before them (nil: too short a period).
    public var lastWeekPaisa: Int64 = 0
    public var previousWeekPaisa: Int64?
    public var paymentFailureShare: Double?
    public var refundShare: Double?
    public var onTimeShare: Double?
    public var topStores: [(name: String, city: String, paisa: Int64)] = []
    public var topRegion: (name: String, paisa: Int64)?
    public var topCategory: (name: String, paisa: Int64)?

    /// Average order value, in paisa.
    public var averageOrderPaisa: Int64 { orders == 0 ? 0 : netRevenuePaisa / Int64(orders) }

    /// Week over week: +0.041 for 4.1% more.
    public var weeklyGrowth: Double? {
        guard let previous = previousWeekPaisa, previous > 0 else { return nil }
        return Double(lastWeekPaisa) / Double(previous) - 1
    }

    public init() {}

    public static func read(from warehouse: any Warehouse) throws -> ExecutiveKPIs {
        // Money sums: exact in both engines (SQLite through integer paisa).
        let sqlite = warehouse.dialect == .sqlite
        func sum(_ column: String) -> String { sqlite ? "SUM(paisa(\(column)))" : "SUM(\(column))" }
        var k = ExecutiveKPIs()

        let totals = try warehouse.query("""
            SELECT MIN(sale_date), MAX(sale_date), SUM(orders), SUM(units), \(sum("gross_revenue")), \(sum("discounts")), \(sum("net_revenue"))
            FROM gold.daily_sales
            """).rows.first ?? []
        k.firstDay = totals.first.flatMap { $0 }.map { String($0.prefix(10)) }
        k.lastDay = totals.count > 1 ? totals[1].map { String($0.prefix(10)) } : nil
        guard let first = k.firstDay, let last = k.lastDay else { return k }
        k.orders = int(totals[2])
        k.units = int(totals[3])
        k.grossRevenuePaisa = money(totals[4], sqlite)
        k.discountsPaisa = money(totals[5], sqlite)
        k.netRevenuePaisa = money(totals[6], sqlite)

        let days = try warehouse.query("SELECT day, new_customers, cumulative_customers FROM gold.customer_daily ORDER BY day").rows
        for row in days {
            guard let day = row[0].map({ String($0.prefix(10)) }), day <= last else { continue }
            if day >= first { k.newCustomers += int(row[1]) }
            k.customers = int(row[2])
        }

        let daily = try warehouse.query("SELECT sale_date, \(sum("net_revenue")) FROM gold.daily_sales GROUP BY sale_date ORDER BY sale_date DESC LIMIT 14").rows
        k.lastWeekPaisa = daily.prefix(7).reduce(0) { $0 + money($1[1], sqlite) }
        if daily.count == 14 { k.previousWeekPaisa = daily.suffix(7).reduce(0) { $0 + money($1[1], sqlite) } }

        let payments = try warehouse.query("SELECT SUM(attempts), SUM(failed), SUM(refunded) FROM gold.payment_daily").rows.first ?? []
        if payments.count == 3, int(payments[0]) > 0 {
            k.paymentFailureShare = Double(int(payments[1])) / Double(int(payments[0]))
            k.refundShare = Double(int(payments[2])) / Double(int(payments[0]))
        }
        let shipping = try warehouse.query("SELECT SUM(shipments), SUM(delivered) FROM gold.shipping_daily").rows.first ?? []
        if shipping.count == 2, int(shipping[0]) > 0 { k.onTimeShare = Double(int(shipping[1])) / Double(int(shipping[0])) }

        k.topStores = try warehouse.query("""
            SELECT store_name, city, \(sum("net_revenue")) AS revenue FROM gold.daily_sales
            GROUP BY store_name, city ORDER BY revenue DESC LIMIT 3
            """).rows.map { ($0[0] ?? "?", $0[1] ?? "?", money($0[2], sqlite)) }
        k.topRegion = try warehouse.query("""
            SELECT region, \(sum("net_revenue")) AS revenue FROM gold.daily_sales GROUP BY region ORDER BY revenue DESC LIMIT 1
            """).rows.first.map { ($0[0] ?? "?", money($0[1], sqlite)) }
        k.topCategory = try warehouse.query("""
            SELECT category, \(sum("net_revenue")) AS revenue FROM gold.product_daily GROUP BY category ORDER BY revenue DESC LIMIT 1
            """).rows.first.map { ($0[0] ?? "?", money($0[1], sqlite)) }
        return k
    }

}

private func int(_ text: String??) -> Int { (text ?? nil).flatMap { Int($0) } ?? 0 }

/// Paisa from an exact decimal as BigQuery prints it (`1234.5`, `1234.500000000`), or from
/// SQLite's integer paisa.
private func money(_ text: String??, _ alreadyPaisa: Bool) -> Int64 {
    guard let text = text ?? nil else { return 0 }
    if alreadyPaisa { return Int64(text) ?? 0 }
    return Paisa.parse(text) ?? 0
}

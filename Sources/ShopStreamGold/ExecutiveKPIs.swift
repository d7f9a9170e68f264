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

    /// Reads the numbers over gold's whole history, or, with `since` (`YYYY-MM-DD`), over the sale
    /// dates from that day on: every query then filters by date in SQL, so a short period reads
    /// only its own days of a long history. The last-7-days card always reads gold's last 14 days
    /// with sales.
    public static func read(from warehouse: any Warehouse, since: String? = nil) throws -> ExecutiveKPIs {
        let gold = GoldReader(warehouse: warehouse)
        func sum(_ column: String) -> String { gold.moneySum(column) }
        /// `WHERE sale_date >= DATE '…'`, or nothing over the whole history.
        func from(_ column: String) -> String { since.map { "WHERE \(column) >= \(warehouse.dialect.dateLiteral($0))" } ?? "" }
        var k = ExecutiveKPIs()

        let totals =
            try gold.query(
                """
                SELECT MIN(sale_date), MAX(sale_date), SUM(orders), SUM(units), \(sum("gross_revenue")), \(sum("discounts")), \(sum("net_revenue"))
                FROM gold.daily_sales \(from("sale_date"))
                """
            ).first ?? []
        k.firstDay = totals.first.flatMap { gold.day($0) }
        k.lastDay = totals.count > 1 ? gold.day(totals[1]) : nil
        guard let first = k.firstDay, let last = k.lastDay else { return k }
        k.orders = gold.int(totals[2])
        k.units = gold.int(totals[3])
        k.grossRevenuePaisa = gold.paisa(totals[4])
        k.discountsPaisa = gold.paisa(totals[5])
        k.netRevenuePaisa = gold.paisa(totals[6])

        // Everyone signed up by the last day; of them, those who signed up from the first day on.
        let (firstDay, lastDay) = (warehouse.dialect.dateLiteral(first), warehouse.dialect.dateLiteral(last))
        k.customers = gold.int(
            try gold.query(
                """
                SELECT cumulative_customers FROM gold.customer_daily WHERE day <= \(lastDay) ORDER BY day DESC LIMIT 1
                """
            ).first?.first)
        k.newCustomers = gold.int(
            try gold.query(
                """
                SELECT SUM(new_customers) FROM gold.customer_daily WHERE day >= \(firstDay) AND day <= \(lastDay)
                """
            ).first?.first)

        let daily = try gold.query(
            "SELECT sale_date, \(sum("net_revenue")) FROM gold.daily_sales GROUP BY sale_date ORDER BY sale_date DESC LIMIT 14")
        k.lastWeekPaisa = daily.prefix(7).reduce(0) { $0 + gold.paisa($1[1]) }
        if daily.count == 14 { k.previousWeekPaisa = daily.suffix(7).reduce(0) { $0 + gold.paisa($1[1]) } }

        let payments =
            try gold.query("SELECT SUM(attempts), SUM(failed), SUM(refunded) FROM gold.payment_daily \(from("payment_date"))").first ?? []
        if payments.count == 3, gold.int(payments[0]) > 0 {
            k.paymentFailureShare = Double(gold.int(payments[1])) / Double(gold.int(payments[0]))
            k.refundShare = Double(gold.int(payments[2])) / Double(gold.int(payments[0]))
        }
        let shipping = try gold.query("SELECT SUM(shipments), SUM(delivered) FROM gold.shipping_daily \(from("shipped_date"))").first ?? []
        if shipping.count == 2, gold.int(shipping[0]) > 0 { k.onTimeShare = Double(gold.int(shipping[1])) / Double(gold.int(shipping[0])) }

        k.topStores = try gold.query(
            """
            SELECT store_name, city, \(sum("net_revenue")) AS revenue FROM gold.daily_sales \(from("sale_date"))
            GROUP BY store_name, city ORDER BY revenue DESC LIMIT 3
            """
        ).map { ($0[0] ?? "?", $0[1] ?? "?", gold.paisa($0[2])) }
        k.topRegion = try gold.query(
            """
            SELECT region, \(sum("net_revenue")) AS revenue FROM gold.daily_sales \(from("sale_date")) GROUP BY region ORDER BY revenue DESC LIMIT 1
            """
        ).first.map { ($0[0] ?? "?", gold.paisa($0[1])) }
        k.topCategory = try gold.query(
            """
            SELECT category, \(sum("net_revenue")) AS revenue FROM gold.product_daily \(from("sale_date")) GROUP BY category ORDER BY revenue DESC LIMIT 1
            """
        ).first.map { ($0[0] ?? "?", gold.paisa($0[1])) }
        return k
    }
}

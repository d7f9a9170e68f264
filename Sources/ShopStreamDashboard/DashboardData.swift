import ShopStreamGold
import ShopStreamWarehouse

/// Everything the dashboard page shows, read from the gold tables only (never silver), over a
/// period of gold's history (`DashboardPeriod`). Money is in paisa, exact.
public struct DashboardData: Sendable {
    public struct Day: Sendable, Equatable { public var day: String; public var orders: Int; public var netPaisa: Int64 }
    public struct CustomerDay: Sendable, Equatable {
        public var day: String; public var newCustomers: Int; public var cumulativeCustomers: Int; public var activeCustomers: Int
    }
    public struct Month: Sendable, Equatable {
        public var month: String; public var orders: Int; public var netPaisa: Int64
        public var activeCustomers: Int; public var newCustomers: Int; public var cumulativeCustomers: Int
    }
    /// A labelled total: a region, a category, a payment method, a segment.
    public struct Share: Sendable, Equatable { public var label: String; public var count: Int; public var paisa: Int64 }
    public struct Store: Sendable, Equatable {
        public var id: String; public var name: String; public var city: String; public var region: String
        public var orders: Int; public var netPaisa: Int64; public var discountsPaisa: Int64; public var grossPaisa: Int64
    }
    public struct Product: Sendable, Equatable {
        public var name: String; public var category: String; public var units: Int; public var netPaisa: Int64
    }
    public struct Salesperson: Sendable, Equatable {
        public var name: String; public var store: String; public var orders: Int; public var netPaisa: Int64
        public var discountsPaisa: Int64; public var grossPaisa: Int64
    }
    public struct PaymentMethod: Sendable, Equatable {
        public var method: String; public var attempts: Int; public var completed: Int; public var failed: Int
        public var refunded: Int; public var completedPaisa: Int64
    }
    public struct Segment: Sendable, Equatable {
        public var label: String; public var customers: Int; public var buyers: Int; public var orders: Int; public var netPaisa: Int64
    }
    public struct LowStock: Sendable, Equatable {
        public var store: String; public var product: String; public var stock: Int; public var reorderLevel: Int;
        public var lastRestock: String
    }
    public struct Inventory: Sendable, Equatable {
        public var pairs = 0; public var belowReorder = 0; public var units = 0; public var damaged = 0
        public var averageRestockCycleDays: Double?
        public var lowest: [LowStock] = []
    }
    public struct Carrier: Sendable, Equatable {
        public var carrier: String; public var shipments: Int; public var onTime: Int; public var delayed: Int
        public var returned: Int; public var lost: Int; public var damaged: Int; public var delayDays: Int
    }

    /// The period read, and its first day (nil: all of history, or gold has no sales).
    public var period: DashboardPeriod = .all
    public var since: String?
    /// When the compactor last rebuilt something (`gold._state`'s newest `compacted_at`, as the
    /// warehouse prints it); nil if it never did.
    public var lastCompaction: String?
    public var kpis: ExecutiveKPIs
    public var days: [Day] = []
    public var customerDays: [CustomerDay] = []
    public var months: [Month] = []
    public var regions: [Share] = []
    public var categories: [Share] = []
    public var stores: [Store] = []
    public var topProducts: [Product] = []
    public var topSalespeople: [Salesperson] = []
    public var payments: [PaymentMethod] = []
    /// Customer segments by loyalty tier, age band, gender and province.
    public var segments: [(dimension: String, rows: [Segment])] = []
    public var inventory = Inventory()
    public var carriers: [Carrier] = []

    public init(kpis: ExecutiveKPIs) {
        self.kpis = kpis
    }

    /// Reads every gold table the page needs over `period` (the warehouse's errors are thrown: a
    /// warehouse whose gold was never built has no such tables). Gold without sales reads as empty.
    /// `kpis`, when the caller has read them already for the same period, are not read again.
    ///
    /// A bounded period reads only its days: each dated query filters in SQL from the period's
    /// first day (the monthly tables from its month: they hold whole months). Customer segments and
    /// inventory are snapshots of now, whatever the period.
    public static func read(from warehouse: any Warehouse, period: DashboardPeriod = .all, kpis: ExecutiveKPIs? = nil) throws
        -> DashboardData
    {
        let gold = GoldReader(warehouse: warehouse)
        func sum(_ column: String) -> String { gold.moneySum(column) }
        var since: String?
        if period != .all, let newest = gold.day(try gold.query("SELECT MAX(sale_date) FROM gold.daily_sales").first?.first) {
            since = period.firstDay(endingOn: newest)
        }
        /// `WHERE sale_date >= …`, or nothing over all of history.
        func from(_ column: String, month: Bool = false) -> String {
            guard let since else { return "" }
            return "WHERE \(column) >= \(warehouse.dialect.dateLiteral(month ? DashboardPeriod.monthStart(of: since) : since))"
        }
        var data = DashboardData(kpis: try kpis ?? ExecutiveKPIs.read(from: warehouse, since: since))
        data.period = period
        data.since = since
        data.lastCompaction = gold.text(try gold.query("SELECT MAX(compacted_at) FROM gold._state").first?.first).nilIfEmpty

        data.days = try gold.query(
            """
            SELECT sale_date, SUM(orders), \(sum("net_revenue")) FROM gold.daily_sales \(from("sale_date")) GROUP BY sale_date ORDER BY sale_date
            """
        ).map { Day(day: gold.day($0[0]) ?? "", orders: gold.int($0[1]), netPaisa: gold.paisa($0[2])) }
        data.customerDays = try gold.query(
            """
            SELECT day, new_customers, cumulative_customers, active_customers FROM gold.customer_daily \(from("day")) ORDER BY day
            """
        ).map {
            CustomerDay(
                day: gold.day($0[0]) ?? "", newCustomers: gold.int($0[1]), cumulativeCustomers: gold.int($0[2]),
                activeCustomers: gold.int($0[3]))
        }
        data.months = try gold.query(
            """
            SELECT month, orders, \(gold.money("net_revenue")), active_customers, new_customers, cumulative_customers
            FROM gold.executive_monthly \(from("month", month: true)) ORDER BY month
            """
        ).map {
            Month(
                month: String((gold.day($0[0]) ?? "").prefix(7)), orders: gold.int($0[1]), netPaisa: gold.paisa($0[2]),
                activeCustomers: gold.int($0[3]), newCustomers: gold.int($0[4]), cumulativeCustomers: gold.int($0[5]))
        }
        data.regions = try gold.query(
            """
            SELECT region, SUM(orders), \(sum("net_revenue")) AS net FROM gold.daily_sales \(from("sale_date")) GROUP BY region ORDER BY net DESC, region
            """
        ).map { Share(label: gold.text($0[0]), count: gold.int($0[1]), paisa: gold.paisa($0[2])) }
        data.stores = try gold.query(
            """
            SELECT store_id, MAX(store_name), MAX(city), MAX(region), SUM(orders), \(sum("net_revenue")) AS net,
              \(sum("discounts")), \(sum("gross_revenue"))
            FROM gold.daily_sales \(from("sale_date")) GROUP BY store_id ORDER BY net DESC, store_id
            """
        ).map {
            Store(
                id: gold.text($0[0]), name: gold.text($0[1]), city: gold.text($0[2]), region: gold.text($0[3]), orders: gold.int($0[4]),
                netPaisa: gold.paisa($0[5]), discountsPaisa: gold.paisa($0[6]), grossPaisa: gold.paisa($0[7]))
        }
        data.categories = try gold.query(
            """
            SELECT category, SUM(units), \(sum("net_revenue")) AS net FROM gold.product_daily \(from("sale_date")) GROUP BY category ORDER BY net DESC, category
            """
        ).map { Share(label: gold.text($0[0]), count: gold.int($0[1]), paisa: gold.paisa($0[2])) }
        data.topProducts = try gold.query(
            """
            SELECT product_id, MAX(model_name), MAX(category), SUM(units), \(sum("net_revenue")) AS net
            FROM gold.product_daily \(from("sale_date")) GROUP BY product_id ORDER BY net DESC, product_id LIMIT 10
            """
        ).map { Product(name: gold.text($0[1]), category: gold.text($0[2]), units: gold.int($0[3]), netPaisa: gold.paisa($0[4])) }
        data.topSalespeople = try gold.query(
            """
            SELECT salesperson, MAX(store_name), SUM(orders), \(sum("net_revenue")) AS net, \(sum("discounts")), \(sum("gross_revenue"))
            FROM gold.salesperson_monthly \(from("month", month: true)) GROUP BY store_id, salesperson ORDER BY net DESC, salesperson LIMIT 10
            """
        ).map {
            Salesperson(
                name: gold.text($0[0]), store: gold.text($0[1]), orders: gold.int($0[2]), netPaisa: gold.paisa($0[3]),
                discountsPaisa: gold.paisa($0[4]), grossPaisa: gold.paisa($0[5]))
        }
        data.payments = try gold.query(
            """
            SELECT payment_method, SUM(attempts) AS attempts, SUM(completed), SUM(failed), SUM(refunded), \(sum("completed_amount"))
            FROM gold.payment_daily \(from("payment_date")) GROUP BY payment_method ORDER BY attempts DESC, payment_method
            """
        ).map {
            PaymentMethod(
                method: gold.text($0[0]), attempts: gold.int($0[1]), completed: gold.int($0[2]), failed: gold.int($0[3]),
                refunded: gold.int($0[4]), completedPaisa: gold.paisa($0[5]))
        }
        for (title, column) in [("loyalty tier", "loyalty_tier"), ("age band", "age_band"), ("gender", "gender"), ("province", "province")]
        {
            let rows = try gold.query(
                """
                SELECT \(column), SUM(customers) AS customers, SUM(buyers), SUM(orders), \(sum("net_revenue"))
                FROM gold.customer_segments GROUP BY \(column) ORDER BY \(column)
                """
            ).map {
                Segment(
                    label: gold.text($0[0]), customers: gold.int($0[1]), buyers: gold.int($0[2]), orders: gold.int($0[3]),
                    netPaisa: gold.paisa($0[4]))
            }
            data.segments.append((title, rows.sorted(by: segmentOrder)))
        }
        if let row = try gold.query(
            """
            SELECT COUNT(*), SUM(CASE WHEN below_reorder THEN 1 ELSE 0 END), SUM(stock_level), SUM(damaged_units), AVG(avg_restock_cycle_days)
            FROM gold.inventory_health
            """
        ).first {
            data.inventory.pairs = gold.int(row[0])
            data.inventory.belowReorder = gold.int(row[1])
            data.inventory.units = gold.int(row[2])
            data.inventory.damaged = gold.int(row[3])
            data.inventory.averageRestockCycleDays = gold.double(row[4])
        }
        data.inventory.lowest = try gold.query(
            """
            SELECT store_name, model_name, stock_level, reorder_level, last_restock_date FROM gold.inventory_health
            WHERE below_reorder ORDER BY stock_level - reorder_level, store_name, model_name LIMIT 12
            """
        ).map {
            LowStock(
                store: gold.text($0[0]), product: gold.text($0[1]), stock: gold.int($0[2]), reorderLevel: gold.int($0[3]),
                lastRestock: gold.day($0[4]) ?? "")
        }
        data.carriers = try gold.query(
            """
            SELECT carrier, SUM(shipments) AS shipments, SUM(delivered), SUM(delayed), SUM(returned), SUM(lost), SUM(damaged), SUM(delay_days)
            FROM gold.shipping_daily \(from("shipped_date")) GROUP BY carrier ORDER BY shipments DESC, carrier
            """
        ).map {
            Carrier(
                carrier: gold.text($0[0]), shipments: gold.int($0[1]), onTime: gold.int($0[2]), delayed: gold.int($0[3]),
                returned: gold.int($0[4]), lost: gold.int($0[5]), damaged: gold.int($0[6]), delayDays: gold.int($0[7]))
        }
        return data
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Tiers and age bands in their natural order; other segments by customers, most first.
private func segmentOrder(_ a: DashboardData.Segment, _ b: DashboardData.Segment) -> Bool {
    let natural = ["Bronze", "Silver", "Gold", "Platinum", "under 18", "18-24", "25-34", "35-44", "45-54", "55+"]
    switch (natural.firstIndex(of: a.label), natural.firstIndex(of: b.label)) {
    case (let i?, let j?): return i < j
    case (_?, nil): return true
    case (nil, _?): return false
    case (nil, nil): return a.customers != b.customers ? a.customers > b.customers : a.label < b.label
    }
}

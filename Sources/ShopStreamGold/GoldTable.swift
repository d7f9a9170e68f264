import ShopStreamWarehouse

/// The gold tables, in build order, and what each is rebuilt from.
///
/// A table keyed by day rebuilds the days its sources touched; a monthly one the months
/// holding them; one keyed by an entity (a customer, a store's product) the entities the
/// touched days name; customer_segments, small, rebuilds whole. `sql/gold/tables.*.sql`
/// states each table's grain.
public enum GoldTable: String, CaseIterable, Sendable, Comparable {
    case dailySales = "daily_sales"
    case productDaily = "product_daily"
    case salespersonMonthly = "salesperson_monthly"
    case paymentDaily = "payment_daily"
    case shippingDaily = "shipping_daily"
    case customerDaily = "customer_daily"
    case executiveMonthly = "executive_monthly"
    /// Each customer's purchases over all time; what customer_segments reads.
    case customerTotals = "customer_totals"
    case customerSegments = "customer_segments"
    case inventoryHealth = "inventory_health"

    public static let dataset = "gold"

    /// `gold.daily_sales`.
    public var tableName: TableName { TableName(GoldTable.dataset, rawValue) }
    public var qualifiedName: String { "\(tableName)" }

    /// The columns of the grain: unique together, never NULL.
    public var grain: [String] {
        switch self {
        case .dailySales: ["sale_date", "store_id"]
        case .productDaily: ["sale_date", "product_id"]
        case .salespersonMonthly: ["month", "store_id", "salesperson"]
        case .paymentDaily: ["payment_date", "payment_method"]
        case .shippingDaily: ["shipped_date", "carrier"]
        case .customerDaily: ["day"]
        case .executiveMonthly: ["month"]
        case .customerTotals: ["customer_id"]
        case .customerSegments: ["loyalty_tier", "gender", "age_band", "province"]
        case .inventoryHealth: ["store_id", "product_id"]
        }
    }

    /// The tables that copy dimension labels (store and product names, categories) onto rows
    /// built from facts: when only stores or products changed, a pass sets their labels again
    /// (`-- @relabel`) instead of rebuilding them from their facts' history.
    public static let relabelled: [GoldTable] = [.inventoryHealth]

    /// The table this one is kept from by difference, and that table's grain: customer_totals
    /// adds and takes away the days of gold.customer_spend_daily (sale_date × customer_id).
    public var ledger: (table: TableName, grain: [String])? {
        switch self {
        case .customerTotals: (TableName(GoldTable.dataset, "customer_spend_daily"), ["sale_date", "customer_id"])
        default: nil
        }
    }

    public static func < (a: GoldTable, b: GoldTable) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A silver table the compactor watches, by business date or as a whole.
public enum SilverSource: String, CaseIterable, Sendable, Comparable {
    case sales, payments, shipping
    /// Distinct customers per sign-up date (a tier rise is not a sign-up).
    case signups
    case customers, inventory, products, stores

    public static func < (a: SilverSource, b: SilverSource) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

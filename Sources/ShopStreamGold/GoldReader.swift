import ShopStreamWarehouse

/// Reads gold the same way on either engine: money sums exact (BigQuery's NUMERIC as it is,
/// SQLite's decimal text summed as integer paisa), every cell back as a Swift value.
public struct GoldReader: Sendable {
    public let warehouse: any Warehouse

    public init(warehouse: any Warehouse) {
        self.warehouse = warehouse
    }

    /// `SUM(net_revenue)`, exact: read the result with `paisa(_:)`.
    public func moneySum(_ column: String) -> String { "SUM(\(money(column)))" }

    /// A money column as it can be read with `paisa(_:)` without summing.
    public func money(_ column: String) -> String { warehouse.dialect.exactMoney(column) }

    public func query(_ sql: String) throws -> [[String?]] {
        try warehouse.query(sql).rows
    }

    /// Paisa from a `moneySum` or `money` cell: SQLite's integer paisa, or an exact decimal as
    /// BigQuery prints it (`1234.5`, `1234.500000000`). NULL is 0.
    public func paisa(_ cell: String??) -> Int64 {
        guard let text = cell ?? nil else { return 0 }
        if warehouse.dialect == .sqlite { return Int64(text) ?? 0 }
        return Paisa.parse(text) ?? 0
    }

    public func int(_ cell: String??) -> Int { (cell ?? nil).flatMap { Int($0) } ?? 0 }

    public func double(_ cell: String??) -> Double? { (cell ?? nil).flatMap { Double($0) } }

    /// `2025-01-01` from a DATE as either engine prints it.
    public func day(_ cell: String??) -> String? { (cell ?? nil).map { String($0.prefix(10)) } }

    public func text(_ cell: String??) -> String { (cell ?? nil) ?? "" }
}

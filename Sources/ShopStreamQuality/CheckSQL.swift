import ShopStreamWarehouse

/// A check's query, written once and rendered for the warehouse's dialect: it selects the
/// offending rows, dbt style, so zero rows means the check passes.
///
/// ```swift
/// CheckSQL { sql in
///     "SELECT sale_id, COUNT(*) AS occurrences FROM \(sql.table(view)) GROUP BY sale_id HAVING COUNT(*) > 1"
/// }
/// ```
public struct CheckSQL: Sendable {
    private let render: @Sendable (SQLRenderer) -> String

    /// A query built with the dialect's helpers (`table`, `identifier`, `string`, `secondsSince` …).
    public init(_ render: @escaping @Sendable (SQLRenderer) -> String) {
        self.render = render
    }

    /// A query that reads the same in both dialects.
    public init(_ text: String) {
        self.render = { _ in text }
    }

    /// The query as `dialect` spells it.
    public func text(for dialect: SQLDialect) -> String {
        render(SQLRenderer(dialect: dialect))
    }
}

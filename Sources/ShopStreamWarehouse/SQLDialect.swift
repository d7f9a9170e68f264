/// Which SQL a warehouse speaks, so a caller picks the matching file in sql/.
///
/// The dialects agree on plain `SELECT … FROM dataset.table JOIN …`; they differ in DDL
/// (BigQuery `PARTITION BY`/`CLUSTER BY`, SQLite neither; SQLite declares `NUMERIC` as
/// `NUMERIC_TEXT`, see `ColumnType.sqliteTypeName`) and in functions.
public enum SQLDialect: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case bigquery
    case sqlite

    public var description: String { rawValue }

    /// A NUMERIC money expression in a form that sums and compares exactly: BigQuery's NUMERIC
    /// as it is, SQLite's decimal text as whole paisa (the `paisa()` function the SQLite
    /// warehouse registers). Read a result with `Paisa.parse` (BigQuery) or as an integer (SQLite).
    public func exactMoney(_ expression: String) -> String {
        switch self {
        case .bigquery: expression
        case .sqlite: "paisa(\(expression))"
        }
    }

    /// `DATE '2025-01-01'` (BigQuery) or `'2025-01-01'` (SQLite, where dates are ISO text): a
    /// `YYYY-MM-DD` day to compare with a DATE column.
    public func dateLiteral(_ day: String) -> String {
        self == .bigquery ? "DATE '\(day)'" : "'\(day)'"
    }

    /// `TIMESTAMP '…'` (BigQuery) or `'…'` (SQLite, where timestamps are canonical UTC text that
    /// sorts as time does): an instant, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, to compare with a TIMESTAMP column.
    public func timestampLiteral(_ instant: String) -> String {
        self == .bigquery ? "TIMESTAMP '\(instant)'" : "'\(instant)'"
    }
}

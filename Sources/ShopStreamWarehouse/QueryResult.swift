/// The rows a query returned, as text, the same in every engine: NULL is nil, INT64 decimal
/// digits, NUMERIC its shortest exact decimal (`74999`, `0.1`, `-0.000000001`; no exponent, no
/// trailing zeros, as BigQuery itself answers), FLOAT64 Swift's shortest round-trip text (`1.5`,
/// `1e+20`, `NaN`, `Infinity`), BOOL `true`/`false`, DATE `YYYY-MM-DD`, TIMESTAMP
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC.
///
/// In SQLite the type comes from the declared type of the column a value is read from; a
/// computed value (`a = b`, `CASE …`) has none and is given as SQLite has it (a BOOL as `1`/`0`).
public struct QueryResult: Hashable, Sendable {
    public var columns: [String]
    public var rows: [[String?]]

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The value in `row` under the column called `column`, or nil (no such column, or NULL).
    public func value(_ row: Int, _ column: String) -> String? {
        guard rows.indices.contains(row), let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }

    /// The single value of a one-row, one-column result (`SELECT COUNT(*) …`), or nil.
    public var scalar: String? {
        rows.count == 1 && rows[0].count == 1 ? rows[0][0] : nil
    }
}

/// A dataset-qualified table name, `silver.sales` or `gold.daily_sales`; the same
/// text names it in BigQuery (a dataset) and in SQLite (an attached database).
public struct TableName: Hashable, Sendable, CustomStringConvertible {
    public var dataset: String
    public var table: String

    public init(_ dataset: String, _ table: String) {
        self.dataset = dataset
        self.table = table
    }

    /// Parses `dataset.table`.
    public init?(_ qualified: String) {
        let parts = qualified.split(separator: ".")
        guard parts.count == 2 else { return nil }
        self.init(String(parts[0]), String(parts[1]))
    }

    public var description: String { "\(dataset).\(table)" }
}

/// Column types silver and gold use; each maps to one BigQuery and one SQLite type.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    case string = "STRING"
    case int64 = "INT64"
    /// Exact decimal (money): BigQuery NUMERIC; SQLite TEXT holding the decimal digits.
    case numeric = "NUMERIC"
    case float64 = "FLOAT64"
    case bool = "BOOL"
    /// `YYYY-MM-DD`.
    case date = "DATE"
    /// UTC instant; written as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    case timestamp = "TIMESTAMP"
}

public struct Column: Hashable, Sendable {
    public var name: String
    public var type: ColumnType
    public var nullable: Bool

    public init(_ name: String, _ type: ColumnType, nullable: Bool = false) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

/// One typed value for a row. Text forms are exact: numeric as decimal digits
/// (`74999.00`), date as `YYYY-MM-DD`, timestamp as UTC RFC 3339 with microseconds.
public enum WarehouseValue: Hashable, Sendable {
    case null
    case string(String)
    case int64(Int64)
    case numeric(String)
    case float64(Double)
    case bool(Bool)
    case date(String)
    case timestamp(String)
}

/// A row to stream into a table, with the id that makes a resend recognisable.
public struct WarehouseRow: Hashable, Sendable {
    /// Deterministic, from the Kafka coordinates (`shop.sales:3:1024`).
    public var insertId: String
    public var values: [String: WarehouseValue]

    public init(insertId: String, values: [String: WarehouseValue]) {
        self.insertId = insertId
        self.values = values
    }
}

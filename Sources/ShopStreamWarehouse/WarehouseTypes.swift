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
///
/// Held either by name or, for the hot path (the silver sink's rows), as values in the order of a
/// shared `RowLayout`: no dictionary per row, and the SQLite writer maps the layout to the table's
/// columns once per batch instead of hashing every name of every row. Both read the same through
/// `values`, `==` and `hash`.
public struct WarehouseRow: Hashable, Sendable {
    /// Deterministic, from the Kafka coordinates (`shop.sales:3:1024`).
    public var insertId: String
    private var named: [String: WarehouseValue]
    /// The positional form: `ordered[i]` is the value of `layout.names[i]`.
    public private(set) var layout: RowLayout?
    public private(set) var ordered: [WarehouseValue]

    public init(insertId: String, values: [String: WarehouseValue]) {
        self.insertId = insertId
        self.named = values
        self.layout = nil
        self.ordered = []
    }

    /// A row whose `ordered[i]` is the value of `layout.names[i]` (one value per name).
    public init(insertId: String, layout: RowLayout, ordered: [WarehouseValue]) {
        precondition(ordered.count == layout.names.count, "a row needs one value per name of its layout")
        self.insertId = insertId
        self.named = [:]
        self.layout = layout
        self.ordered = ordered
    }

    /// The values by column name (built on each read for a positional row: read it once).
    public var values: [String: WarehouseValue] {
        get {
            guard let layout else { return named }
            return Dictionary(uniqueKeysWithValues: zip(layout.names, ordered))
        }
        set {
            named = newValue
            layout = nil
            ordered = []
        }
    }

    public static func == (a: WarehouseRow, b: WarehouseRow) -> Bool {
        a.insertId == b.insertId && a.values == b.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(insertId)
        hasher.combine(values)
    }
}

/// Column names in a fixed order, shared by every positional row of one kind (one per silver
/// table), so a writer can match them to a table's columns once and compare layouts by identity.
public final class RowLayout: Sendable {
    public let names: [String]
    private let positions: [String: Int]
    /// Rows of this layout promise canonical values (TIMESTAMP as `YYYY-MM-DDTHH:MM:SS.ffffffZ`,
    /// DATE a valid `YYYY-MM-DD`): a warehouse checks that each value's type is its column's, and
    /// does not parse those texts again (NUMERIC is checked on every row). Silver's validator makes
    /// them so (SilverRowTests holds it to that).
    public let canonical: Bool

    public init(_ names: [String], canonical: Bool = false) {
        self.names = names
        self.canonical = canonical
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        precondition(positions.count == names.count, "a layout names each column once")
    }

    /// Where `name` sits in this layout, or nil.
    public func position(_ name: String) -> Int? { positions[name] }
}

extension ColumnType {
    /// The type to declare in SQLite DDL so that `SQLiteWarehouse.columns(of:)` reads the column
    /// back as this type and SQLite keeps the value as written.
    ///
    /// It is the BigQuery name except for two: `STRING` is `TEXT` and `NUMERIC` is `NUMERIC_TEXT`.
    /// SQLite picks a column's storage *affinity* from its declared name, and a name like `STRING`
    /// or `NUMERIC` gets NUMERIC affinity, which turns the text `0123` into the integer 123 and
    /// `0.10` into the binary float 0.1. A name containing `TEXT` gets TEXT affinity: the exact
    /// digits stay as written. (`INT64` gets INTEGER affinity, `FLOAT64` REAL; `BOOL`, `DATE` and
    /// `TIMESTAMP` keep 0/1 and ISO text unchanged.)
    public var sqliteTypeName: String {
        switch self {
        case .string: "TEXT"
        case .numeric: "NUMERIC_TEXT"
        default: rawValue
        }
    }

    /// The type to declare in BigQuery DDL: the BigQuery name, except `NUMERIC(38, 9)` for NUMERIC.
    ///
    /// In BigQuery the two are the same type (29 digits before the point, 9 after). The
    /// bqemulator, though, turns a bare `NUMERIC` in DDL into DuckDB's `DECIMAL(18,3)`, which
    /// rounds `0.0005` to `0.001` and answers HTTP 500 for more than 15 integer digits; the
    /// explicit parameters give `DECIMAL(38,9)` there too. (Tables made with `tables.insert`
    /// get `DECIMAL(38,9)` either way.)
    public var bigQueryDDLTypeName: String {
        self == .numeric ? "NUMERIC(38, 9)" : rawValue
    }

    /// Reads a SQLite declared type: the names above, their BigQuery spellings, and SQLite's usual
    /// ones (`INTEGER`, `REAL`, `VARCHAR(20)`, `BOOLEAN` …). Nil for anything else.
    public init?(sqliteDeclaredType declared: String) {
        var name = declared.uppercased().trimmingWhitespace()
        if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]).trimmingWhitespace() }
        switch name {
        case "TEXT", "STRING", "VARCHAR", "CHAR", "CHARACTER", "NVARCHAR", "CLOB": self = .string
        case "INT64", "INTEGER", "INT", "BIGINT": self = .int64
        case "NUMERIC_TEXT", "NUMERIC", "DECIMAL", "BIGNUMERIC": self = .numeric
        case "FLOAT64", "REAL", "DOUBLE", "DOUBLE PRECISION", "FLOAT": self = .float64
        case "BOOL", "BOOLEAN": self = .bool
        case "DATE": self = .date
        case "TIMESTAMP": self = .timestamp
        default: return nil
        }
    }

    /// Reads a BigQuery schema type, legacy spellings included (`INTEGER`, `FLOAT`, `BOOLEAN`,
    /// which BigQuery and its emulator use in query results). Nil for the types ShopStream does
    /// not use (`DATETIME`, `BYTES`, `RECORD`, …).
    public init?(bigQueryType name: String) {
        switch name.uppercased() {
        case "STRING": self = .string
        case "INT64", "INTEGER": self = .int64
        case "NUMERIC": self = .numeric
        case "FLOAT64", "FLOAT": self = .float64
        case "BOOL", "BOOLEAN": self = .bool
        case "DATE": self = .date
        case "TIMESTAMP": self = .timestamp
        default: return nil
        }
    }
}

extension WarehouseValue {
    /// The type a value carries, for messages (nil for NULL).
    var typeName: String? {
        switch self {
        case .null: nil
        case .string: "STRING"
        case .int64: "INT64"
        case .numeric: "NUMERIC"
        case .float64: "FLOAT64"
        case .bool: "BOOL"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP"
        }
    }

    /// A short rendering for messages.
    var preview: String {
        let text: String
        switch self {
        case .null: return "NULL"
        case .string(let s), .numeric(let s), .date(let s), .timestamp(let s): text = "\"" + s + "\""
        case .int64(let v): text = String(v)
        case .float64(let v): text = FloatText.canonical(v)
        case .bool(let v): text = v ? "true" : "false"
        }
        return text.count > 60 ? text.prefix(57) + "…" : text
    }
}

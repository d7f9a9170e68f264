import ShopStreamWarehouse

/// Writes the pieces of SQL in which BigQuery and SQLite differ, so that a check's query is
/// written once and rendered for either. Everything else (`SELECT … FROM silver.sales_dedup
/// JOIN … GROUP BY … HAVING`) is the same text in both: SQLite's datasets are attached
/// databases, so `silver.sales` names the same table.
///
/// The differences it covers:
/// - identifiers are left bare unless reserved (BigQuery quotes with backticks, SQLite with double
///   quotes). Never quoting by default matters in SQLite, which reads a double-quoted name that
///   is no column as a string literal and would hide a misspelt column;
/// - string literals escape `'` and `\` differently;
/// - time arithmetic: `TIMESTAMP_DIFF`/`CURRENT_TIMESTAMP()` against `julianday`/`strftime`.
///
/// Every value comes back as text (`QueryResult`), the BigQuery emulator included.
public struct SQLRenderer: Sendable {
    public let dialect: SQLDialect

    public init(dialect: SQLDialect) {
        self.dialect = dialect
    }

    /// `silver.sales_dedup`, each part quoted only if it must be.
    public func table(_ name: TableName) -> String {
        identifier(name.dataset) + "." + identifier(name.table)
    }

    /// A column or alias, quoted only if it is reserved in this dialect or not a plain name.
    public func identifier(_ name: String) -> String {
        guard SQLRenderer.needsQuoting(name, in: dialect) else { return name }
        switch dialect {
        case .bigquery: return "`" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`") + "`"
        case .sqlite: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// `child.customer_id`: a column of a table alias.
    public func column(_ name: String, of alias: String) -> String {
        identifier(alias) + "." + identifier(name)
    }

    /// A string literal holding exactly `text`.
    public func string(_ text: String) -> String {
        switch dialect {
        case .sqlite:
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .bigquery:
            var out = "'"
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "'": out += "\\'"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "'"
        }
    }

    /// An integer literal.
    public func integer(_ value: some BinaryInteger) -> String { String(value) }

    /// The current instant as a TIMESTAMP expression.
    public var currentTimestamp: String {
        switch dialect {
        case .bigquery: "CURRENT_TIMESTAMP()"
        case .sqlite: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        }
    }

    /// Whole seconds from the TIMESTAMP expression `earlier` to `later` (negative when `later` is
    /// earlier), truncated toward zero as TIMESTAMP_DIFF does. NULL when either is NULL.
    public func secondsBetween(_ later: String, _ earlier: String) -> String {
        switch dialect {
        case .bigquery: "TIMESTAMP_DIFF(\(later), \(earlier), SECOND)"
        // Through whole milliseconds (SQLite's precision): julianday's float difference of an exact
        // 7200 s is often 7199.99999…, which truncating straight to seconds made 7199.
        case .sqlite: "(CAST(ROUND((julianday(\(later)) - julianday(\(earlier))) * 86400000) AS INTEGER) / 1000)"
        }
    }

    /// Whole seconds from the TIMESTAMP expression `earlier` until now.
    public func secondsSince(_ earlier: String) -> String {
        secondsBetween(currentTimestamp, earlier)
    }

    /// A NUMERIC money expression that sums and compares exactly (`SQLDialect.exactMoney`).
    public func exactMoney(_ expression: String) -> String { dialect.exactMoney(expression) }

    /// A duration as a number of seconds (`3600`, `0.5`), to compare with `secondsBetween`.
    public func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000)
    }

    // MARK: Reserved words

    static func needsQuoting(_ name: String, in dialect: SQLDialect) -> Bool {
        guard let first = name.unicodeScalars.first,
            !("0"..."9").contains(first),
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
        else { return true }
        switch dialect {
        case .bigquery: return bigQueryReserved.contains(name.uppercased())
        case .sqlite: return sqliteKeywords.contains(name.uppercased())
        }
    }

    /// GoogleSQL's reserved keywords (https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#reserved_keywords).
    static let bigQueryReserved: Set<String> = [
        "ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "ASSERT_ROWS_MODIFIED", "AT", "BETWEEN", "BY", "CASE", "CAST",
        "COLLATE", "CONTAINS", "CREATE", "CROSS", "CUBE", "CURRENT", "DEFAULT", "DEFINE", "DESC", "DISTINCT", "ELSE",
        "END", "ENUM", "ESCAPE", "EXCEPT", "EXCLUDE", "EXISTS", "EXTRACT", "FALSE", "FETCH", "FOLLOWING", "FOR", "FROM",
        "FULL", "GROUP", "GROUPING", "GROUPS", "HASH", "HAVING", "IF", "IGNORE", "IN", "INNER", "INTERSECT", "INTERVAL",
        "INTO", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT", "LOOKUP", "MERGE", "NATURAL", "NEW", "NO", "NOT",
        "NULL", "NULLS", "OF", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "PRECEDING", "PROTO", "QUALIFY",
        "RANGE", "RECURSIVE", "RESPECT", "RIGHT", "ROLLUP", "ROWS", "SELECT", "SET", "SOME", "STRUCT", "TABLESAMPLE",
        "THEN", "TO", "TREAT", "TRUE", "UNBOUNDED", "UNION", "UNNEST", "USING", "WHEN", "WHERE", "WINDOW", "WITH", "WITHIN",
    ]

    /// SQLite's keywords (https://sqlite.org/lang_keywords.html). SQLite accepts many of them bare
    /// as names, but not everywhere; quoting them all is the safe side.
    static let sqliteKeywords: Set<String> = [
        "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS", "ASC", "ATTACH",
        "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST", "CHECK", "COLLATE", "COLUMN",
        "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME",
        "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT",
        "DO", "DROP", "EACH", "ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPLAIN", "FAIL",
        "FILTER", "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB", "GROUP", "GROUPS",
        "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED", "INITIALLY", "INNER", "INSERT", "INSTEAD",
        "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH", "MATERIALIZED",
        "NATURAL", "NO", "NOT", "NOTHING", "NOTNULL", "NULL", "NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS",
        "OUTER", "OVER", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE", "RANGE", "RECURSIVE",
        "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE", "RESTRICT", "RETURNING", "RIGHT",
        "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET", "TABLE", "TEMP", "TEMPORARY", "THEN", "TIES", "TO",
        "TRANSACTION", "TRIGGER", "UNBOUNDED", "UNION", "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW",
        "VIRTUAL", "WHEN", "WHERE", "WINDOW", "WITH", "WITHOUT",
    ]
}

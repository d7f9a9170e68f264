import ShopStreamWarehouse

/// One data test, dbt style: a name, a kind and a query that selects the OFFENDING rows. Zero rows
/// is a pass; any row is a failure (or a warning, for a check of severity `.warn`).
///
/// Checks are plain values: build them with the constructors (`Check.unique(table:columns:)`,
/// `.notNull`, `.relationship`, `.acceptedValues`, `.freshness`, `.compactionLag`,
/// `.reconcile`) or with `init` and your own `CheckSQL`, and put them in a `CheckSuite`.
public struct Check: Sendable {
    /// The family a check belongs to, named as dbt names its generic tests.
    public enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A key appears at most once.
        case unique
        /// Columns hold no NULL.
        case notNull = "not_null"
        /// Every reference finds the row it refers to.
        case relationships
        /// A column holds only the values its topic's JSON Schema `enum` allows.
        case acceptedValues = "accepted_values"
        /// Data arrived recently enough, and gold keeps up with silver.
        case freshness
        /// The same events are counted everywhere they should be (Kafka, lake, warehouse).
        case reconcile
        /// Anything else a suite adds.
        case custom

        public var description: String { rawValue }
    }

    /// What offending rows mean for the run.
    public enum Severity: String, Sendable, Hashable {
        /// Offending rows fail the check and the command (exit 1).
        case error
        /// Offending rows are reported as WARN; the command still succeeds.
        case warn
    }

    /// A table the query needs, and what it means when the table is not there.
    public struct Requirement: Sendable {
        public var table: TableName
        /// The sentence reported when the table is missing.
        public var whenMissing: String
        /// `.warn`: a missing table is a warning (e.g. gold never compacted); `.error`: a failure.
        public var severity: Severity

        public init(table: TableName, whenMissing: String, severity: Severity) {
            self.table = table
            self.whenMissing = whenMissing
            self.severity = severity
        }
    }

    /// Unique within a suite; what the report prints and `--select` matches, e.g.
    /// `relationships(silver.sales_dedup.customer_id → silver.customers_current.customer_id)`.
    public var name: String
    public var kind: Kind
    /// What must hold, in a sentence, e.g. "every sale's customer_id is a customer".
    public var expectation: String
    /// Selects the offending rows.
    public var sql: CheckSQL
    public var severity: Severity
    /// Tables whose absence is reported as such (instead of as a failed query).
    public var requires: [Requirement]
    /// Turns the offending rows into the text after the check's name; nil prints
    /// `N rows: col=value col=value; …`.
    public var explain: (@Sendable (Offending) -> String)?

    public init(
        name: String, kind: Kind, expectation: String, severity: Severity = .error, requires: [Requirement] = [],
        sql: CheckSQL, explain: (@Sendable (Offending) -> String)? = nil
    ) {
        self.name = name
        self.kind = kind
        self.expectation = expectation
        self.severity = severity
        self.requires = requires
        self.sql = sql
        self.explain = explain
    }

    /// The offending rows a check found: how many, and the first few.
    public struct Offending: Sendable, Hashable {
        /// Every offending row the query returns.
        public var count: Int
        /// The first rows (by the first column), at most the run's sample size.
        public var sample: QueryResult

        public init(count: Int, sample: QueryResult) {
            self.count = count
            self.sample = sample
        }

        /// The rows of the sample as `[column: value]` (NULL is nil).
        public var rows: [[String: String?]] {
            sample.rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(sample.columns, row).map { ($0, $1) })
            }
        }

        /// `1 row: sale_id=SAL-1 customer_id=CUS-9`, or `7 rows: …; …; and 2 more`.
        public var described: String {
            let shown = sample.rows.map { row in
                zip(sample.columns, row).map { "\($0)=\(Offending.quoted($1))" }.joined(separator: " ")
            }
            var text = "\(count) \(count == 1 ? "row" : "rows")"
            if !shown.isEmpty { text += ": " + shown.joined(separator: "; ") }
            if count > shown.count, !shown.isEmpty { text += "; and \(count - shown.count) more" }
            return text
        }

        /// A value as the report shows it: bare when it is one word, quoted when it has spaces
        /// or quotes, NULL for NULL.
        static func quoted(_ value: String?) -> String {
            guard let value else { return "NULL" }
            let plain = !value.isEmpty && !value.contains { $0.isWhitespace || $0 == "\"" || $0 == ";" || $0 == "=" }
            if plain { return value }
            return "\""
                + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
    }
}

/// What one check found.
public struct CheckResult: Sendable {
    public enum Status: String, Sendable, Hashable {
        /// No offending rows.
        case pass = "PASS"
        /// Offending rows in a check of severity `.error`, a required table missing, or a query
        /// that could not run.
        case fail = "FAIL"
        /// Offending rows in a check of severity `.warn`, or a table whose absence is only a
        /// warning (gold never compacted).
        case warn = "WARN"
    }

    public var name: String
    public var kind: Check.Kind
    public var status: Status
    /// The rows the query selected; nil when it did not run (a missing table, an error).
    public var offending: Check.Offending?
    /// Why the check did not pass, in words: the offending rows described, the missing table,
    /// or the warehouse's error. Nil for a pass.
    public var detail: String?
    /// The query as it ran, in the warehouse's dialect (nil when it did not run).
    public var sql: String?
    public var elapsed: Duration

    public init(
        name: String, kind: Check.Kind, status: Status, offending: Check.Offending? = nil, detail: String? = nil,
        sql: String? = nil, elapsed: Duration = .zero
    ) {
        self.name = name
        self.kind = kind
        self.status = status
        self.offending = offending
        self.detail = detail
        self.sql = sql
        self.elapsed = elapsed
    }

    /// The report's line: `PASS name`, `FAIL name: detail`, `WARN name: detail`.
    public var line: String {
        "\(status.rawValue) \(name)" + (detail.map { ": " + $0 } ?? "")
    }
}

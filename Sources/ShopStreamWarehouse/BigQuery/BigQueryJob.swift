/// A finished BigQuery job (DDL or DML run by `BigQueryClient.runJob`).
public struct BigQueryJob: Hashable, Sendable {
    /// The client-chosen id that made resending it safe.
    public var jobId: String
    /// `CREATE_TABLE`, `INSERT`, `MERGE`, `SCRIPT`, …
    public var statementType: String?
    /// Rows inserted, updated or deleted by DML.
    public var affectedRows: Int64?

    public init(jobId: String, statementType: String? = nil, affectedRows: Int64? = nil) {
        self.jobId = jobId
        self.statementType = statementType
        self.affectedRows = affectedRows
    }
}

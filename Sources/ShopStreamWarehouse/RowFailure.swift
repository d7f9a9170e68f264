/// One row of an insert that is not in the table, and why.
public struct RowFailure: Hashable, Sendable, CustomStringConvertible {
    /// The row's position in the `rows` passed to `Warehouse.insert(into:rows:)`.
    public var index: Int
    /// BigQuery's reason: `invalid` (the row is wrong: never resend it as is), `backendError`,
    /// `rateLimitExceeded`, `internalError`, `timeout` (transient: resend later), …
    public var reason: String
    /// What is wrong, naming the table, the row and the column where known.
    public var message: String
    /// Whether sending the same row again may succeed.
    public var retryable: Bool
    /// The column at fault, when known.
    public var location: String?

    public init(index: Int, reason: String, message: String, retryable: Bool, location: String? = nil) {
        self.index = index
        self.reason = reason
        self.message = message
        self.retryable = retryable
        self.location = location
    }

    public var description: String { "row \(index): \(message) (\(reason)\(retryable ? ", retryable" : ""))" }

    /// BigQuery's row-level reasons that a resend may cure. `stopped` is not here: those rows are
    /// resent at once by the insert itself.
    public static let retryableReasons: Set<String> = ["backendError", "rateLimitExceeded", "internalError", "timeout"]
}

import ShopStreamCore
import ShopStreamHTTP

/// Everything that can go wrong in a warehouse, with a sentence a person can act on: what failed,
/// on which table or statement, and what to do.
public struct WarehouseError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public typealias Code = ErrorCode<WarehouseError>

    public let code: Code
    /// One sentence: what failed, where, and what to do.
    public let message: String
    /// The statement that failed, when one did.
    public let sql: String?
    /// The HTTP failure underneath, for BigQuery (status, Google's reason, retries).
    public let http: HTTPError?
    /// BigQuery's error reason (`invalidQuery`, `notFound`, …) or SQLite's extended result code name.
    public let reason: String?

    public init(_ code: Code, _ message: String, sql: String? = nil, reason: String? = nil, http: HTTPError? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.http = http
        self.reason = reason ?? http?.googleReason
    }

    /// BigQuery failing in a way its HTTP answer calls temporary (or with no answer), a quota that
    /// refills, SQLite busy, locked, out of memory, disk or I/O trouble: later may work. A bad URL or
    /// name, a missing table, a refused statement, an unmapped type, credentials and permissions
    /// need a person.
    public var isTransient: Bool {
        switch code {
        case .bigquery: return http?.isTransient ?? true
        case .quotaExceeded: return true
        case .sqlite:
            // `reason` is SQLite's code name: `SQLITE_BUSY`, an extended `SQLITE_BUSY_SNAPSHOT`, `SQLITE_IOERR (778)`.
            guard let reason else { return false }
            return ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_NOMEM", "SQLITE_IOERR", "SQLITE_FULL"].contains { reason.hasPrefix($0) }
        default: return false
        }
    }
}

extension ErrorCode where Owner == WarehouseError {
    /// The warehouse URL is not `bigquery://PROJECT` or `sqlite:///PATH`.
    public static var invalidURL: Self { Self("invalid URL") }
    /// A dataset or table name that neither engine accepts.
    public static var invalidName: Self { Self("invalid name") }
    /// The dataset or table does not exist.
    public static var notFound: Self { Self("not found") }
    /// A statement or query was refused or failed (syntax, unknown column, constraint).
    public static var query: Self { Self("query") }
    /// A type the warehouse layer does not map (BigQuery `DATETIME`, a SQLite `BLOB` column …).
    public static var unsupported: Self { Self("unsupported") }
    /// SQLite could not open, attach, read or write its files.
    public static var sqlite: Self { Self("sqlite") }
    /// BigQuery (or its emulator) failed in a way a retry did not fix.
    public static var bigquery: Self { Self("bigquery") }
    /// The project's quota is used up (BigQuery `quotaExceeded`), even after waiting.
    public static var quotaExceeded: Self { Self("quota exceeded") }
    /// A wait for a retry (or for a job) was cut short by the stop of whoever asked: nothing more was
    /// sent. Not a failure of the warehouse, and not to be retried.
    public static var stopped: Self { Self("stopped") }
    /// No usable credentials, or they were refused (HTTP 401).
    public static var credentials: Self { Self("credentials") }
    /// The credentials may not do this (HTTP 403 `accessDenied`).
    public static var permissionDenied: Self { Self("permission denied") }
}

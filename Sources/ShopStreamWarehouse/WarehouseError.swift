import ShopStreamCore
import ShopStreamHTTP

/// Everything that can go wrong in a warehouse, with a sentence a person can act on: what failed,
/// on which table or statement, and what to do.
public struct WarehouseError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The warehouse URL is not `bigquery://PROJECT` or `sqlite:///PATH`.
        public static let invalidURL = Code("invalid URL")
        /// A dataset or table name that neither engine accepts.
        public static let invalidName = Code("invalid name")
        /// The dataset or table does not exist.
        public static let notFound = Code("not found")
        /// A statement or query was refused or failed (syntax, unknown column, constraint).
        public static let query = Code("query")
        /// A type the warehouse layer does not map (BigQuery `DATETIME`, a SQLite `BLOB` column …).
        public static let unsupported = Code("unsupported")
        /// SQLite could not open, attach, read or write its files.
        public static let sqlite = Code("sqlite")
        /// BigQuery (or its emulator) failed in a way a retry did not fix.
        public static let bigquery = Code("bigquery")
        /// The project's quota is used up (BigQuery `quotaExceeded`), even after waiting.
        public static let quotaExceeded = Code("quota exceeded")
        /// No usable credentials, or they were refused (HTTP 401).
        public static let credentials = Code("credentials")
        /// The credentials may not do this (HTTP 403 `accessDenied`).
        public static let permissionDenied = Code("permission denied")
    }

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

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import Synchronization

/// BigQuery's REST API v2 over libcurl: datasets, tables, `tabledata.insertAll`, `jobs.query`
/// and jobs. The same code talks to Google and to an emulator; only the endpoint (and, for the
/// emulator, one documented quirk: `Configuration.internalErrorIsPermanent`) differ.
///
/// Every request is made safe to repeat (client-chosen job ids, query request ids, insert ids,
/// create-if-missing), and failures are retried by Google's reason: `backendError`,
/// `internalError`, `rateLimitExceeded`, 429/5xx without a reason and dropped connections with
/// exponential backoff; `quotaExceeded` only after long waits (`quotaWaits`); `invalid`,
/// `notFound`, `accessDenied` and the like never. Every resend, decided here or by the HTTP layer
/// below (which itself never retries for this client), is counted in `takeRetries()`.
///
/// Thread-safe: requests borrow connections from a pool. Every method blocks its thread.
public final class BigQueryClient: Sendable {
    /// Where BigQuery is and how to talk to it.
    public struct Configuration: Sendable {
        /// `https://bigquery.googleapis.com/bigquery/v2`, or an emulator's base URL with the same path.
        public var endpoint: String
        /// Where datasets are created and jobs run (`US`, `EU`, `asia-south1`); nil: BigQuery's default.
        public var location: String?
        /// Connection and request timeouts. Its retry policy is not used: retries are decided
        /// here, by Google's reason (see `retry`).
        public var http: HTTPClientConfiguration
        /// Attempts and backoff for retryable reasons (default: `RetryPolicy()`, 6 attempts, 1 s
        /// doubling to 32 s with jitter); every wait, polls and quota waits included, is its `wait`,
        /// which its `stop` (or the one given to `interruptWaits(on:)`) cuts short.
        public var retry: RetryPolicy
        /// The waits before each retry after `quotaExceeded` (default 30 s, 60 s, 120 s); when
        /// they are used up the call throws `.quotaExceeded`.
        public var quotaWaits: [Duration]
        /// Rows per insertAll request (Google recommends at most 500).
        public var maxRowsPerRequest: Int
        /// Bytes per insertAll request (BigQuery refuses more than 10 MB; default 9 MB).
        public var maxBytesPerRequest: Int
        /// Rows per page of query results; nil lets BigQuery choose (up to 10 MB a page).
        public var pageSize: Int?
        /// How long a query or job may take before the call gives up (default 10 minutes).
        public var jobTimeout: Duration
        /// The bqemulator answers requests it cannot carry out with HTTP 500 `internalError`
        /// where BigQuery would answer 4xx: an invalid row (instead of `insertErrors`), a table
        /// in a missing dataset. When true, such a 500 is not retried: an insertAll request of
        /// several rows is split in halves until the bad rows stand alone, and each is reported
        /// as that row's `invalid` failure while the good rows go in; any other request throws at
        /// once. Set for emulator endpoints; against BigQuery a 500 is transient and retried.
        public var internalErrorIsPermanent: Bool
        /// Idle connections kept for reuse.
        public var maximumIdleConnections: Int

        public init(
            endpoint: String = BigQueryClient.googleEndpoint, location: String? = nil,
            http: HTTPClientConfiguration = HTTPClientConfiguration(), retry: RetryPolicy = RetryPolicy(),
            quotaWaits: [Duration] = [.seconds(30), .seconds(60), .seconds(120)],
            maxRowsPerRequest: Int = 500, maxBytesPerRequest: Int = 9_000_000, pageSize: Int? = nil,
            jobTimeout: Duration = .seconds(600), internalErrorIsPermanent: Bool = false, maximumIdleConnections: Int = 16
        ) {
            self.endpoint = endpoint
            self.location = location
            self.http = http
            self.retry = retry
            self.quotaWaits = quotaWaits
            self.maxRowsPerRequest = max(1, maxRowsPerRequest)
            self.maxBytesPerRequest = max(1024, maxBytesPerRequest)
            self.pageSize = pageSize
            self.jobTimeout = jobTimeout
            self.internalErrorIsPermanent = internalErrorIsPermanent
            self.maximumIdleConnections = maximumIdleConnections
        }

        /// The emulator's base URL when `BIGQUERY_EMULATOR_HOST` is set (`http://127.0.0.1:9050`
        /// or `127.0.0.1:9050`; `http://` is assumed), with `/bigquery/v2` appended; else nil.
        public static func emulatorEndpoint(environment: [String: String]) -> String? {
            guard let host = EmulatorHost.endpoint("BIGQUERY_EMULATOR_HOST", environment: environment) else { return nil }
            return host.hasSuffix("/bigquery/v2") ? host : host + "/bigquery/v2"
        }
    }

    public static let googleEndpoint = "https://bigquery.googleapis.com/bigquery/v2"

    public let project: String
    public let configuration: Configuration
    public let credentials: any AccessTokenProvider
    let pool: HTTPClientPool
    /// What ends the waits early: `configuration.retry.stop`, or the one given to `interruptWaits(on:)`.
    private let stop: Mutex<StopSignal?>

    public init(project: String, credentials: any AccessTokenProvider, configuration: Configuration = Configuration()) throws {
        if let problem = GoogleProject.problem(project) {
            throw WarehouseError(.invalidURL, "BigQuery project \"\(project)\" \(problem)")
        }
        self.project = project
        self.credentials = credentials
        var configuration = configuration
        while configuration.endpoint.hasSuffix("/") { configuration.endpoint.removeLast() }
        self.configuration = configuration
        stop = Mutex(configuration.retry.stop)
        var http = configuration.http
        http.retry = .never
        pool = HTTPClientPool(configuration: http, maximumIdle: configuration.maximumIdleConnections)
    }

    /// Reads the endpoint and credentials from the environment: `BIGQUERY_EMULATOR_HOST` means
    /// that emulator, no credentials and `internalErrorIsPermanent`; otherwise Google with
    /// Application Default Credentials.
    public convenience init(
        project: String, location: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClientConfiguration = HTTPClientConfiguration()
    ) throws {
        let access = try GoogleAccess(
            emulator: Configuration.emulatorEndpoint(environment: environment), environment: environment, http: http,
            failure: { WarehouseError(.credentials, "bigquery://\(project): \($0.message)", http: $0) })
        try self.init(
            project: project, credentials: access.credentials,
            configuration: Configuration(
                endpoint: access.emulator ?? Self.googleEndpoint, location: location, http: http,
                internalErrorIsPermanent: access.emulator != nil))
    }

    /// Every resend since the last call: the HTTP layer's own (a dead keep-alive connection, a
    /// refreshed token) and this client's, decided by Google's reasons (see `RetryBudget`).
    public func takeRetries() -> RetrySummary { pool.takeRetries() }

    /// From now on `stop` ends this client's waits early (backoffs, quota waits, job and query
    /// polls): once it asks `.abandon`, a call that is waiting sends nothing more and throws
    /// `.stopped` naming the failure it was waiting out (see `RetryPolicy.stop` for why only
    /// `.abandon`). For the owner of a stop who got this client built (a sink given its warehouse);
    /// replaces `configuration.retry.stop` and any stop given before.
    public func interruptWaits(on stop: StopSignal) {
        self.stop.withLock { $0 = stop }
    }

    /// Waits `delay` under the retry policy; false when the stop asked to give up (send nothing more).
    func wait(_ delay: Duration) -> Bool {
        configuration.retry.wait(delay, stoppingOn: stop.withLock { $0 })
    }

    // MARK: Requests

    var projectURL: String { configuration.endpoint + "/projects/" + PercentEncoding.encode(project) }

    func tableURL(_ table: TableName) -> String {
        projectURL + "/datasets/" + PercentEncoding.encode(table.dataset) + "/tables/" + PercentEncoding.encode(table.table)
    }

    /// `?location=…` (or `&location=…`) when a location is configured.
    func locationQuery(_ separator: String) -> String {
        configuration.location.map { separator + "location=" + PercentEncoding.encode($0) } ?? ""
    }

    /// One request with credentials, no retries; failures come back as `HTTPError`.
    func send(_ method: HTTPMethod, _ url: String, json: Data? = nil, timeout: Duration? = nil) throws -> HTTPResponse {
        var request = HTTPRequest(method: method, url: url, body: json ?? Data(), isIdempotent: true, timeout: timeout)
        if json != nil { request.headers.set("Content-Type", "application/json") }
        try credentials.authorize(&request)
        return try pool.send(request)
    }

    /// What to do about a failed request.
    enum Disposition: Equatable {
        case retry
        case waitForQuota
        case fail
    }

    /// Google's reasons first, then the status, then the kind of transport failure.
    static func disposition(of error: HTTPError) -> Disposition {
        // No access token: the credentials already retried what could be, and the 400 or 401 came
        // from the token endpoint, not from BigQuery.
        if error.code == .credentials || error.code == .stopped { return .fail }
        switch error.googleReason {
        case "backendError", "internalError", "rateLimitExceeded", "backendErrors": return .retry
        case "quotaExceeded": return .waitForQuota
        case .some(let reason) where !["UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"].contains(reason): return .fail
        default: break
        }
        if let status = error.status { return [408, 429, 500, 502, 503, 504].contains(status) ? .retry : .fail }
        return error.code == .transport || error.code == .timeout ? .retry : .fail
    }

    /// One call's tries under `configuration.retry` and `quotaWaits`. Every resend this client
    /// makes — a whole request or a request's transient rows — is decided through one budget and
    /// counted with the HTTP layer's retries, so none is missing from `takeRetries()`.
    struct RetryBudget {
        /// The try under way, the first being 1.
        var attempt = 1
        var quotaWaitsUsed = 0
        /// Whether anything was sent before this try.
        var isResend: Bool { attempt > 1 || quotaWaitsUsed > 0 }
    }

    /// Whether `error` is worth another try within `budget`; if so it waits first (quota waits
    /// for `quotaExceeded`, backoff otherwise) and counts the resend. Throws `.stopped` when the
    /// stop cut the wait short. `doing` names the operation for that message.
    func shouldRetry(_ error: HTTPError, _ budget: inout RetryBudget, doing: String) throws -> Bool {
        switch Self.disposition(of: error) {
        case .retry where budget.attempt < configuration.retry.maxAttempts && !isPermanent(error):
            try resend(&budget, reason: error.status.map(String.init) ?? "\(error.code)", doing: doing, cause: error.message)
            return true
        case .waitForQuota where budget.quotaWaitsUsed < configuration.quotaWaits.count:
            guard wait(configuration.quotaWaits[budget.quotaWaitsUsed]) else {
                throw stoppedWaiting(doing: doing, budget: budget, cause: error.message)
            }
            pool.recordRetry("quotaExceeded")
            budget.quotaWaitsUsed += 1
            return true
        default:
            return false
        }
    }

    /// Backs off before the next try of `budget` and counts it; the caller has checked that a
    /// try is left. Throws `.stopped` (naming `cause`, what failed last) when the stop cut the
    /// backoff short: the try is not made, and not counted.
    func resend(_ budget: inout RetryBudget, reason: String, doing: String, cause: @autoclosure () -> String) throws {
        guard wait(configuration.retry.backoff(beforeRetry: budget.attempt - 1)) else {
            throw stoppedWaiting(doing: doing, budget: budget, cause: cause())
        }
        pool.recordRetry(reason)
        budget.attempt += 1
    }

    /// "stopped while waiting to retry insert into silver.sales (1 attempt made): <cause>".
    func stoppedWaiting(doing: String, budget: RetryBudget, cause: String) -> WarehouseError {
        let tries = budget.attempt + budget.quotaWaitsUsed
        return WarehouseError(
            .stopped, "stopped while waiting to retry \(doing) (\(tries) attempt\(tries == 1 ? "" : "s") made): \(cause)")
    }

    /// Runs `body` (which sends one request) until it succeeds, retrying by reason. `doing` names
    /// the operation for messages ("create table silver.sales").
    func withRetries<T>(doing: String, _ body: () throws -> T) throws -> T {
        var budget = RetryBudget()
        while true {
            do {
                return try body()
            } catch let error as HTTPError {
                guard try shouldRetry(error, &budget, doing: doing) else {
                    throw warehouseError(error, doing: doing, attempts: budget.attempt, quotaWaits: budget.quotaWaitsUsed)
                }
            }
        }
    }

    /// The emulator's 500 `internalError`, when configured as permanent.
    func isPermanent(_ error: HTTPError) -> Bool {
        configuration.internalErrorIsPermanent && error.status == 500 && error.googleReason == "internalError"
    }

    /// An `HTTPError` as a sentence a person can act on.
    func warehouseError(_ error: HTTPError, doing: String, attempts: Int = 1, quotaWaits: Int = 0, sql: String? = nil) -> WarehouseError {
        let google = error.googleMessage ?? error.message
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        if error.code == .credentials {
            return WarehouseError(.credentials, "\(doing) in bigquery://\(project): \(error.message)", sql: sql, http: error)
        }
        switch (error.status, error.googleReason) {
        case (401?, _):
            return WarehouseError(
                .credentials,
                "BigQuery refused the credentials from \(credentials.source) (\(google)) on \(doing); run `gcloud auth application-default login` or check GOOGLE_APPLICATION_CREDENTIALS",
                sql: sql, http: error)
        case (_, "quotaExceeded"?):
            return WarehouseError(
                .quotaExceeded,
                "\(doing): BigQuery quota exceeded in project \(project) (\(google)), still after waiting \(quotaWaits) times; lower the rate or raise the quota (IAM & Admin → Quotas)",
                sql: sql, http: error)
        case (403?, "accessDenied"?), (403?, nil):
            let who = credentials.principal ?? "the credentials from \(credentials.source)"
            return WarehouseError(
                .permissionDenied,
                "\(who) may not \(doing) in project \(project) (\(google)); grant roles/bigquery.dataEditor and roles/bigquery.jobUser",
                sql: sql, http: error)
        case (404?, _):
            return WarehouseError(.notFound, "\(doing): \(google)", sql: sql, http: error)
        case (400?, _):
            return WarehouseError(
                .query, "\(doing): BigQuery refused the request: \(google)\(sql.map { " in: " + $0.statementPreview } ?? "")", sql: sql,
                http: error)
        default:
            return WarehouseError(.bigquery, "\(doing) failed\(tries): \(error.message)", sql: sql, http: error)
        }
    }
}

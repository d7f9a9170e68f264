/// How an `HTTPClient` connects, waits and retries.
public struct HTTPClientConfiguration: Sendable {
    /// Longest wait for the TCP (and TLS) connection (default 10 s).
    public var connectTimeout: Duration
    /// Longest wait for a whole request, connection included (default 60 s).
    public var timeout: Duration
    /// When to repeat a failed idempotent request (default: `RetryPolicy()`).
    public var retry: RetryPolicy
    /// Sent as `User-Agent` (default "shopstream (libcurl)").
    public var userAgent: String

    public init(
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60),
        retry: RetryPolicy = RetryPolicy(),
        userAgent: String = "shopstream (libcurl)"
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.retry = retry
        self.userAgent = userAgent
    }
}

import Foundation
import ShopStreamCore

/// Shares `HTTPClient`s between threads: each call borrows an idle client (or makes one) and
/// gives it back, so every client keeps one owner at a time and its connections stay alive.
///
/// `@unchecked Sendable`: `idle`, `retries` and `stop` are touched only under `lock`; a checked-out
/// client belongs to its borrower alone. (A `Mutex` cannot hold them checked: the compiler cannot
/// see that `body` lets go of the client it borrowed, so giving it back does not type-check.)
public final class HTTPClientPool: @unchecked Sendable {
    public let configuration: HTTPClientConfiguration
    /// How many idle clients (and their connections) to keep.
    public let maximumIdle: Int
    private let lock = NSLock()
    private var idle: [HTTPClient] = []
    private var retries = RetrySummary()
    /// What ends the waits of the clients lent out: `configuration.retry.stop`, or the one given to
    /// `interruptWaits(on:)`.
    private var stop: StopSignal?

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), maximumIdle: Int = 16) {
        self.configuration = configuration
        self.maximumIdle = maximumIdle
        stop = configuration.retry.stop
    }

    /// From now on `stop` ends the retry policy's waits of every request sent through this pool:
    /// once it asks `.abandon`, a request backing off sends nothing more and throws `.stopped`
    /// naming the failure it was waiting out (see `RetryPolicy.stop`). For the owner of a stop who
    /// was handed a client built before it (a sink given its lake). Replaces
    /// `configuration.retry.stop` and any stop given before; a request already under way keeps
    /// the stop it started with.
    public func interruptWaits(on stop: StopSignal) {
        lock.lock()
        defer { lock.unlock() }
        self.stop = stop
    }

    /// Waits `delay` (a pause between polls) under the retry policy and the pool's stop; false
    /// when the stop asked `.abandon` before or during it.
    public func wait(_ delay: Duration) -> Bool {
        configuration.retry.wait(delay, stoppingOn: lock.withLock { stop })
    }

    /// Runs `body` with a client nobody else is using.
    public func withClient<T>(_ body: (HTTPClient) throws -> T) throws -> T {
        let client = try checkOut()
        defer { checkIn(client) }
        return try body(client)
    }

    /// Sends one request on a borrowed client (see `HTTPClient.send(_:)`).
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try withClient { try $0.send(request) }
    }

    /// Every retry made through this pool since the last call, and starts counting afresh.
    public func takeRetries() -> RetrySummary {
        lock.lock()
        defer { lock.unlock() }
        for client in idle { retries.merge(client.takeRetries()) }
        let taken = retries
        retries = RetrySummary()
        return taken
    }

    /// Counts a resend that a caller above this layer decided on by its service's own reasons
    /// (BigQuery's `backendError` in a 400, a row's transient insert error), so `takeRetries()`
    /// — and `shopstream_http_retries_total` — hold every resend, not only this layer's own.
    public func recordRetry(_ reason: String) {
        lock.lock()
        defer { lock.unlock() }
        retries.record(reason)
    }

    private func checkOut() throws -> HTTPClient {
        lock.lock()
        let client = idle.popLast()
        let stop = stop
        lock.unlock()
        let lent = try client ?? HTTPClient(configuration: configuration)
        lent.stop = stop
        return lent
    }

    private func checkIn(_ client: HTTPClient) {
        lock.lock()
        defer { lock.unlock() }
        retries.merge(client.takeRetries())
        if idle.count < maximumIdle { idle.append(client) }
    }
}

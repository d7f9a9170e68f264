import Foundation
import ShopStreamCore

/// A blocking HTTP client over one libcurl handle, reused so connections stay alive.
///
/// One owner at a time (use `HTTPClientPool` to share). `send(_:)` blocks the calling thread:
/// call it from a thread of your own, not from Swift concurrency's cooperative pool.
public final class HTTPClient {
    public let configuration: HTTPClientConfiguration
    private let handle: CurlEasyHandle
    /// Every retry this client made since it was created (or since `takeRetries()`).
    public private(set) var retries = RetrySummary()
    /// What ends the retry policy's waits: its own `stop`, or the one its pool was given
    /// (`HTTPClientPool.interruptWaits(on:)`), set as the pool lends it out.
    var stop: StopSignal?

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws {
        self.configuration = configuration
        stop = configuration.retry.stop
        handle = try CurlEasyHandle()
    }

    /// Returns the retries recorded so far and starts counting afresh.
    public func takeRetries() -> RetrySummary {
        defer { retries = RetrySummary() }
        return retries
    }

    /// Sends `request`, repeating it under the retry policy if it is idempotent, and returns the
    /// 2xx answer. Anything else throws an `HTTPError` naming the method, the URL (redacted),
    /// the status and Google's error message.
    ///
    /// A request authorized by a token source (`AccessTokenProvider.authorize`) that gets 401 is
    /// sent once more with a freshly fetched token, idempotent or not: a 401 means the server did
    /// nothing with it. A second 401 is a `.credentials` error naming the credentials.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let policy = configuration.retry
        var request = request
        var retried = RetrySummary()
        var attempt = 1
        var refreshedToken = false
        while true {
            let outcome = try handle.perform(
                method: request.method, url: request.url, headers: request.headers, body: request.body,
                connectTimeout: request.connectTimeout ?? configuration.connectTimeout,
                timeout: request.timeout ?? configuration.timeout,
                userAgent: configuration.userAgent, version: request.version)
            let resends: Int
            switch outcome {
            case .success(let answer): resends = answer.resends
            case .failure(let failure): resends = failure.resends
            }
            for _ in 0..<resends { record(Self.deadKeepAlive, into: &retried) }

            let canRetry = request.isIdempotent && attempt < policy.maxAttempts
            switch outcome {
            case .success(let answer) where (200..<300).contains(answer.status):
                return HTTPResponse(status: answer.status, headers: answer.headers, body: answer.body, retries: retried)

            case .success(let answer) where answer.status == 401 && request.authorization != nil:
                guard !refreshedToken else { throw tokenRefused(answer, request: request, retries: retried) }
                try request.reauthorize()
                refreshedToken = true
                // At once: a refused token does not get better by waiting, and the policy's
                // attempts stay for the faults it is there for.
                record("401", into: &retried)
                continue

            case .success(let answer):
                guard canRetry, policy.retryableStatuses.contains(answer.status) else {
                    throw HTTPError.status(
                        answer.status, method: request.method, url: request.url, headers: answer.headers,
                        body: answer.body, retries: retried)
                }
                let retryAfter = RetryPolicy.retryAfter(answer.headers["retry-after"])
                try wait(policy.backoff(beforeRetry: attempt - 1, retryAfter: retryAfter), reason: "\(answer.status)", into: &retried) {
                    HTTPError.status(
                        answer.status, method: request.method, url: request.url, headers: answer.headers, body: answer.body,
                        retries: $0)
                }

            case .failure(let failure):
                guard canRetry, failure.kind.isRetryable else {
                    throw transportError(failure, request: request, attempts: attempt, retries: retried)
                }
                try wait(policy.backoff(beforeRetry: attempt - 1), reason: failure.reason, into: &retried) {
                    transportError(failure, request: request, attempts: attempt, retries: $0)
                }
            }
            attempt += 1
        }
    }

    /// The retry reason for libcurl's own resend on a reused connection found dead.
    static let deadKeepAlive = "dead keep-alive"

    /// Waits for a retry and counts it; when the policy's stop asked to give up meanwhile, the
    /// retry is neither made nor counted, and `cause` (given the retries made) is thrown as `.stopped`.
    private func wait(
        _ delay: Duration, reason: String, into retried: inout RetrySummary, cause: (RetrySummary) -> HTTPError
    ) throws {
        guard configuration.retry.wait(delay, stoppingOn: stop) else { throw cause(retried).stoppedWaiting() }
        record(reason, into: &retried)
    }

    private func record(_ reason: String, into retried: inout RetrySummary) {
        retried.record(reason)
        retries.record(reason)
    }

    /// The second 401, after a fresh token: the credentials themselves are refused.
    private func tokenRefused(_ answer: CurlResponse, request: HTTPRequest, retries: RetrySummary) -> HTTPError {
        // Worded without the retries, which the sentence tells in its own words.
        let refused = HTTPError.status(
            answer.status, method: request.method, url: request.url, headers: answer.headers, body: answer.body,
            retries: RetrySummary())
        let who =
            request.authorization.map { authorization in
                let credentials = authorization.credentials
                return credentials.principal.map { "\($0) (\(credentials.source))" } ?? credentials.source
            } ?? "the request's credentials"
        return HTTPError(
            .credentials,
            "\(refused.message), also with a freshly fetched access token for \(who); check that the account exists and is enabled, that its key or login has not been revoked (`gcloud iam service-accounts keys create` makes a new key, `gcloud auth application-default login` renews a person's), that the token's scopes cover this API, and that this machine's clock is right",
            method: refused.method, url: refused.url, status: refused.status, googleReason: refused.googleReason,
            googleMessage: refused.googleMessage, retries: retries)
    }

    private func transportError(
        _ failure: CurlTransportFailure, request: HTTPRequest, attempts: Int, retries: RetrySummary
    ) -> HTTPError {
        let url = URLRedaction.redact(request.url)
        let host = URLComponents(string: request.url)?.host ?? url
        let advice: String
        switch failure.kind {
        case .refused: advice = "nothing accepts connections there; is the server (or emulator) running?"
        case .timeout: advice = "no answer within \(request.timeout ?? configuration.timeout); check the network or raise the timeout"
        case .reset, .dropped: advice = "the connection was dropped; check the network or a proxy between"
        case .tls: advice = "the TLS handshake failed; check the endpoint's scheme and certificate"
        case .resolve: advice = "the host name \(host) could not be resolved; check the URL and DNS"
        case .other: advice = "check the URL and the network"
        }
        var text = "\(request.method) \(url): \(failure.detail); \(advice)"
        if !retries.isEmpty {
            text += " (\(retries))"
        } else if failure.kind.isRetryable && !request.isIdempotent {
            text += " (not retried: the request is not idempotent)"
        }
        return HTTPError(
            failure.kind == .timeout ? .timeout : .transport, text, method: request.method.rawValue, url: url,
            retries: retries)
    }
}

import Foundation

/// Tokens for the attached service account of a Google Cloud VM, Cloud Run service or GKE pod,
/// from the metadata server.
///
/// `@unchecked Sendable`: `client` (an `HTTPClient`, one curl handle) and `email` are used only
/// under `lock`; the token itself is the cache's, under its own lock.
public final class MetadataServerCredentials: AccessTokenProvider, @unchecked Sendable {
    /// `metadata.google.internal`, or `GCE_METADATA_HOST` (host[:port]) when set.
    public let host: String
    public var source: String { "the metadata server (\(host))" }

    private let cache: TokenCache
    private let lock = NSLock()
    /// Used only under `lock` (in `accessToken()` inside the cache's lock too: always that order).
    private let client: HTTPClient
    private var email: String??
    private let now: @Sendable () -> Date

    /// `http`'s timeouts are shortened: off Google Cloud the metadata server does not exist and a
    /// long wait only delays the error.
    public init(
        host: String = "metadata.google.internal", http: HTTPClientConfiguration = HTTPClientConfiguration(),
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        self.host = host
        var configuration = http
        configuration.connectTimeout = min(http.connectTimeout, .seconds(2))
        configuration.timeout = min(http.timeout, .seconds(5))
        configuration.retry.maxAttempts = min(http.retry.maxAttempts, 3)
        client = try HTTPClient(configuration: configuration)
        self.now = now
        cache = TokenCache(now: now)
    }

    private var base: String { "http://\(host)/computeMetadata/v1/instance/service-accounts/default" }

    public func invalidate(_ token: AccessToken) {
        cache.invalidate(token)
    }

    public func accessToken() throws -> AccessToken? {
        try cache.token {
            let time = now()
            let request = HTTPRequest(url: base + "/token", headers: ["Metadata-Flavor": "Google"])
            let response: HTTPResponse
            do {
                response = try lock.withLock { try client.send(request) }
            } catch let error as HTTPError {
                throw error.withMessage(
                    "no Google credentials found: GOOGLE_APPLICATION_CREDENTIALS is not set, there is no gcloud application-default login, and \(error.message); outside Google Cloud, run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file",
                    code: .credentials)
            }
            return try response.decode(TokenEndpointResponse.self, as: "a metadata-server token").token(now: time)
        }
    }

    /// The attached service account's email, asked once; nil if the server does not say.
    public var principal: String? {
        lock.withLock {
            if let email { return email }
            let request = HTTPRequest(url: base + "/email", headers: ["Metadata-Flavor": "Google"])
            let answer = (try? client.send(request)).flatMap { String(data: $0.body, encoding: .utf8) }?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            email = .some(answer)
            return answer
        }
    }
}

import Foundation

/// One HTTP request: what `HTTPClient.send(_:)` sends, possibly several times.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL, already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data
    /// Whether sending the request twice has the same effect as sending it once. Only idempotent
    /// requests are retried. Defaults to the method's own idempotency; set it for a POST that a
    /// precondition (such as `ifGenerationMatch=0`) or a request id makes safe to repeat.
    public var isIdempotent: Bool
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?
    /// Overrides the client's connect timeout for this request.
    public var connectTimeout: Duration?
    /// The HTTP version to speak (default: HTTP/1.1, or HTTP/2 where TLS negotiates it).
    public var version: HTTPVersion = .automatic
    /// The token source and token behind the `Authorization` header, set by
    /// `AccessTokenProvider.authorize(_:)`, so that a 401 can be answered with a fresh token.
    var authorization: BearerAuthorization?

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: Data = Data(),
        isIdempotent: Bool? = nil,
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent ?? method.isIdempotent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// After a 401: forgets the refused token and authorizes the request with a fresh one.
    mutating func reauthorize() throws {
        guard let authorization else { return }
        authorization.credentials.invalidate(authorization.token)
        try authorization.credentials.authorize(&self)
    }
}

/// Which HTTP a request is sent with.
public enum HTTPVersion: Sendable {
    /// HTTP/1.1 over cleartext; over TLS, HTTP/2 when the server offers it (libcurl's default).
    case automatic
    /// HTTP/2 only: over TLS as negotiated, over cleartext with prior knowledge (no upgrade
    /// round trip), as gRPC servers expect.
    case http2
}

import Foundation

/// An OAuth 2.0 access token. Its description never shows the token.
public struct AccessToken: Sendable, CustomStringConvertible {
    public let value: String
    public let expiresAt: Date

    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    public var description: String { "access token (redacted, expires \(expiresAt))" }
}

/// Where access tokens for Google APIs come from. Implementations cache tokens and refresh them
/// before they expire, and are safe to call from several threads; `accessToken()` may block on
/// the network.
public protocol AccessTokenProvider: Sendable {
    /// A token valid for at least a few more minutes, or nil to send no credentials (emulators).
    func accessToken() throws -> AccessToken?
    /// Forgets `token` because a server refused it (401), so that the next `accessToken()`
    /// fetches a new one — unless another caller has already replaced it. Default: nothing.
    func invalidate(_ token: AccessToken)
    /// The account the tokens speak for, when known (a service account's email), for messages.
    var principal: String? { get }
    /// Where the credentials come from, for messages ("service-account key /etc/key.json").
    var source: String { get }
}

extension AccessTokenProvider {
    /// Adds `Authorization: Bearer …` to `request` (nothing for `NoCredentials`). `HTTPClient`
    /// answers a 401 to such a request by fetching a fresh token once and sending it again.
    public func authorize(_ request: inout HTTPRequest) throws {
        if let token = try accessToken() {
            request.headers.set("Authorization", "Bearer \(token.value)")
            request.authorization = BearerAuthorization(credentials: self, token: token)
        }
    }

    public func invalidate(_ token: AccessToken) {}
}

/// Which token source authorized a request, and with which token.
struct BearerAuthorization: Sendable {
    var credentials: any AccessTokenProvider
    var token: AccessToken
}

/// Sends no credentials: for emulators such as fake-gcs-server.
public struct NoCredentials: AccessTokenProvider {
    public init() {}
    public func accessToken() throws -> AccessToken? { nil }
    public var principal: String? { nil }
    public var source: String { "no credentials (emulator)" }
}

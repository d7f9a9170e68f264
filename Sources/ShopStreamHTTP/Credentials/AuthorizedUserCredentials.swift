import Foundation
import ShopStreamCore

/// Tokens for a person, from gcloud's application-default credentials
/// (`gcloud auth application-default login`): a refresh-token grant.
///
/// `@unchecked Sendable`: `client` (an `HTTPClient`, one curl handle) is used only inside the
/// token cache's fetch, which runs under the cache's lock; the rest are immutable.
public final class AuthorizedUserCredentials: AccessTokenProvider, @unchecked Sendable {
    public let tokenURI: String
    public let source: String
    public var principal: String? { account }

    private let account: String?
    private let clientID: String
    private let clientSecret: String
    private let refreshToken: String
    private let cache: TokenCache
    /// Used only under the cache's lock.
    private let client: HTTPClient
    private let now: @Sendable () -> Date

    public convenience init(
        file path: String, http: HTTPClientConfiguration = HTTPClientConfiguration(),
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        try self.init(json: CredentialsFile.read(path, variable: nil), path: path, http: http, now: now)
    }

    init(json: Data, path: String, http: HTTPClientConfiguration, now: @escaping @Sendable () -> Date) throws {
        let object = try CredentialsFile.object(json, path: path)
        func field(_ name: String) throws -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw CredentialsFile.error(path, "has no \"\(name)\"", fix: "run `gcloud auth application-default login` again")
            }
            return value
        }
        clientID = try field("client_id")
        clientSecret = try field("client_secret")
        refreshToken = try field("refresh_token")
        Secrets.register(clientSecret)
        Secrets.register(refreshToken)
        account = (object["account"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        tokenURI = (object["token_uri"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? GoogleCredentials.defaultTokenURI
        source = "gcloud application-default credentials \(path)"
        self.now = now
        cache = TokenCache(now: now)
        client = try HTTPClient(configuration: http)
    }

    public func invalidate(_ token: AccessToken) {
        cache.invalidate(token)
    }

    public func accessToken() throws -> AccessToken? {
        try cache.token {
            try exchangeForToken(
                client: client, tokenURI: tokenURI,
                form: [
                    ("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret),
                    ("refresh_token", refreshToken),
                ],
                who: "the gcloud user (\(source))",
                fix: "the login has expired or was revoked: run `gcloud auth application-default login`",
                now: now())
        }
    }
}

import Foundation
import ShopStreamCore

/// Tokens for a service account, from its JSON key: an RS256-signed JWT exchanged at the key's
/// `token_uri` (the JWT bearer grant, RFC 7523).
///
/// `@unchecked Sendable`: `client` (an `HTTPClient`) and `signer` (an OpenSSL key) are used only
/// inside the token cache's fetch, which runs under the cache's lock; the rest are immutable.
public final class ServiceAccountCredentials: AccessTokenProvider, @unchecked Sendable {
    /// The service account's email (`client_email`).
    public let clientEmail: String
    /// Where assertions are exchanged for tokens (`token_uri`; Google's by default).
    public let tokenURI: String
    public let scopes: [String]
    public let source: String
    public var principal: String? { clientEmail }

    private let keyID: String
    private let signer: RSAPrivateKey
    private let cache: TokenCache
    /// Used only under the cache's lock, so by one thread at a time.
    private let client: HTTPClient
    private let now: @Sendable () -> Date

    /// Reads a service-account key file (`gcloud iam service-accounts keys create`).
    public convenience init(
        keyFile path: String, scopes: [String] = [GoogleCredentials.cloudPlatformScope],
        http: HTTPClientConfiguration = HTTPClientConfiguration(), now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        let json = try CredentialsFile.read(path, variable: nil)
        try self.init(json: json, path: path, scopes: scopes, http: http, now: now)
    }

    init(json: Data, path: String, scopes: [String], http: HTTPClientConfiguration, now: @escaping @Sendable () -> Date) throws {
        let key = try CredentialsFile.object(json, path: path)
        func field(_ name: String) throws -> String {
            guard let value = key[name] as? String, !value.isEmpty else {
                throw CredentialsFile.error(path, "has no \"\(name)\"", fix: CredentialsFile.newKeyAdvice)
            }
            return value
        }
        clientEmail = try field("client_email")
        keyID = try field("private_key_id")
        let pem = try field("private_key")
        // Never in a log line, an error or a page.
        Secrets.register(pem)
        Secrets.register(keyID)
        tokenURI = (key["token_uri"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? GoogleCredentials.defaultTokenURI
        do {
            signer = try RSAPrivateKey(pem: pem)
        } catch let error as HTTPError {
            throw CredentialsFile.error(path, "private_key: \(error.message)", fix: CredentialsFile.newKeyAdvice)
        }
        self.scopes = scopes
        self.source = "service-account key \(path)"
        self.now = now
        cache = TokenCache(now: now)
        client = try HTTPClient(configuration: http)
    }

    /// The signed JWT exchanged for a token: header `{alg: RS256, typ: JWT, kid}`, claims
    /// `iss, scope, aud (= token_uri), iat, exp (= iat + 1 h)`.
    public func assertion(issuedAt: Date) throws -> String {
        let iat = Int(issuedAt.timeIntervalSince1970)
        let header: [String: Any] = ["alg": "RS256", "typ": "JWT", "kid": keyID]
        let claims: [String: Any] = [
            "iss": clientEmail, "scope": scopes.joined(separator: " "), "aud": tokenURI, "iat": iat, "exp": iat + 3600,
        ]
        func encode(_ object: [String: Any]) throws -> String {
            try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]).base64URLEncoded
        }
        let signingInput = try encode(header) + "." + encode(claims)
        let signature = try signer.signSHA256(Array(signingInput.utf8))
        return signingInput + "." + Data(signature).base64URLEncoded
    }

    public func invalidate(_ token: AccessToken) {
        cache.invalidate(token)
    }

    public func accessToken() throws -> AccessToken? {
        try cache.token {
            let time = now()
            return try exchangeForToken(
                client: client, tokenURI: tokenURI,
                form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", try assertion(issuedAt: time))],
                who: "service account \(clientEmail) (\(source))",
                fix:
                    "the key may have been deleted or disabled, or the clock is off: create a new key with `gcloud iam service-accounts keys create`",
                now: time)
        }
    }
}

import Foundation
import ShopStreamCore
import Synchronization

/// Holds one access token and fetches a new one shortly before it expires. Callers that arrive
/// during a fetch wait for it instead of fetching again.
final class TokenCache: Sendable {
    /// How long before expiry a token is replaced (at most half its lifetime).
    let refreshMargin: Duration
    let now: @Sendable () -> Date
    /// The cached token and when it was fetched.
    private let state = Mutex<(token: AccessToken?, fetchedAt: Date)>((nil, .distantPast))

    init(refreshMargin: Duration = .seconds(300), now: @escaping @Sendable () -> Date) {
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// The cached token, or the one `fetch` returns; `fetch` runs under the cache's lock.
    func token(fetch: () throws -> AccessToken) throws -> AccessToken {
        try state.withLock { state in
            let time = now()
            if let token = state.token {
                let lifetime = token.expiresAt.timeIntervalSince(state.fetchedAt)
                let margin = min(Double(refreshMargin.components.seconds), lifetime / 2)
                if time < token.expiresAt.addingTimeInterval(-margin) { return token }
            }
            let fresh = try fetch()
            state = (fresh, time)
            return fresh
        }
    }

    /// Forgets `refused` (a server answered it with 401) if it is still the cached token; a
    /// token fetched meanwhile by another caller stays, so concurrent refusals fetch once.
    func invalidate(_ refused: AccessToken) {
        state.withLock { state in
            if state.token?.value == refused.value { state.token = nil }
        }
    }
}

/// The OAuth 2.0 token endpoint's answer (RFC 6749 §5.1), also the metadata server's.
// swift-format-ignore: AlwaysUseLowerCamelCase
// (the properties are the protocol's JSON names)
struct TokenEndpointResponse: Decodable {
    var access_token: String
    var expires_in: Double?
    var token_type: String?

    func token(now: Date) -> AccessToken {
        AccessToken(value: access_token, expiresAt: now.addingTimeInterval(expires_in ?? 3600))
    }
}

enum FormEncoding {
    /// `application/x-www-form-urlencoded`, every byte but the unreserved ones percent-encoded.
    static func encode(_ fields: [(String, String)]) -> Data {
        Data(fields.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&").utf8)
    }
}

/// POSTs a form to an OAuth token endpoint and reads the token; errors name `who` and `fix`.
func exchangeForToken(
    client: HTTPClient, tokenURI: String, form: [(String, String)], who: String, fix: String, now: Date
) throws -> AccessToken {
    var headers = HTTPHeaders()
    headers.add("Content-Type", "application/x-www-form-urlencoded")
    headers.add("Accept", "application/json")
    // Minting a second token does no harm, so the exchange may be retried.
    let request = HTTPRequest(method: .post, url: tokenURI, headers: headers, body: FormEncoding.encode(form), isIdempotent: true)
    do {
        let response = try client.send(request)
        guard let decoded = try? JSONDecoder().decode(TokenEndpointResponse.self, from: response.body),
            !decoded.access_token.isEmpty
        else {
            throw HTTPError(
                .invalidResponse,
                "could not get an access token for \(who): \(tokenURI) answered without an access_token; check the token_uri")
        }
        Secrets.register(decoded.access_token)
        return decoded.token(now: now)
    } catch let error as HTTPError where error.code != .invalidResponse {
        let advice = error.status.map { (400..<500).contains($0) } == true ? fix : "try again later, or check the network"
        // A credentials error even when the network failed: the exchange was already retried here, and a
        // caller that retried it again would multiply the waits (minutes before the user hears of it).
        throw error.withMessage("could not get an access token for \(who): \(error.message); \(advice)", code: .credentials)
    }
}

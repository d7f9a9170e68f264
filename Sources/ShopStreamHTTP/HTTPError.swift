import Foundation
import ShopStreamCore

/// Everything that can go wrong talking HTTP to Google (or its stand-ins), with a sentence a
/// person can act on. Never holds a token or a secret: URLs are redacted and bodies are not kept.
public struct HTTPError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public typealias Code = ErrorCode<HTTPError>

    public let code: Code
    /// One sentence: what failed, on which request, and what to do.
    public let message: String
    public let method: String?
    /// The URL with user info and secret query values removed.
    public let url: String?
    /// The HTTP status, when the server answered.
    public let status: Int?
    /// Google's `error.errors[0].reason` (or OAuth's `error`), when the body had one.
    public let googleReason: String?
    /// Google's `error.message` (or OAuth's `error_description`), when the body had one.
    public let googleMessage: String?
    /// What was retried before giving up.
    public let retries: RetrySummary

    public init(
        _ code: Code, _ message: String, method: String? = nil, url: String? = nil, status: Int? = nil,
        googleReason: String? = nil, googleMessage: String? = nil, retries: RetrySummary = RetrySummary()
    ) {
        self.code = code
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.googleReason = googleReason
        self.googleMessage = googleMessage
        self.retries = retries
    }

    /// No answer or none in time, or an answer that says "later": 408, 429 and every 5xx. (The
    /// client has already retried these under its policy; a caller with a longer horizon may again.)
    public var isTransient: Bool {
        switch code {
        case .transport, .timeout: return true
        case .status: return status.map { $0 == 408 || $0 == 429 || (500...599).contains($0) } ?? false
        default: return false
        }
    }

    /// This error, which a retry was waiting out when the policy's `stop` asked to give up: "stopped
    /// while waiting to retry GET URL: HTTP 503 …". Not transient: nobody should try again.
    public func stoppedWaiting() -> HTTPError {
        HTTPError(
            .stopped, "stopped while waiting to retry \(message)", method: method, url: url, status: status,
            googleReason: googleReason, googleMessage: googleMessage, retries: retries)
    }

    /// The same error with a different sentence (to add context such as the bucket or the fix),
    /// and optionally a different code.
    public func withMessage(_ message: String, code: Code? = nil) -> HTTPError {
        HTTPError(
            code ?? self.code, message, method: method, url: url, status: status, googleReason: googleReason,
            googleMessage: googleMessage, retries: retries)
    }

    /// An error for a non-2xx answer: "GET URL: HTTP 404 Not Found: No such object: b/o (notFound); retried …".
    static func status(
        _ status: Int, method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data, retries: RetrySummary
    ) -> HTTPError {
        let google = GoogleErrorBody(body: body, contentType: headers["content-type"])
        let redacted = URLRedaction.redact(url)
        var text = "\(method) \(redacted): HTTP \(status) \(reasonPhrase(status))"
        if let detail = google.summary { text += ": \(detail)" }
        if !retries.isEmpty { text += " (\(retries))" }
        return HTTPError(
            .status, text, method: method.rawValue, url: redacted, status: status,
            googleReason: google.reason, googleMessage: google.message, retries: retries)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 412: "Precondition Failed"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}

extension ErrorCode where Owner == HTTPError {
    /// The server answered with a status outside 2xx; see `status`.
    public static var status: Self { Self("status") }
    /// No answer: connection refused, reset or dropped, name not resolved, TLS failure.
    public static var transport: Self { Self("transport") }
    /// No complete answer within the timeout.
    public static var timeout: Self { Self("timeout") }
    /// Credentials are missing, unreadable or were refused.
    public static var credentials: Self { Self("credentials") }
    /// The answer could not be understood.
    public static var invalidResponse: Self { Self("invalid response") }
    /// A retry was not made because the retry policy's `stop` asked to give up while it waited;
    /// the message ends with the failure it was waiting out.
    public static var stopped: Self { Self("stopped") }
    /// The request itself was malformed (bad URL, bad option).
    public static var invalidRequest: Self { Self("invalid request") }
    /// libcurl or OpenSSL could not be set up.
    public static var setup: Self { Self("setup") }
}

/// Google's JSON error body, in either of its two shapes:
/// `{"error":{"code":…,"message":…,"errors":[{"reason":…}]}}` (APIs) or
/// `{"error":"invalid_grant","error_description":…}` (OAuth token endpoint).
struct GoogleErrorBody {
    var message: String?
    var reason: String?
    /// Plain text from a non-JSON answer, if short and printable.
    var text: String?

    init(body: Data, contentType: String?) {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let error = object["error"] as? [String: Any] {
                message = error["message"] as? String
                reason = ((error["errors"] as? [[String: Any]])?.first?["reason"] as? String) ?? (error["status"] as? String)
            } else if let error = object["error"] as? String {
                reason = error
                message = object["error_description"] as? String
            }
            return
        }
        if let type = contentType?.lowercased(), type.hasPrefix("text/"), body.count <= 300,
            let string = String(data: body, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !string.isEmpty, !string.contains("<")
        {
            text = string
        }
    }

    /// "message (reason)", "message", "reason" or the short text.
    var summary: String? {
        switch (message, reason) {
        case (let m?, let r?) where !m.lowercased().contains(r.lowercased()): "\(m) (\(r))"
        case (let m?, _): m
        case (nil, let r?): r
        default: text
        }
    }
}

/// Removes what must not appear in logs or error messages from a URL.
enum URLRedaction {
    static let secretQueryNames: Set<String> = [
        "access_token", "token", "key", "api_key", "apikey", "signature", "x-goog-signature",
        "x-goog-credential", "x-amz-signature", "assertion", "refresh_token", "client_secret",
        "code", "upload_id", "sig",
    ]

    static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            // Not parseable: keep only what is before the query and any user info.
            let beforeQuery = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
            if let at = beforeQuery.firstIndex(of: "@"), let scheme = beforeQuery.range(of: "://") {
                return String(beforeQuery[..<scheme.upperBound]) + beforeQuery[beforeQuery.index(after: at)...]
            }
            return beforeQuery
        }
        components.user = nil
        components.password = nil
        if let items = components.percentEncodedQueryItems {
            components.percentEncodedQueryItems = items.map { item in
                secretQueryNames.contains(item.name.lowercased()) ? URLQueryItem(name: item.name, value: "REDACTED") : item
            }
        }
        return components.string ?? url
    }
}

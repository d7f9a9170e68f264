import Foundation
import ShopStreamHTTP

/// gRPC's status codes (grpc/doc/statuscodes.md), the ones the Storage Write API answers with.
struct GRPCStatus: Error, Sendable, CustomStringConvertible {
    var code: Int
    var message: String

    static let ok = 0
    static let cancelled = 1
    static let unknown = 2
    static let invalidArgument = 3
    static let deadlineExceeded = 4
    static let notFound = 5
    static let alreadyExists = 6
    static let permissionDenied = 7
    static let resourceExhausted = 8
    static let failedPrecondition = 9
    static let aborted = 10
    static let outOfRange = 11
    static let unimplemented = 12
    static let `internal` = 13
    static let unavailable = 14
    static let unauthenticated = 16

    static let names = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]

    var name: String { code >= 0 && code < Self.names.count ? Self.names[code] : "code \(code)" }
    var description: String { "\(name): \(message)" }

    /// Worth sending again, as Google's client libraries do for the Write API.
    var isTransient: Bool {
        [Self.unavailable, Self.deadlineExceeded, Self.internal, Self.aborted, Self.resourceExhausted, Self.cancelled].contains(code)
    }
}

/// One gRPC call over libcurl's HTTP/2: a request message out, the answer's messages and status
/// back. gRPC on the wire is an HTTP/2 POST to `/package.Service/Method` with
/// `content-type: application/grpc`, each message framed as a compressed flag byte and a 4-byte
/// big-endian length, and the outcome in the `grpc-status` and `grpc-message` trailers (or in the
/// headers, for an answer without messages). libcurl hands trailers to the header callback, so
/// `HTTPResponse.headers` holds both.
///
/// A client-streaming or bidirectional method (AppendRows) is called with one request message
/// per HTTP/2 stream: the stream is the unit the server answers, and a resend is a new stream.
enum GRPCCall {
    /// Sends `message` to `method` at `endpoint` through `send` and returns the answer's messages,
    /// or throws the call's non-OK `GRPCStatus`, or the `HTTPError` of a transport failure or
    /// non-200 answer.
    ///
    /// UNAUTHENTICATED is answered as `HTTPClient` answers REST's 401: the token is fetched afresh
    /// once (`refreshedToken` counts it) and the call sent again at once — the service did nothing
    /// with a call it refused, so even an append is safe to repeat, and a token revoked or expired
    /// early does not get better by waiting. A second refusal is thrown: the credentials' fault.
    static func unary(
        _ endpoint: String, _ method: String, _ message: [UInt8], credentials: any AccessTokenProvider,
        send: (HTTPRequest) throws -> HTTPResponse, refreshedToken: () -> Void = {}
    ) throws -> [[UInt8]] {
        var body = Data(capacity: message.count + 5)
        body.append(0)
        let length = UInt32(message.count).bigEndian
        withUnsafeBytes(of: length) { body.append(contentsOf: $0) }
        body.append(contentsOf: message)
        var request = HTTPRequest(method: .post, url: endpoint + "/" + method, body: body, isIdempotent: false)
        request.version = .http2
        request.headers.set("Content-Type", "application/grpc")
        request.headers.set("TE", "trailers")
        var refreshed = false
        while true {
            // The token `authorize` puts on the request (the provider's cached one), to be
            // invalidated if refused.
            let token = try credentials.accessToken()
            try credentials.authorize(&request)
            let response = try send(request)
            guard let status = response.headers["grpc-status"].flatMap({ Int($0) }) else {
                throw GRPCStatus(
                    code: GRPCStatus.unknown,
                    message: "\(method) answered HTTP \(response.status) without a grpc-status; is \(endpoint) a gRPC server?")
            }
            if status == GRPCStatus.unauthenticated, !refreshed, let token {
                credentials.invalidate(token)
                refreshed = true
                refreshedToken()
                continue
            }
            guard status == GRPCStatus.ok else {
                throw GRPCStatus(code: status, message: percentDecoded(response.headers["grpc-message"] ?? ""))
            }
            return try frames(Array(response.body))
        }
    }

    /// The messages of a gRPC body.
    static func frames(_ body: [UInt8]) throws -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var at = 0
        while at < body.count {
            guard body.count - at >= 5 else { throw ProtoReader.Malformed(description: "a gRPC frame header is cut short") }
            guard body[at] == 0 else {
                throw ProtoReader.Malformed(description: "the server sent a compressed message, which was not asked for")
            }
            let length = body[(at + 1)..<(at + 5)].reduce(0) { $0 << 8 | Int($1) }
            at += 5
            guard body.count - at >= length else { throw ProtoReader.Malformed(description: "a gRPC message is cut short") }
            messages.append(Array(body[at..<(at + length)]))
            at += length
        }
        return messages
    }

    /// `grpc-message` is percent-encoded (gRPC over HTTP/2, "Responses").
    static func percentDecoded(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}

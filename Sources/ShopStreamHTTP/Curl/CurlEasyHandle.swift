import Ccurl
import Foundation

/// `curl_global_init` must run once before any handle exists and is not thread-safe; a Swift
/// global's initializer runs exactly once, under a lock.
private let curlGlobalInitCode: UInt32 = curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue

/// An answer as libcurl delivered it, whatever its status.
struct CurlResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
    /// Times libcurl sent the request again by itself within the transfer (see `curlRequestStarts`).
    var resends = 0
}

/// A transfer that got no (complete) answer.
struct CurlTransportFailure: Error {
    enum Kind {
        case refused, timeout, reset, dropped, tls, resolve, other

        /// Whether the request may be repeated (when it is idempotent).
        var isRetryable: Bool {
            switch self {
            case .refused, .timeout, .reset, .dropped, .tls: true
            case .resolve, .other: false
            }
        }
    }

    var kind: Kind
    /// libcurl's own words: `curl_easy_strerror` and the error buffer.
    var detail: String
    /// Times libcurl sent the request again by itself before failing (see `curlRequestStarts`).
    var resends = 0

    /// Short word for retry reports.
    var reason: String {
        switch kind {
        case .refused: "refused"
        case .timeout: "timeout"
        case .reset: "reset"
        case .dropped: "dropped"
        case .tls: "tls"
        case .resolve: "dns"
        case .other: "error"
        }
    }

    init(code: CURLcode, detail: String) {
        self.detail = detail
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .refused
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR: kind = .reset
        case CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM: kind = .dropped
        case CURLE_SSL_CONNECT_ERROR: kind = .tls
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .resolve
        default: kind = .other
        }
    }
}

/// Collects one transfer's answer. The `HTTPClient` owns it for the length of the transfer and
/// hands libcurl an unretained pointer to it.
final class CurlTransferContext {
    var headers = HTTPHeaders()
    var body = Data()
    /// How many times libcurl sent the request in this transfer.
    var requestsSent = 0
}

/// libcurl's pre-request callback (`CURLOPT_PREREQFUNCTION`): called each time the request is about
/// to go out on a connection, so a count above one is a resend libcurl made by itself.
///
/// Why this way: libcurl silently sends a request again, once, when it went out on a reused
/// keep-alive connection that turns out dead before any answer byte ("Connection died, retrying a
/// fresh connect"): the server closed an idle connection just as we used it. No option turns that
/// off (only `CURLOPT_FORBID_REUSE`/`FRESH_CONNECT`, which give up keep-alive altogether), and
/// doing it ourselves would add the retry policy's backoff to the commonest harmless race. So we
/// let libcurl resend and count it: `CURLINFO_NUM_CONNECTS` cannot tell a resend from a first
/// connect, `CURLINFO_CONN_ID` needs libcurl 8.2 (Debian 12 has 7.88), and the debug callback's
/// text is a log line whose wording changes between versions and costs `CURLOPT_VERBOSE` on every
/// transfer. This callback exists since 7.80 and runs once per request actually sent.
func curlRequestStarts(
    _ context: UnsafeMutableRawPointer?, _ remoteAddress: UnsafeMutablePointer<CChar>?,
    _ localAddress: UnsafeMutablePointer<CChar>?, _ remotePort: Int32, _ localPort: Int32
) -> Int32 {
    guard let context else { return Int32(CURL_PREREQFUNC_OK) }
    let transfer = Unmanaged<CurlTransferContext>.fromOpaque(context).takeUnretainedValue()
    transfer.requestsSent += 1
    if transfer.requestsSent > 1 {
        // Whatever the dead connection delivered belongs to the abandoned attempt.
        transfer.headers = HTTPHeaders()
        transfer.body = Data()
    }
    return Int32(CURL_PREREQFUNC_OK)
}

/// libcurl's write callback: appends body bytes to the context.
func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let length = size * count
    let transfer = Unmanaged<CurlTransferContext>.fromOpaque(context).takeUnretainedValue()
    UnsafeRawPointer(data).withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.body.append($0, count: length)
    }
    return length
}

/// libcurl's header callback: one header line per call, status lines included.
///
/// Read as bytes: every answer's lines run through here, and decoding each line to a `String`
/// and trimming it with Foundation was 4 % of a bronze sink's CPU.
func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let length = size * count
    let transfer = Unmanaged<CurlTransferContext>.fromOpaque(context).takeUnretainedValue()
    let line = UnsafeRawBufferPointer(start: data, count: length)
    if line.starts(with: "HTTP/".utf8) {
        // A new status line (after a 100 Continue, say): only the last response's headers count.
        transfer.headers = HTTPHeaders()
    } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
        let name = trimmed(line[..<colon])
        let value = trimmed(line[(colon + 1)...])
        transfer.headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
    return length
}

/// `bytes` without leading and trailing spaces, tabs and line ends.
private func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isSpace(bytes[start]) { start += 1 }
    while end > start, isSpace(bytes[end - 1]) { end -= 1 }
    return bytes[start..<end]
}

/// One libcurl easy handle, reused across requests so connections stay alive.
/// One owner at a time: not safe to use from two threads at once.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws {
        guard curlGlobalInitCode == CURLE_OK.rawValue else {
            throw HTTPError(
                .setup, "libcurl could not be initialised (curl_global_init returned \(curlGlobalInitCode)); check the libcurl installation"
            )
        }
        guard let handle = curl_easy_init() else {
            throw HTTPError(.setup, "libcurl could not create a handle (curl_easy_init failed; out of memory?)")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one transfer. Throws `HTTPError` when the request could not even be set up; returns a
    /// transport failure when there was no complete answer.
    func perform(
        method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data,
        connectTimeout: Duration, timeout: Duration, userAgent: String, version: HTTPVersion = .automatic
    ) throws -> Result<CurlResponse, CurlTransportFailure> {
        // Reset forgets the previous request's options (and its dangling pointers) but keeps
        // live connections, the DNS cache and TLS sessions.
        curl_easy_reset(handle)
        errorBuffer[0] = 0

        var list: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(list) }
        for (name, value) in headers {
            guard !name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
                !value.contains(where: { $0 == "\r" || $0 == "\n" })
            else {
                throw HTTPError(.invalidRequest, "\(method) \(URLRedaction.redact(url)): header \(name) contains a line break or colon")
            }
            list = try append(list, "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip before large bodies.
        list = try append(list, "Expect:")

        let transfer = CurlTransferContext()
        let context = Unmanaged.passUnretained(transfer).toOpaque()

        try set(CURLOPT_URL, string: url)
        try set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, milliseconds(timeout))
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_USERAGENT, string: userAgent)
        if version == .http2 {
            // Cleartext h2 needs prior knowledge (gRPC servers do not answer HTTP/1.1's upgrade);
            // over TLS ALPN picks h2.
            let h2 = url.hasPrefix("https:") ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
            try set(CURLOPT_HTTP_VERSION, Int(h2))
            if h2 == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE && !Self.reusesPriorKnowledgeConnections {
                // libcurl before 8.0 stacks a second HTTP/2 layer on a reused prior-knowledge
                // connection and fails with "Error in the HTTP2 framing layer" (curl issue 10634).
                try set(CURLOPT_FRESH_CONNECT, 1)
                try set(CURLOPT_FORBID_REUSE, 1)
            }
        }
        try check(shopstream_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(shopstream_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list), "CURLOPT_HTTPHEADER")
        try check(shopstream_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "CURLOPT_WRITEFUNCTION")
        try check(shopstream_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(shopstream_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), "CURLOPT_HEADERFUNCTION")
        try check(shopstream_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
        try check(shopstream_curl_setopt_prereq_function(handle, CURLOPT_PREREQFUNCTION, curlRequestStarts), "CURLOPT_PREREQFUNCTION")
        try check(shopstream_curl_setopt_pointer(handle, CURLOPT_PREREQDATA, context), "CURLOPT_PREREQDATA")

        let code: CURLcode = try body.withUnsafeBytes { bytes in
            // libcurl reads the body from this pointer during `curl_easy_perform`, no longer.
            let empty: StaticString = ""
            let pointer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start))
            switch method {
            case .get:
                try set(CURLOPT_HTTPGET, 1)
            case .head:
                try set(CURLOPT_NOBODY, 1)
            default:
                if method != .post { try set(CURLOPT_CUSTOMREQUEST, string: method.rawValue) }
                if method == .post || !body.isEmpty || method == .put {
                    try set(CURLOPT_POST, 1)
                    try check(
                        shopstream_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)),
                        "CURLOPT_POSTFIELDSIZE_LARGE")
                    try check(shopstream_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer), "CURLOPT_POSTFIELDS")
                }
            }
            return withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        }

        let resends = max(0, transfer.requestsSent - 1)
        guard code == CURLE_OK else {
            let words = String(cString: curl_easy_strerror(code))
            let buffer = String(cString: errorBuffer)
            let detail = buffer.isEmpty || buffer == words ? words : "\(words): \(buffer)"
            if code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL {
                throw HTTPError(.invalidRequest, "\(method) \(URLRedaction.redact(url)): \(detail); expected an http:// or https:// URL")
            }
            var failure = CurlTransportFailure(code: code, detail: detail)
            failure.resends = resends
            return .failure(failure)
        }
        var status = 0
        try check(shopstream_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "CURLINFO_RESPONSE_CODE")
        return .success(CurlResponse(status: status, headers: transfer.headers, body: transfer.body, resends: resends))
    }

    /// Whether this libcurl can reuse a cleartext HTTP/2 connection made with prior knowledge (8.0 and later).
    static let reusesPriorKnowledgeConnections: Bool = {
        guard let info = curl_version_info(CURLVERSION_FIRST) else { return false }
        return info.pointee.version_num >= 0x08_00_00
    }()

    private func append(_ list: UnsafeMutablePointer<curl_slist>?, _ line: String) throws -> UnsafeMutablePointer<curl_slist> {
        guard let grown = curl_slist_append(list, line) else {
            throw HTTPError(.setup, "libcurl could not build the header list (out of memory)")
        }
        return grown
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(shopstream_curl_setopt_long(handle, option, value), "\(option)")
    }

    private func set(_ option: CURLoption, string value: String) throws {
        try check(shopstream_curl_setopt_string(handle, option, value), "\(option)")
    }

    /// `what` is built only on failure: describing a `CURLoption` goes through reflection, and
    /// every request sets about twenty options (it was 3.5 % of a bronze sink's CPU).
    private func check(_ code: CURLcode, _ what: @autoclosure () -> String) throws {
        guard code == CURLE_OK else {
            throw HTTPError(
                .setup,
                "libcurl rejected option \(what()): \(String(cString: curl_easy_strerror(code))); the installed libcurl may be too old (7.85 or newer is needed)"
            )
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on a free loopback port, for tests: each request goes to `handler`,
/// which answers, resets the connection, drops it, or answers late. Keeps connections alive.
/// While it holds an answer back it watches the connection, so a test can tell from the
/// server's side that the client gave up (`abandoned`) without timing anything.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        /// Path and query, as sent.
        var target: String
        /// Lower-cased names.
        var headers: [String: String]
        var body: Data

        var form: [String: String] {
            var fields: [String: String] = [:]
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return fields
        }
    }

    indirect enum Reply: Sendable {
        case respond(Int, headers: [(String, String)] = [], body: Data = Data())
        /// Closes with SO_LINGER 0, so the client sees "connection reset by peer".
        case reset
        /// Closes without answering.
        case close
        /// Answers after this long, unless the client hangs up first (then counted in `abandoned`).
        case delayed(TimeInterval, Reply)

        static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
            .respond(status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
        }
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var _connections = 0
    private var _abandoned = 0
    private var stopped = false
    /// Signalled by the accept loop once it has closed the listener.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// Every request received so far, in order.
    var requests: [Request] { lock.withLock { _requests } }
    /// Connections accepted so far.
    var connections: Int { lock.withLock { _connections } }
    /// Requests whose client hung up while their `.delayed` answer was held back.
    var abandoned: Int { lock.withLock { _abandoned } }

    init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A server that answers with `replies` in turn (the last one repeats).
    convenience init(replies: [Reply]) throws {
        let script = Script(replies)
        try self.init { _ in script.next() }
    }

    /// Stops accepting and returns once the listener is closed (the port refuses connections).
    /// The accept loop closes the descriptor itself: closed here, its number could be reused by
    /// the next test's listener before the loop runs, and the loop would steal that one's connections.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopEnded.wait()
    }

    deinit { stop() }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopEnded.signal()
        }
        while true {
            let connection = accept(listener, nil, nil)
            if lock.withLock({ stopped }) {
                if connection >= 0 { close(connection) }
                return
            }
            if connection < 0 { continue }
            lock.withLock { _connections += 1 }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        var buffer = Data()
        defer { close(connection) }
        while let request = readRequest(connection, &buffer) {
            lock.withLock { _requests.append(request) }
            var reply = handler(request)
            while case .delayed(let seconds, let inner) = reply {
                if clientHangsUp(connection, within: seconds) {
                    lock.withLock { _abandoned += 1 }
                    return
                }
                reply = inner
            }
            switch reply {
            case .reset:
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                return
            case .close, .delayed:
                return
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Status\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "Content-Length: \(request.method == "HEAD" ? 0 : body.count)\r\n\r\n"
                var bytes = Data(head.utf8)
                if request.method != "HEAD" { bytes.append(body) }
                guard writeAll(connection, bytes) else { return }
            }
        }
    }

    /// Waits up to `seconds`; true as soon as the client closes or resets the connection.
    private func clientHangsUp(_ connection: Int32, within seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var watched = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&watched, 1, Int32(min(left * 1000, 1000)) + 1) > 0 else { continue }
            if watched.revents & (Int16(POLLHUP) | Int16(POLLERR)) != 0 { return true }
            var byte: UInt8 = 0
            if recv(connection, &byte, 1, Int32(MSG_PEEK)) <= 0 { return true }
            // A pipelined request is waiting: the client is still there; sit out the delay.
            Thread.sleep(forTimeInterval: max(0, deadline.timeIntervalSinceNow))
            return false
        }
    }

    private func readRequest(_ connection: Int32, _ buffer: inout Data) -> Request? {
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil {
            guard readMore(connection, &buffer) else { return nil }
        }
        let headEnd = buffer.range(of: separator)!
        let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count - headEnd.upperBound < length {
            guard readMore(connection, &buffer) else { return nil }
        }
        let bodyStart = headEnd.upperBound
        let body = Data(buffer[bodyStart..<(bodyStart + length)])
        buffer = Data(buffer[(bodyStart + length)...])
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func readMore(_ connection: Int32, _ buffer: inout Data) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = read(connection, &chunk, chunk.count)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func writeAll(_ connection: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = send(connection, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }
}

/// Hands out scripted values (replies, random draws) in order; the last one repeats.
final class Script<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Element]
    init(_ values: [Element]) { self.values = values }
    func next() -> Element {
        lock.withLock { values.count > 1 ? values.removeFirst() : values[0] }
    }
}

/// Records what the retry policy asked to sleep, instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _sleeps: [Duration] = []
    var sleeps: [Duration] { lock.withLock { _sleeps } }
    var sleep: @Sendable (Duration) -> Void { { [self] duration in lock.withLock { _sleeps.append(duration) } } }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// A port nothing listens on (bound, then closed).
func closedLoopbackPort() throws -> Int {
    let server = try LoopbackHTTPServer { _ in .close }
    let port = server.port
    server.stop()
    return port
}

/// A fresh temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "shopstream-http-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Runs a program and returns its standard output; fails the test on a non-zero exit.
@discardableResult
func run(_ arguments: [String], input: Data? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        XCTFail("\(arguments.joined(separator: " ")) failed: \(String(decoding: err, as: UTF8.self))", file: file, line: line)
    }
    return String(decoding: out, as: UTF8.self)
}

/// A throwaway RSA key made by the `openssl` command line, and a service-account key file for it.
struct ThrowawayServiceAccount {
    let directory: String
    let privateKeyPath: String
    let publicKeyPath: String
    let keyFilePath: String
    let email = "lake-writer@shopstream-test.iam.gserviceaccount.com"
    let keyID = "0123456789abcdef"

    init(in directory: String, tokenURI: String) throws {
        self.directory = directory
        privateKeyPath = directory + "/private.pem"
        publicKeyPath = directory + "/public.pem"
        keyFilePath = directory + "/key.json"
        let (privatePEM, publicPEM) = try Self.keyPair()
        try privatePEM.write(to: URL(fileURLWithPath: privateKeyPath))
        try publicPEM.write(to: URL(fileURLWithPath: publicKeyPath))
        let key: [String: Any] = [
            "type": "service_account", "project_id": "shopstream-test", "private_key_id": keyID,
            "private_key": try String(contentsOfFile: privateKeyPath, encoding: .utf8),
            "client_email": email, "client_id": "1234", "token_uri": tokenURI,
        ]
        try JSONSerialization.data(withJSONObject: key).write(to: URL(fileURLWithPath: keyFilePath))
    }

    /// One RSA key pair for the whole test run (making one takes a good fraction of a second).
    private static let generated: Result<(Data, Data), Error> = Result {
        let directory = NSTemporaryDirectory() + "shopstream-rsa-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", directory + "/private.pem"])
        try run(["openssl", "pkey", "-in", directory + "/private.pem", "-pubout", "-out", directory + "/public.pem"])
        return (
            try Data(contentsOf: URL(fileURLWithPath: directory + "/private.pem")),
            try Data(contentsOf: URL(fileURLWithPath: directory + "/public.pem"))
        )
    }

    static func keyPair() throws -> (privatePEM: Data, publicPEM: Data) { try generated.get() }

    /// Checks an RS256 JWT's signature with `openssl dgst -verify` and the public half of the key.
    func verify(jwt: String) throws -> Bool {
        try Self.verify(jwt: jwt, publicKeyPath: publicKeyPath)
    }

    static func verify(jwt: String, publicKeyPath: String) throws -> Bool {
        let directory = (publicKeyPath as NSString).deletingLastPathComponent
        let parts = jwt.split(separator: ".").map(String.init)
        guard parts.count == 3, let signature = Data(base64URL: parts[2]) else { return false }
        let input = directory + "/signing-input-\(UUID().uuidString)"
        let signaturePath = input + ".sig"
        try Data((parts[0] + "." + parts[1]).utf8).write(to: URL(fileURLWithPath: input))
        try signature.write(to: URL(fileURLWithPath: signaturePath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "dgst", "-sha256", "-verify", publicKeyPath, "-signature", signaturePath, input]
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}

/// Decodes a JWT's header and claims.
func jwtParts(_ jwt: String) throws -> (header: [String: Any], claims: [String: Any]) {
    let parts = jwt.split(separator: ".").map(String.init)
    XCTAssertEqual(parts.count, 3)
    func object(_ part: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(Data(base64URL: part))) as? [String: Any])
    }
    return (try object(parts[0]), try object(parts[1]))
}

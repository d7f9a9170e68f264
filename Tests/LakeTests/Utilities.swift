import Foundation
import ShopStreamHTTP
import ShopStreamLake
import XCTest

/// The behaviour every lake must have, run against each implementation by its own test class.
struct LakeContract {
    let lake: any Lake
    /// A name prefix unique to one test, so tests never see each other's objects.
    let root = "contract-\(UUID().uuidString.prefix(8))/"

    func createdObjectsReadBackAndListInNameOrder(pageSize: Int) throws {
        let names = (0..<5).map { root + "bronze/sales/dt=2025-01-0\($0 % 2 + 1)/part-\(4 - $0).jsonl" }
        for (index, name) in names.enumerated() {
            let bytes = Data("{\"n\":\(index)}\n".utf8)
            let stored = try lake.create(name, bytes: bytes, contentType: "application/x-ndjson", metadata: ["n": "\(index)"])
            XCTAssertEqual(stored.name, name)
            XCTAssertEqual(stored.size, bytes.count)
            XCTAssertEqual(stored.md5, Digest.md5Base64(bytes))
        }
        _ = try lake.create(root + "silver/other.json", bytes: Data(), contentType: "application/json", metadata: [:])

        let listed = try lake.list(prefix: root + "bronze/")
        XCTAssertGreaterThan(listed.count, pageSize, "the listing spans several pages")
        XCTAssertEqual(listed.map(\.name), names.sorted(), "all pages, in name order, nothing outside the prefix")
        XCTAssertEqual(listed.first { $0.name == names[3] }?.metadata, ["n": "3"])
        XCTAssertEqual(try lake.list(prefix: root + "bronze/sales/dt=2025-01-02/").count, 2, "a prefix that ends inside a folder")
        XCTAssertEqual(try lake.list(prefix: root + "bronze/sales/dt=2025-01-0").count, 5, "a prefix that ends inside a name")
        XCTAssertEqual(try lake.list(prefix: root).count, 6)
        XCTAssertEqual(try lake.list(prefix: root + "nothing/").count, 0)

        let (bytes, object) = try lake.get(names[2])
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "{\"n\":2}\n")
        XCTAssertEqual(object.contentType, "application/x-ndjson")
        XCTAssertEqual(object.metadata, ["n": "2"])
        let empty = try lake.get(root + "silver/other.json")
        XCTAssertEqual(empty.bytes.count, 0)
        XCTAssertEqual(empty.object.size, 0)
    }

    func createIsCreateOnly() throws {
        let name = root + "bronze/sales/dt=2025-01-01/shop.sales+0+00000000000000000100.jsonl"
        let first = try lake.create(name, bytes: Data("a\n".utf8), contentType: "application/x-ndjson", metadata: ["first_offset": "100"])

        let again = try lake.create(name, bytes: Data("a\n".utf8), contentType: "application/x-ndjson", metadata: ["first_offset": "100"])
        XCTAssertEqual(again.md5, first.md5, "the same bytes again is the retried create whose first try landed: success")
        XCTAssertEqual(again.metadata, ["first_offset": "100"])

        XCTAssertThrowsError(try lake.create(name, bytes: Data("b\n".utf8), contentType: "application/x-ndjson", metadata: [:])) { error in
            XCTAssertEqual((error as? LakeError)?.code, .alreadyExists)
            XCTAssertTrue("\(error)".contains("already exists with different bytes"), "\(error)")
            XCTAssertTrue("\(error)".contains(name), "\(error)")
        }
        XCTAssertEqual(try lake.get(name).bytes, Data("a\n".utf8), "the first object is untouched")
    }

    func concurrentCreatesOfOneNameHaveOneWinner() throws {
        let name = root + "race.jsonl"
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                _ = try lake.create(
                    name, bytes: Data("writer \(index)\n".utf8), contentType: "text/plain", metadata: ["writer": "\(index)"])
                results.add("created")
            } catch let error as LakeError where error.code == .alreadyExists {
                results.add("exists")
            } catch {
                results.add("\(error)")
            }
        }
        XCTAssertEqual(results.all.sorted(), ["created"] + Array(repeating: "exists", count: 7))
        let (bytes, object) = try lake.get(name)
        XCTAssertEqual(
            String(decoding: bytes, as: UTF8.self), "writer \(object.metadata["writer"] ?? "?")\n", "the description belongs to the bytes")
    }

    func metadataRoundTrips() throws {
        let name = root + "meta.jsonl.gz"
        let metadata = [
            "first_offset": "0", "last_offset": "99", "count": "100", "sha256": String(repeating: "ab", count: 32),
            "topic": "shop.sales", "note": "Lahore – Karachi ✓",
        ]
        _ = try lake.create(name, bytes: Data([0x1F, 0x8B, 0, 0xFF]), contentType: "application/gzip", metadata: metadata)
        let head = try XCTUnwrap(lake.head(name))
        XCTAssertEqual(head.metadata, metadata)
        XCTAssertEqual(head.contentType, "application/gzip")
        XCTAssertEqual(head.size, 4)
        XCTAssertEqual(head.md5, Digest.md5Base64(Data([0x1F, 0x8B, 0, 0xFF])))
        XCTAssertEqual(head.crc32c, CRC32C.base64(Data([0x1F, 0x8B, 0, 0xFF])))
        XCTAssertEqual(try lake.list(prefix: name).first?.metadata, metadata)
    }

    /// A writer that computed the checksums itself (bronze, for its metadata) hands them down;
    /// the lake keeps exactly what it would have computed.
    func handedDownChecksumsAreStoredAsTheLakeWouldComputeThem() throws {
        let bytes = Data("hello\n".utf8)
        let checksums = ObjectChecksums(of: bytes)
        XCTAssertEqual(checksums, ObjectChecksums(md5: "sZRqySSS0jR8YjW00mERhA==", crc32c: "NT3Yvg=="), "Cloud Storage's values")
        let handed = try lake.create(
            root + "handed.txt", bytes: bytes, contentType: "text/plain", metadata: ["crc32c": checksums.crc32c],
            checksums: checksums)
        let computed = try lake.create(root + "computed.txt", bytes: bytes, contentType: "text/plain", metadata: [:])
        for object in [handed, computed, try XCTUnwrap(lake.head(root + "handed.txt")), try lake.get(root + "handed.txt").object] {
            XCTAssertEqual(object.md5, checksums.md5, object.name)
            XCTAssertEqual(object.crc32c, checksums.crc32c, object.name)
        }
        XCTAssertEqual(try lake.head(root + "handed.txt")?.metadata, ["crc32c": "NT3Yvg=="])
    }

    func awkwardNamesRoundTrip() throws {
        let names = [
            "bronze/sales/dt=2025-01-01/shop.sales+0+00000000000000000000.jsonl",
            "odd/a b+c%20d&e=f?g#h;i,j@k'l(m)n*o!p$q~r.jsonl",
            "odd/Ünïcødé/ملتان/名前.jsonl",
        ].map { root + $0 }
        for name in names {
            _ = try lake.create(name, bytes: Data(name.utf8), contentType: "text/plain", metadata: [:])
            XCTAssertEqual(try lake.get(name).bytes, Data(name.utf8), name)
            XCTAssertEqual(try lake.head(name)?.name, name)
        }
        XCTAssertEqual(try lake.list(prefix: root).map(\.name), names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        XCTAssertEqual(try lake.list(prefix: root + "bronze/sales/dt=2025-01-01/shop.sales+0+").count, 1)
    }

    func missingObjects() throws {
        XCTAssertNil(try lake.head(root + "missing.jsonl"))
        XCTAssertThrowsError(try lake.get(root + "missing.jsonl")) { error in
            XCTAssertEqual((error as? LakeError)?.code, .notFound)
            XCTAssertTrue("\(error)".contains("missing.jsonl does not exist"), "\(error)")
        }
    }

    func deleteRemovesAndMayBeRepeated() throws {
        let name = root + "to-delete.jsonl"
        _ = try lake.create(name, bytes: Data("x".utf8), contentType: "text/plain", metadata: ["k": "v"])
        try lake.delete(name)
        XCTAssertNil(try lake.head(name))
        XCTAssertEqual(try lake.list(prefix: root).count, 0)
        XCTAssertNoThrow(try lake.delete(name), "deleting what is gone is not an error")
        let recreated = try lake.create(name, bytes: Data("y".utf8), contentType: "text/plain", metadata: [:])
        XCTAssertEqual(recreated.metadata, [:], "a new object after a delete has only its own metadata")
    }

    func invalidNamesAreRefused() throws {
        // "\r\n" is one Character, neither "\r" nor "\n": a check by Character let it through.
        for name in ["", "/abs", "a//b", "trailing/", "a/../b", "./a", "a/.", "line\nbreak", "crlf\r\nbreak", "cr\rbreak", "nul\0byte"] {
            XCTAssertThrowsError(try lake.create(name, bytes: Data(), contentType: "text/plain", metadata: [:]), name) { error in
                XCTAssertEqual((error as? LakeError)?.code, .invalidName, name)
            }
        }
    }
}

/// Strings gathered from several threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func add(_ value: String) { lock.withLock { values.append(value) } }
    var all: [String] { lock.withLock { values } }
}

/// The fake-gcs-server endpoint from `STORAGE_EMULATOR_HOST`. Unset: the test fails under
/// `CI=true` (CI must run it) and is skipped otherwise.
func emulatorEndpoint() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    guard let endpoint = GCSLake.Configuration.emulatorEndpoint(environment: environment) else {
        let hint = "STORAGE_EMULATOR_HOST is not set; run `eval \"$(scripts/emulators start gcs)\"` first"
        if environment["CI"] == "true" { throw MissingEmulator(description: hint + " (CI=true: the emulator tests must run)") }
        throw XCTSkip(hint)
    }
    return endpoint
}

struct MissingEmulator: Error, CustomStringConvertible {
    var description: String
}

/// Creates a bucket with a fresh name on the emulator, through the JSON API.
func createEmulatorBucket(_ endpoint: String) throws -> String {
    let bucket = "lake-test-" + UUID().uuidString.prefix(12).lowercased()
    let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), timeout: .seconds(10)))
    _ = try client.send(
        HTTPRequest(
            method: .post, url: endpoint + "/storage/v1/b?project=test", headers: ["Content-Type": "application/json"],
            body: Data(#"{"name":"\#(bucket)"}"#.utf8)))
    return bucket
}

/// A fresh temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "shopstream-lake-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// A loopback HTTP server (a python3 script) for answers the emulator never gives. Each request
/// takes the next action from `actions`; when they run out, every request is passed to
/// `upstream` (or, without one, answered with `status` and `json`). Actions:
/// `pass` forwards; `lost:503` forwards, then drops the answer and replies 503 (the create landed
/// but the client never heard); `503` replies 503 without forwarding; `reset` resets the connection;
/// `resource` answers a multipart upload with the resource it sent (plus the media's size), the
/// checksums as the client gave them, which fake-gcs-server ignores and Google checks.
final class StubServer {
    let url: String
    private let process = Process()

    init(upstream: String? = nil, actions: [String] = [], status: Int = 200, json: String = "{}") throws {
        let script = """
            import http.server, json, socket, struct, sys, threading, urllib.request, urllib.error
            upstream, actions, status, body = sys.argv[1], sys.argv[2].split(',') if sys.argv[2] else [], int(sys.argv[3]), sys.argv[4].encode()
            lock = threading.Lock()
            class H(http.server.BaseHTTPRequestHandler):
                def send(self, code, data, content_type='application/json'):
                    self.send_response(code)
                    self.send_header('Content-Type', content_type)
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                def forward(self, data):
                    request = urllib.request.Request(upstream + self.path, data=data if self.command in ('POST', 'PUT', 'PATCH') else None, method=self.command)
                    if self.headers.get('Content-Type'): request.add_header('Content-Type', self.headers['Content-Type'])
                    try:
                        with urllib.request.urlopen(request) as answer: return answer.status, answer.read(), answer.headers.get('Content-Type', 'application/json')
                    except urllib.error.HTTPError as error: return error.code, error.read(), error.headers.get('Content-Type', 'application/json')
                def handle_any(self):
                    data = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                    with lock: action = actions.pop(0) if actions else ('pass' if upstream != '-' else str(status))
                    if action == 'reset':
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                        self.connection.close()
                        self.close_connection = True
                        return
                    if action == 'pass': return self.send(*self.forward(data))
                    if action == 'resource':
                        parts = data.split(b'--' + self.headers['Content-Type'].split('boundary=')[1].encode())
                        resource = json.loads(parts[1].partition(b'\\r\\n\\r\\n')[2])
                        resource['size'] = str(len(parts[2].partition(b'\\r\\n\\r\\n')[2]) - 2)
                        return self.send(200, json.dumps(resource).encode())
                    if action.startswith('lost:'):
                        self.forward(data)
                        action = action[5:]
                    code = int(action)
                    self.send(code, body if code == status else b'{"error":{"code":%d,"message":"injected"}}' % code)
                do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = handle_any
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, upstream ?? "-", actions.joined(separator: ","), "\(status)", json]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        url = "http://127.0.0.1:" + String(decoding: line, as: UTF8.self)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Credentials that speak for a named service account without any server.
struct FixedTokenCredentials: AccessTokenProvider {
    var principal: String? = "lake-writer@shopstream-test.iam.gserviceaccount.com"
    var source: String { "a test token" }
    func accessToken() throws -> AccessToken? { AccessToken(value: "ya29.test", expiresAt: .distantFuture) }
}

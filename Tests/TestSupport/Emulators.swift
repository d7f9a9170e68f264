import Foundation
import XCTest

/// A BigQuery emulator of a test's own (bqemulator from the venv `scripts/emulators install` made),
/// persistent in a folder, so that killing and restarting it keeps its tables: a warehouse that goes
/// away and comes back.
public final class PrivateBigQueryEmulator {
    public let port = freePort()
    public let grpcPort = freePort()
    public let dataDirectory: String
    public var url: String { "http://127.0.0.1:\(port)" }
    /// Its Storage Write API, for `BIGQUERY_STORAGE_EMULATOR_HOST`.
    public var grpcHost: String { "127.0.0.1:\(grpcPort)" }
    /// The environment for a `shopstream` run against this emulator: REST and the Storage Write API both here.
    public var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["BIGQUERY_EMULATOR_HOST": url, "BIGQUERY_STORAGE_EMULATOR_HOST": grpcHost]) { $1 }
    }
    private var child: Child?
    private let directory: String
    private let binary: URL

    public init(directory: String) throws {
        let venv = ProcessInfo.processInfo.environment["SHOPSTREAM_VENV"] ?? NSHomeDirectory() + "/.cache/shopstream/venv"
        binary = URL(fileURLWithPath: venv + "/bin/bqemulator")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw missingStandIn("no bqemulator at \(binary.path); run scripts/emulators install")
        }
        self.directory = directory
        dataDirectory = directory + "/bigquery-data"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try start()
    }

    /// Starts it (again) on the same ports and data, and waits until it answers.
    public func start() throws {
        child = try Child(
            binary,
            [
                "start", "--project", "shopstream", "--persistent", "--data-dir", dataDirectory,
                "--rest-host", "127.0.0.1", "--rest-port", String(port),
                "--grpc-host", "127.0.0.1", "--grpc-port", String(grpcPort), "--log-level", "warning",
            ],
            directory: directory, label: "bqemulator-\(UUID().uuidString.prefix(4))")
        guard eventually(timeout: 90, { httpGet(url + "/healthz", timeout: 2)?.status == 200 }) else {
            throw missingStandIn("bqemulator did not answer on \(url) within 90 s: \(child?.stderr.suffix(500) ?? "")")
        }
    }

    /// SIGKILL: the warehouse is gone at once, mid-request if one is under way.
    public func kill() {
        child?.send(SIGKILL)
        child?.wait(timeout: 10)
    }

    /// SIGSTOP: it keeps its connections and answers nothing (a warehouse that hangs).
    public func pause() { child?.send(SIGSTOP) }

    /// SIGCONT: it answers again, finishing what it was asked meanwhile.
    public func resume() { child?.send(SIGCONT) }

    deinit {
        resume()
        kill()
    }
}

/// Google's Pub/Sub emulator of a test class's own (the Cloud SDK's jar, run with java), in memory
/// on a free port: fresh topics for every class, and gone with it. The emulator keeps a thread per
/// ordering key and ordered subscription for good, so a private one also keeps that cost bounded.
public final class PrivatePubSubEmulator {
    public let port = freePort()
    /// The value for `PUBSUB_EMULATOR_HOST`.
    public var host: String { "127.0.0.1:\(port)" }
    private var child: Child?

    public init(directory: String) throws {
        guard let jar = Self.jar() else {
            throw missingStandIn(
                "no Pub/Sub emulator (cloud-pubsub-emulator-*-all.jar of the Cloud SDK); run scripts/emulators install to see how to get it"
            )
        }
        let java = try requiredTool("java")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        child = try Child(java, ["-jar", jar, "--host=127.0.0.1", "--port=\(port)"], directory: directory, label: "pubsub-emulator")
        // Any HTTP answer means it listens (it says 404 to a bare path).
        guard eventually(timeout: 90, { httpGet("http://\(host)/", timeout: 2) != nil }) else {
            throw missingStandIn("the Pub/Sub emulator did not answer on \(host) within 90 s: \(child?.stderr.suffix(500) ?? "")")
        }
    }

    /// The jar where the Cloud SDK puts it (Debian's google-cloud-cli packages), or nil.
    static func jar() -> String? {
        for root in ["/usr/lib/google-cloud-sdk", "/usr/share/google-cloud-sdk", NSHomeDirectory() + "/google-cloud-sdk"] {
            let lib = root + "/platform/pubsub-emulator/lib"
            let jars = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
            if let jar = jars.filter({ $0.hasPrefix("cloud-pubsub-emulator-") && $0.hasSuffix("-all.jar") }).sorted().last {
                return lib + "/" + jar
            }
        }
        return nil
    }

    /// The environment for a `shopstream` run against this emulator.
    public var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["PUBSUB_EMULATOR_HOST": host]) { $1 }
    }

    /// SIGSTOP: it answers nothing while its clock runs on (ack deadlines pass meanwhile).
    public func pause() { child?.send(SIGSTOP) }

    /// SIGCONT: it answers again.
    public func resume() { child?.send(SIGCONT) }

    deinit {
        resume()
        child?.wait(timeout: 0)
    }
}

extension PrivatePubSubEmulator {
    nonisolated(unsafe) private static var byClass: [ObjectIdentifier: Result<PrivatePubSubEmulator, any Error>] = [:]
    private static let byClassLock = NSLock()

    /// The private emulator of `testClass`, for its tests to share: started by the first test that
    /// asks (in a temporary folder named after the class), then the same one; when it could not
    /// start, every test that asks gets the same error (`missingStandIn`'s: a skip, or under
    /// CI=true a failure). The class's `tearDown` stops it: `stop(for: self)`.
    public static func shared(by testClass: AnyClass) throws -> PrivatePubSubEmulator {
        try byClassLock.withLock {
            let key = ObjectIdentifier(testClass)
            if byClass[key] == nil {
                let folder = NSTemporaryDirectory() + "pubsub-\(testClass)-\(UUID().uuidString.prefix(8))"
                byClass[key] = Result { try PrivatePubSubEmulator(directory: folder) }
            }
            return try byClass[key]!.get()
        }
    }

    /// Stops the emulator `shared(by: testClass)` started, if any.
    public static func stop(for testClass: AnyClass) {
        // Released once the lock is let go: its deinit waits for the process.
        _ = byClassLock.withLock { byClass.removeValue(forKey: ObjectIdentifier(testClass)) }
    }
}

/// Creates the bucket `name` on the GCS emulator at `endpoint` (fake-gcs-server's JSON API),
/// failing the test with curl's words when it cannot.
public func createEmulatorBucket(_ endpoint: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let made = try runProgram(
        requiredTool("curl"),
        [
            "-sf", "-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"name":"\#(name)"}"#,
            "\(endpoint)/storage/v1/b?project=test",
        ])
    XCTAssertEqual(made.status, 0, "bucket \(name) created on \(endpoint): \(made.stderr)", file: file, line: line)
    if made.status != 0 { throw CommandFailure() }
}

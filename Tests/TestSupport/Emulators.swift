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

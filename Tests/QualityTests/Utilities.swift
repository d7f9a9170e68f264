import Foundation
import ShopStreamLake
import ShopStreamWarehouse
import TestSupport
import XCTest

// The quality tests check real pipeline output: `shopstream run --days 2` through a
// `shopstream broker` process into a folder lake and a SQLite warehouse, made once per test run
// (about 10 s) and copied for each test that breaks something in it.

/// One clean pipeline output, and the broker that still holds its records (stopped, and the
/// output removed, when the test process exits).
final class CleanPipeline: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: Result<CleanPipeline, Error>?

    /// The output every test copies from; made by the first test that asks.
    static func shared() throws -> CleanPipeline {
        try lock.withLock {
            if made == nil { made = Result { try CleanPipeline() } }
            return try made!.get()
        }
    }

    let broker: BrokerProcess
    let output: PipelineOutput

    private init() throws {
        broker = try BrokerProcess()
        output = PipelineOutput(directory: NSTemporaryDirectory() + "shopstream-quality-\(UUID().uuidString)")
        cleanPipelineBrokerPid = broker.process.processIdentifier
        cleanPipelineDirectory = strdup(output.directory)
        atexit {
            if cleanPipelineBrokerPid > 0 { kill(cleanPipelineBrokerPid, SIGKILL) }
            if let directory = cleanPipelineDirectory { try? FileManager.default.removeItem(atPath: String(cString: directory)) }
        }
        let run = try runShopstream(
            ["run", "--days", "2", "--brokers", broker.bootstrap, "--lake", output.lake, "--warehouse", output.warehouse], timeout: 300)
        guard run.status == 0 else {
            throw QualityTestError("shopstream run --days 2 failed (exit \(run.status)): \(run.stderr)")
        }
    }

    /// A copy of the output for one test to change, removed when the test ends.
    func copy(for test: XCTestCase) throws -> PipelineOutput {
        let copy = PipelineOutput(directory: NSTemporaryDirectory() + "shopstream-quality-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: output.directory, toPath: copy.directory)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: copy.directory) }
        return copy
    }
}

nonisolated(unsafe) private var cleanPipelineBrokerPid: Int32 = 0
nonisolated(unsafe) private var cleanPipelineDirectory: UnsafeMutablePointer<CChar>?

struct QualityTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A folder lake and a SQLite warehouse side by side in one directory.
struct PipelineOutput {
    let directory: String
    var lake: String { "file://\(directory)/lake" }
    var warehouse: String { "sqlite://\(directory)/warehouse.db" }

    func openWarehouse() throws -> any Warehouse { try makeWarehouse(url: warehouse) }
    func openLake() throws -> any Lake { try makeLake(url: lake) }
}

/// Runs `shopstream` without the environment's locations (`SHOPSTREAM_LAKE`,
/// `SHOPSTREAM_WAREHOUSE`, `KAFKA_BOOTSTRAP_SERVERS`), so only the arguments say where things are.
func runShopstream(_ arguments: [String], timeout: TimeInterval = 120, environment extra: [String: String] = [:]) throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    for name in ["SHOPSTREAM_LAKE", "SHOPSTREAM_WAREHOUSE", "KAFKA_BOOTSTRAP_SERVERS"] { environment[name] = nil }
    environment.merge(extra) { $1 }
    return try runProgram(try shopstreamBinary(), arguments, timeout: timeout, environment: environment)
}

/// The report's line for the check called `name` (`PASS name`, `FAIL name: …`), or nil.
func reportLine(_ report: String, _ name: String) -> String? {
    report.split(separator: "\n").map(String.init).first { line in
        ["PASS ", "FAIL ", "WARN "].contains {
            line.hasPrefix($0 + name) && (line.count == $0.count + name.count || line.dropFirst($0.count + name.count).hasPrefix(":"))
        }
    }
}

/// The report's check lines, without the summary.
func checkLines(_ report: String) -> [String] {
    report.split(separator: "\n").map(String.init).filter { $0.hasPrefix("PASS ") || $0.hasPrefix("FAIL ") || $0.hasPrefix("WARN ") }
}

/// `BIGQUERY_EMULATOR_HOST` from the environment. Without it the test is skipped, except under
/// CI=true, where it fails: there the emulator tests must run.
func bigQueryEmulatorHost() throws -> String {
    try requiredEnvironment("BIGQUERY_EMULATOR_HOST")[0]
}

/// A fresh directory, removed when the test ends.
func temporaryDirectory(for test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "shopstream-quality-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

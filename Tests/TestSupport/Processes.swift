import Foundation
import ShopStreamBus
import ShopStreamCore
import XCTest

/// The `shopstream` binary built beside this test bundle.
public func shopstreamBinary() throws -> URL {
    let dir =
        Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL.deletingLastPathComponent()
        ?? Bundle.main.bundleURL
    let bin = dir.appendingPathComponent("shopstream")
    guard FileManager.default.isExecutableFile(atPath: bin.path) else {
        throw missingStandIn("no shopstream binary at \(bin.path); run `swift build` first")
    }
    return bin
}

/// What a test throws when a stand-in it needs (a program, an emulator, the built binary, a
/// broker) is not there: on a developer's machine the test is skipped with `hint`; under
/// CI=true, where every stand-in must be there, the test fails instead, so a missing one can
/// never pass CI as a quiet skip. The one place that decides; `throw missingStandIn(…)`.
public func missingStandIn(_ hint: String, file: StaticString = #filePath, line: UInt = #line) -> Error {
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail(hint + " (CI=true: the stand-ins must be there)", file: file, line: line)
        return CommandFailure()
    }
    return XCTSkip(hint, file: file, line: line)
}

/// Shared helpers of the test targets: running `shopstream` and other programs,
/// a broker process, free ports. One copy, used by every test target.

/// Bytes read on another thread; the DispatchGroup orders the write before the read.
private final class DataBox: @unchecked Sendable { var data = Data() }

/// The result of running a command to the end.
public struct CommandResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program with a time limit; kills it if it overstays.
@discardableResult
public func runProgram(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 120, environment: [String: String]? = nil) throws
    -> CommandResult
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while it runs, so a chatty program never blocks on a full pipe.
    let outData = DataBox(), errData = DataBox()
    let group = DispatchGroup()
    group.enter();
    DispatchQueue.global().async {
        outData.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    group.enter();
    DispatchQueue.global().async {
        errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        group.wait()
        XCTFail("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout))s")
    }
    process.waitUntilExit()
    group.wait()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData.data, as: UTF8.self),
        stderr: String(decoding: errData.data, as: UTF8.self))
}

public func shopstream(_ arguments: [String], timeout: TimeInterval = 120) throws -> CommandResult {
    try runProgram(try shopstreamBinary(), arguments, timeout: timeout)
}

/// A program on PATH; a missing one is a missing stand-in (see `missingStandIn`).
public func requiredTool(_ name: String) throws -> URL {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw missingStandIn("\(name) is not installed; run scripts/setup")
}

public struct CommandFailure: Error { public init() {} }

/// Events per topic in `shopstream generate`'s summary (its `  shop.sales   4,940 events, …` lines).
public func generatedCounts(_ summary: String) -> [String: Int] {
    var counts: [String: Int] = [:]
    for line in summary.split(separator: "\n") {
        let cells = line.split(separator: " ")
        guard cells.count >= 3, cells[0].hasPrefix("shop."), cells[2] == "events,",
            let n = Int(cells[1].replacingOccurrences(of: ",", with: ""))
        else { continue }
        counts[String(cells[0])] = n
    }
    return counts
}

/// The `event_id` of an event as published (its JSON value), nil if it has none.
public func eventID(_ value: some Collection<UInt8>) -> String? {
    ((try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any])?["event_id"] as? String
}

/// `shopstream run`'s report: one row per topic, and each says published = in bronze = in silver.
/// That checks the report against itself only (its columns are the sinks' own counters);
/// `assertRunLanded` reads the lake and the warehouse back.
public func assertEveryTopicLanded(_ report: String, file: StaticString = #filePath, line: UInt = #line) {
    let rows = report.split(separator: "\n").filter { $0.hasPrefix("shop.") }
    XCTAssertEqual(rows.count, 7, report, file: file, line: line)
    for row in rows {
        let cells = row.split(separator: " ")
        XCTAssertEqual(cells[1], cells[2], "bronze holds what was published: \(row)", file: file, line: line)
        XCTAssertEqual(cells[1], cells[3], "silver holds what was published: \(row)", file: file, line: line)
    }
}

/// The values of environment variables a test needs, such as the emulators' endpoints. A missing
/// one is a missing stand-in (see `missingStandIn`).
public func requiredEnvironment(_ names: String...) throws -> [String] {
    let environment = ProcessInfo.processInfo.environment
    let missing = names.filter { (environment[$0] ?? "").isEmpty }
    guard missing.isEmpty else {
        throw missingStandIn("\(missing.joined(separator: " and ")) not set; run `eval \"$(scripts/emulators start)\"` first")
    }
    return names.map { environment[$0]! }
}

/// A free loopback TCP port.
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
            bind(fd, p, len)
            return getsockname(fd, p, &len)
        }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A program running as its own process. Its output goes to files, so a full pipe never
/// stalls it and a test can read what it said so far (also after killing it).
public final class Child {
    public let process = Process()
    public let label: String
    private let outPath: String
    private let errPath: String

    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: String, label: String) throws {
        self.label = label
        outPath = "\(directory)/\(label).out"
        errPath = "\(directory)/\(label).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var stdout: String { Self.read(outPath) }
    public var stderr: String { Self.read(errPath) }

    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// The exit status, or nil if it had to be killed after `timeout`.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}

/// `shopstream broker` running as its own process, stopped by `stop()`.
public final class BrokerProcess {
    public let bootstrap: String
    /// `http://127.0.0.1:PORT` of its status server and fault control, when started with `http: true`.
    public let statusURL: String?
    private let child: Child
    private let directory: String
    public var process: Process { child.process }

    /// `brokers` brokers; with `http`, its status server and fault control (`fault(_:)`) on a free port.
    public init(port: Int = freePort(), brokers: Int = 1, http: Bool = false) throws {
        directory = NSTemporaryDirectory() + "shopstream-broker-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var arguments = ["broker", "--port", String(port), "--brokers", String(brokers)]
        let httpPort = http ? freePort() : nil
        if let httpPort { arguments += ["--http", "127.0.0.1:\(httpPort)"] }
        statusURL = httpPort.map { "http://127.0.0.1:\($0)" }
        child = try Child(try shopstreamBinary(), arguments, directory: directory, label: "broker")
        // Its first line names the bootstrap address; only whole lines count.
        let deadline = Date().addingTimeInterval(30)
        var found: String?
        while found == nil && child.isRunning && Date() < deadline {
            found = child.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .first { $0.hasPrefix("bootstrap: ") }.map { String($0.dropFirst("bootstrap: ".count)) }
            if found == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let found else {
            let said = (child.stdout + child.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
            child.send(SIGKILL)
            child.wait(timeout: 10)
            try? FileManager.default.removeItem(atPath: directory)
            throw missingStandIn(
                "shopstream broker --port \(port) did not start (exited, or no address within 30 s): \(said.isEmpty ? "it said nothing" : said)"
            )
        }
        bootstrap = found
        if let statusURL, !eventually(timeout: 30, { httpGet(statusURL + "/healthz", timeout: 2)?.status == 200 }) {
            child.send(SIGKILL)
            child.wait(timeout: 10)
            throw missingStandIn("shopstream broker's status server did not answer on \(statusURL) within 30 s: \(child.stderr)")
        }
    }

    /// Asks its fault control (`POST /faults/…`, or `GET /faults` for `""`), e.g. `fault("brokers/2/down")`;
    /// the answer's status and text.
    @discardableResult
    public func fault(_ path: String, method: String = "POST") -> (status: Int, body: String) {
        guard let statusURL else { preconditionFailure("fault control needs BrokerProcess(http: true)") }
        return httpRequest(method, statusURL + "/faults" + (path.isEmpty ? "" : "/" + path)) ?? (0, "no answer")
    }

    /// What the broker wrote to stderr so far.
    public var stderr: String { child.stderr }

    /// Ctrl-C, as a user stops it; killed if it has not stopped after 10 s.
    public func stop() {
        child.send(SIGINT)
        child.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// Reads every message now on `topics` through a fresh consumer group.
public func drain(_ bootstrap: String, topics: [String], expected: Int, timeout: Duration = .seconds(60)) throws -> [ConsumedMessage] {
    let consumer = try Consumer(
        configuration: ConsumerConfiguration(
            connection: KafkaConnection(bootstrapServers: bootstrap), groupId: "drain-\(UUID().uuidString.prefix(8))"),
        topics: topics)
    defer { consumer.close() }
    var out: [ConsumedMessage] = []
    out.reserveCapacity(expected)
    let deadline = ContinuousClock.now + timeout
    while out.count < expected && ContinuousClock.now < deadline {
        if let m = try consumer.poll(timeout: .milliseconds(200)) { out.append(m) }
    }
    return out
}

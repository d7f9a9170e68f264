import Foundation
import ShopStreamBus
import ShopStreamCore
import XCTest

/// The `shopstream` binary built beside this test bundle.
public func shopstreamBinary() throws -> URL {
    let dir = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL.deletingLastPathComponent()
        ?? Bundle.main.bundleURL
    let bin = dir.appendingPathComponent("shopstream")
    guard FileManager.default.isExecutableFile(atPath: bin.path) else {
        throw XCTSkip("no shopstream binary at \(bin.path); run `swift build` first")
    }
    return bin
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
public func runProgram(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 120, environment: [String: String]? = nil) throws -> CommandResult {
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
    group.enter(); DispatchQueue.global().async { outData.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter(); DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
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
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData.data, as: UTF8.self),
                         stderr: String(decoding: errData.data, as: UTF8.self))
}

public func shopstream(_ arguments: [String], timeout: TimeInterval = 120) throws -> CommandResult {
    try runProgram(try shopstreamBinary(), arguments, timeout: timeout)
}

/// A program on PATH; under CI a missing one fails the test instead of skipping it.
public func requiredTool(_ name: String) throws -> URL {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("\(name) is not installed; scripts/setup installs it")
        throw CommandFailure()
    }
    throw XCTSkip("\(name) is not installed; run scripts/setup")
}

public struct CommandFailure: Error { public init() {} }

/// `shopstream run`'s report: one row per topic, and each says published = in bronze = in silver.
public func assertEveryTopicLanded(_ report: String, file: StaticString = #filePath, line: UInt = #line) {
    let rows = report.split(separator: "\n").filter { $0.hasPrefix("shop.") }
    XCTAssertEqual(rows.count, 7, report, file: file, line: line)
    for row in rows {
        let cells = row.split(separator: " ")
        XCTAssertEqual(cells[1], cells[2], "bronze holds what was published: \(row)", file: file, line: line)
        XCTAssertEqual(cells[1], cells[3], "silver holds what was published: \(row)", file: file, line: line)
    }
}

/// The values of environment variables a test needs, such as the emulators' endpoints. When one
/// is missing the test is skipped, except under CI=true, where it fails: there the stand-ins
/// must run.
public func requiredEnvironment(_ names: String...) throws -> [String] {
    let environment = ProcessInfo.processInfo.environment
    let missing = names.filter { (environment[$0] ?? "").isEmpty }
    guard missing.isEmpty else {
        let hint = "\(missing.joined(separator: " and ")) not set; run `eval \"$(scripts/emulators start)\"` first"
        if environment["CI"] == "true" {
            XCTFail(hint + " (CI=true: the emulator tests must run)")
            throw CommandFailure()
        }
        throw XCTSkip(hint)
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
/// stalls it and a test can read what it said so far.
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
    public let process = Process()
    public let bootstrap: String

    public init(port: Int = freePort()) throws {
        process.executableURL = try shopstreamBinary()
        process.arguments = ["broker", "--port", String(port)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line names the bootstrap address.
        var buffer = Data()
        let deadline = Date().addingTimeInterval(20)
        while !buffer.contains(UInt8(ascii: "\n")) && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let first = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard first.hasPrefix("bootstrap: ") else {
            process.terminate()
            throw XCTSkip("shopstream broker did not start: \(first)")
        }
        bootstrap = String(first.dropFirst("bootstrap: ".count))
    }

    public func stop() {
        process.interrupt()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// Reads every message now on `topics` through a fresh consumer group.
public func drain(_ bootstrap: String, topics: [String], expected: Int, timeout: Duration = .seconds(60)) throws -> [ConsumedMessage] {
    let consumer = try Consumer(
        configuration: ConsumerConfiguration(connection: KafkaConnection(bootstrapServers: bootstrap), groupId: "drain-\(UUID().uuidString.prefix(8))"),
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

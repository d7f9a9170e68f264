import Foundation
import TestSupport
import XCTest

/// Debian's `chromium`, headless, driven over the DevTools protocol by Tests/Fixtures/cdp.py
/// (python3, standard library only): a page loaded as a browser loads it, with every request it
/// made and every console error, uncaught exception or failed load. Under CI=true a missing
/// chromium or python3 fails the test (`requiredTool`); elsewhere it skips.
final class HeadlessChromium {
    /// What happened since the previous command.
    struct Answer: Decodable {
        var ok: Bool
        var error: String?
        var url: String?
        /// Every URL the page asked for (documents, styles, images, icons…).
        var requests: [String]?
        /// Console errors, uncaught exceptions, failed loads and HTTP errors.
        var errors: [String]?
        /// The URLs that finished loading.
        var loads: [String]?
        var value: JSONText?
    }

    /// A value from JavaScript, as text.
    struct JSONText: Decodable {
        var text: String
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let s = try? container.decode(String.self) {
                text = s
            } else if let i = try? container.decode(Int.self) {
                text = String(i)
            } else if let n = try? container.decode(Double.self) {
                text = String(n)
            } else if let b = try? container.decode(Bool.self) {
                text = String(b)
            } else {
                text = "null"
            }
        }
    }

    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private let lines = LineBuffer()
    let profile: String

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/cdp.py").path
    }

    init(directory: String) throws {
        let chromium = try requiredTool("chromium")
        let python = try requiredTool("python3")
        profile = directory + "/chromium-profile"
        process.executableURL = python
        process.arguments = [Self.script, "--chromium", chromium.path, "--profile", profile]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        let lines = lines
        output.fileHandleForReading.readabilityHandler = { handle in lines.append(handle.availableData) }
        try process.run()
        let ready = try next(timeout: 90, what: "chromium to start")
        guard ready.ok else {
            throw missingStandIn("headless chromium did not start: \(ready.error ?? "?") (see \(profile)/chromium.log)")
        }
    }

    /// Navigates to `url`; answers once it has loaded and no request is in flight.
    func load(_ url: String) throws -> Answer { try send(["op": "load", "url": url]) }

    /// Clicks the element (a link), and answers once its target has loaded.
    func click(_ selector: String) throws -> Answer { try send(["op": "click", "selector": selector]) }

    /// Waits until the page loads again without being asked (its own refresh).
    func reloadByItself(timeout: Int = 60) throws -> Answer {
        try send(["op": "reload-by-itself", "timeout": timeout], wait: TimeInterval(timeout + 30))
    }

    /// The text content of the first element `selector` matches, as the browser shows it.
    func text(_ selector: String) throws -> String {
        let expression = "(e => e ? e.textContent : '(no element \(selector))')(document.querySelector(\(Self.quoted(selector))))"
        return try send(["op": "eval", "expression": expression]).value?.text ?? ""
    }

    /// The value of a JavaScript expression on the page.
    func evaluate(_ expression: String) throws -> String { try send(["op": "eval", "expression": expression]).value?.text ?? "" }

    func screenshot(to path: String) throws { _ = try send(["op": "screenshot", "path": path]) }

    func close() {
        if process.isRunning {
            try? input.fileHandleForWriting.write(contentsOf: Data("{\"op\": \"quit\"}\n".utf8))
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { process.terminate(); process.waitUntilExit() }
        }
        output.fileHandleForReading.readabilityHandler = nil
    }

    deinit { close() }

    @discardableResult
    private func send(_ command: [String: Any], wait: TimeInterval = 120) throws -> Answer {
        var line = try JSONSerialization.data(withJSONObject: command)
        line.append(UInt8(ascii: "\n"))
        try input.fileHandleForWriting.write(contentsOf: line)
        let answer = try next(timeout: wait, what: "\(command["op"] ?? "?")")
        guard answer.ok else {
            XCTFail("chromium: \(command) failed: \(answer.error ?? "?"); errors so far: \(answer.errors ?? [])")
            throw CommandFailure()
        }
        return answer
    }

    private func next(timeout: TimeInterval, what: String) throws -> Answer {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = lines.next() { return try JSONDecoder().decode(Answer.self, from: Data(line.utf8)) }
            if !process.isRunning, lines.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTFail("cdp.py gave no answer for \(what) within \(Int(timeout)) s (running: \(process.isRunning))")
        throw CommandFailure()
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }
}

/// Bytes from a pipe, handed out a whole line at a time. `@unchecked Sendable`: a lock guards it.
private final class LineBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) { lock.withLock { data.append(more) } }

    var isEmpty: Bool { lock.withLock { data.isEmpty } }

    func next() -> String? {
        lock.withLock {
            guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let line = String(decoding: data[data.startIndex..<newline], as: UTF8.self)
            data.removeSubrange(data.startIndex...newline)
            return line
        }
    }
}

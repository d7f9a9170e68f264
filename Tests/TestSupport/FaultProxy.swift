import Foundation

/// Tests/Fixtures/faultproxy.py between a client and the emulator.
public final class FaultProxy {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    // (the fault proxy's JSON names)
    public struct Stats: Decodable {
        public var requests: Int
        public var faults: [String: Int]
        public var by_method: [String: [String: Int]]
    }

    /// One line of the proxy's event log.
    public struct Event: Decodable {
        public var t: Double
        public var id: Int
        public var ev: String
        public var method: String?
        public var path: String?
        public var fault: String?
        public var name: String?
        public var status: Int?
    }

    public let url: String
    private let child: Child
    private let statsPath: String
    private let logPath: String

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/faultproxy.py").path
    }

    public init(
        upstream: String, faults: String, seed: Int = 1, slowMilliseconds: Int = 300, passFirst: Int = 0, match: String? = nil,
        directory: String
    ) throws {
        let python = try requiredTool("python3")
        let label = "faultproxy-\(UUID().uuidString.prefix(6))"
        statsPath = "\(directory)/\(label).json"
        logPath = "\(directory)/\(label).log"
        var arguments = [
            Self.script, "--listen", "0", "--upstream", upstream, "--faults", faults, "--seed", String(seed),
            "--slow-ms", String(slowMilliseconds), "--pass-first", String(passFirst), "--stats", statsPath, "--log", logPath,
        ]
        if let match { arguments += ["--match", match] }
        child = try Child(python, arguments, directory: directory, label: label)
        // Generous: python's start on two loaded cores has taken more than 10 s.
        let deadline = Date().addingTimeInterval(30)
        var found: String?
        while found == nil && Date() < deadline && child.isRunning {
            found = child.stdout.split(separator: "\n").first { $0.hasPrefix("faultproxy: listening on ") }
                .map { String($0.dropFirst("faultproxy: listening on ".count)) }
            if found == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let found else { throw FaultProxyError(description: "faultproxy did not start: \(child.stderr)") }
        url = found
    }

    public func stats() throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: Data(contentsOf: URL(fileURLWithPath: statsPath)))
    }

    /// Uploads (POSTs) it has seen so far.
    public func uploadCount() -> Int {
        ((try? stats())?.by_method["POST"] ?? [:]).values.reduce(0, +)
    }

    public func events() -> [Event] {
        let text = String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(Event.self, from: Data($0.utf8)) }
    }

    /// One upload (a POST of an object) as the proxy saw it; times are wall-clock seconds.
    public struct Upload {
        public var id: Int
        public var name: String
        public var fault: String
        public var requested: Double
        /// When the emulator answered it with 2xx: the object was in the lake by then.
        public var stored: Double?
        /// When the client got its answer (or was reset, or had gone).
        public var finished: Double?
    }

    /// Every upload so far, in the order they arrived.
    public func uploads() -> [Upload] {
        var uploads: [Int: Upload] = [:]
        var order: [Int] = []
        for event in events() {
            if event.ev == "request" {
                guard event.method == "POST", let name = event.name else { continue }
                uploads[event.id] = Upload(id: event.id, name: name, fault: event.fault ?? "ok", requested: event.t)
                order.append(event.id)
            } else if uploads[event.id] != nil {
                if event.ev == "upstream", (200..<300).contains(event.status ?? 0) { uploads[event.id]!.stored = event.t }
                if ["answered", "reset", "client-gone"].contains(event.ev) { uploads[event.id]!.finished = event.t }
            }
        }
        return order.map { uploads[$0]! }
    }

    /// Stops it; returns its closing line of counts.
    @discardableResult
    public func stop() -> String {
        child.send(SIGTERM)
        child.wait(timeout: 5)
        return child.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }

    deinit { child.send(SIGTERM) }
}

public struct FaultProxyError: Error, CustomStringConvertible {
    public var description: String
}

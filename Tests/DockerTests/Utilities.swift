import Foundation
import ShopStreamCore
import TestSupport
import XCTest

/// The repository this test was built from.
let repositoryRoot = TopicCatalog.sourceDirectory.deletingLastPathComponent()
let dockerDirectory = repositoryRoot.appendingPathComponent("docker")

/// A program in the project's virtualenv (`scripts/emulators install` puts PyYAML and
/// check-jsonschema there beside the emulators); a missing one is a missing stand-in.
func venvTool(_ name: String) throws -> URL {
    let environment = ProcessInfo.processInfo.environment
    let venv =
        environment["SHOPSTREAM_VENV"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/shopstream/venv")
    let tool = venv.appendingPathComponent("bin/\(name)")
    guard FileManager.default.isExecutableFile(atPath: tool.path) else {
        throw missingStandIn("\(tool.path) is missing; run scripts/emulators install")
    }
    return tool
}

/// A YAML file as JSON values, read by PyYAML in the virtualenv (no YAML parser among the Swift
/// dependencies). Anchors and aliases come out resolved.
func loadYAML(_ file: URL) throws -> [String: Any] {
    let python = try venvTool("python")
    let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
    let r = try runProgram(python, ["-c", script, file.path], timeout: 60)
    guard r.status == 0, let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
        XCTFail("\(file.path) could not be read as YAML: \(r.stderr)")
        throw CommandFailure()
    }
    return object
}

/// docker/compose.yaml, the parts a rehearsal needs.
struct ComposeFile {
    struct Service {
        enum Condition: String {
            case started = "service_started"
            case healthy = "service_healthy"
            case completed = "service_completed_successfully"
        }

        var name: String
        var image: String
        var command: [String]
        var environment: [String: String]
        var dependsOn: [(service: String, condition: Condition)]
        /// `healthcheck.test`: `["CMD", program, args…]` or `["CMD-SHELL", line]`.
        var healthcheck: [String]?
        var profiles: [String]
        /// `ports`: "HOST:CONTAINER" as written.
        var ports: [String]

        /// `--http HOST:PORT`: where it serves /metrics, /healthz and /readyz in its container.
        var httpPort: Int? {
            guard let i = command.firstIndex(of: "--http"), i + 1 < command.count,
                let port = command[i + 1].split(separator: ":").last.flatMap({ Int($0) })
            else { return nil }
            return port
        }
    }

    var services: [String: Service] = [:]

    init(_ file: URL) throws {
        let root = try loadYAML(file)
        guard let services = root["services"] as? [String: [String: Any]] else {
            XCTFail("\(file.path) has no services")
            throw CommandFailure()
        }
        for (name, body) in services {
            var environment: [String: String] = [:]
            if let map = body["environment"] as? [String: Any] {
                for (key, value) in map { environment[key] = "\(value)" }
            } else if let list = body["environment"] as? [String] {
                for item in list {
                    let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                    environment[parts[0]] = parts.count > 1 ? parts[1] : ""
                }
            }
            var dependsOn: [(String, Service.Condition)] = []
            if let list = body["depends_on"] as? [String] {
                dependsOn = list.map { ($0, .started) }
            } else if let map = body["depends_on"] as? [String: [String: Any]] {
                for (dependency, options) in map.sorted(by: { $0.key < $1.key }) {
                    let text = options["condition"] as? String ?? "service_started"
                    guard let condition = Service.Condition(rawValue: text) else {
                        XCTFail("\(name): depends_on \(dependency) with an unknown condition \(text)")
                        throw CommandFailure()
                    }
                    dependsOn.append((dependency, condition))
                }
            }
            let command: [String]
            if let list = body["command"] as? [String] {
                command = list
            } else if let line = body["command"] as? String {
                command = line.split(separator: " ").map(String.init)
            } else {
                command = []
            }
            self.services[name] = Service(
                name: name, image: body["image"] as? String ?? "", command: command, environment: environment,
                dependsOn: dependsOn, healthcheck: (body["healthcheck"] as? [String: Any])?["test"] as? [String],
                profiles: body["profiles"] as? [String] ?? [], ports: (body["ports"] as? [Any] ?? []).map { "\($0)" })
        }
    }

    /// Every service after the ones it depends on (ties by name, so the order is stable).
    func startOrder() throws -> [Service] {
        var done: [String] = [], visiting: Set<String> = []
        func visit(_ name: String) throws {
            guard !done.contains(name) else { return }
            guard let service = services[name] else {
                XCTFail("a service depends on \(name), which compose.yaml does not define")
                throw CommandFailure()
            }
            guard visiting.insert(name).inserted else {
                XCTFail("depends_on has a cycle through \(name)")
                throw CommandFailure()
            }
            for dependency in service.dependsOn.map(\.service).sorted() { try visit(dependency) }
            done.append(name)
        }
        for name in services.keys.sorted() { try visit(name) }
        return done.map { services[$0]! }
    }
}

/// An HTTP GET with curl: status and body (status 0 when nothing answered).
func httpGet(_ url: String) throws -> (status: Int, body: String) {
    let r = try runProgram(try requiredTool("curl"), ["-sS", "--max-time", "10", "-w", "\n%{http_code}", url], timeout: 30)
    var lines = r.stdout.components(separatedBy: "\n")
    let status = Int(lines.popLast() ?? "") ?? 0
    return (status, lines.joined(separator: "\n"))
}

/// Waits until `condition` holds, checking every `every` seconds; false if `timeout` passed first.
func eventually(timeout: TimeInterval, every: TimeInterval = 0.5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: every)
    }
}

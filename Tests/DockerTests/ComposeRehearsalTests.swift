import Foundation
import ShopStreamCore
import ShopStreamLake
import ShopStreamWarehouse
import TestSupport
import XCTest

/// docker/compose.yaml rehearsed without Docker (there is no engine on our machines or CI's):
/// every ShopStream service runs as a process with its compose command and environment, and only
/// those, against local stand-ins of the other services, their addresses substituted: the embedded
/// broker for `broker`, fake-gcs-server for `gcs`, bqemulator for `bigquery`, the host's curl for the
/// curl image. Start order and waits follow depends_on (healthy: its healthcheck passes, completed:
/// it exited 0). Then events must reach the lake, silver and gold, every --http service must be ready
/// with metrics that promtool accepts, a real Prometheus with docker/prometheus.yml's targets must see
/// each one up, and a stop (SIGTERM) must land everything published and exit 0. Services of a
/// profile are left out (monitoring's Prometheus is played by the real one; ComposeProfileTests
/// covers pubsub).
final class ComposeRehearsalTests: XCTestCase {
    /// The compose services played by stand-ins, and the image whose entrypoint is curl.
    static let standIns: Set = ["broker", "gcs", "bigquery"]
    static let shopstreamImage = "shopstream:local"
    static let curlImage = "curlimages/curl:"

    func testTheComposeStackRunsOnTheStandInsLandsEveryEventAndPrometheusScrapesEveryService() throws {
        let started = Date()
        let (gcs, bigquery, bigqueryWrite) = try {
            let e = try requiredEnvironment("STORAGE_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST", "BIGQUERY_STORAGE_EMULATOR_HOST")
            return (e[0], e[1], e[2])
        }()
        let curl = try requiredTool("curl"), promtool = try requiredTool("promtool"), prometheusTool = try requiredTool("prometheus")
        let shopstreamBin = try shopstreamBinary()
        let compose = try ComposeFile(dockerDirectory.appendingPathComponent("compose.yaml"))
        let prometheusConfig = try loadYAML(dockerDirectory.appendingPathComponent("prometheus.yml"))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let broker = try BrokerProcess()
        defer { broker.stop() }
        // A bucket and a project of its own on the shared emulators.
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let bucket = "compose-\(suffix)", project = "compose-\(suffix)"
        let addresses = [
            "broker:19092": broker.bootstrap, "http://gcs:4443": gcs, "http://bigquery:9050": bigquery, "bigquery:9060": bigqueryWrite,
            "shop-lake": bucket, "bigquery://shopstream": "bigquery://\(project)",
        ]

        // Each --http service gets a loopback port of its own (in compose they share :9464, one per container).
        var hostPorts: [String: (container: Int, host: Int)] = [:]
        for service in compose.services.values where service.image == Self.shopstreamImage && service.profiles.isEmpty {
            if let port = service.httpPort { hostPorts[service.name] = (port, freePort()) }
        }
        func substituted(_ text: String, in service: String) -> String {
            var text = text
            for (from, to) in addresses { text = text.replacingOccurrences(of: from, with: to) }
            if let ports = hostPorts[service] {
                for host in ["0.0.0.0", "127.0.0.1", "localhost"] {
                    text = text.replacingOccurrences(of: "\(host):\(ports.container)", with: "127.0.0.1:\(ports.host)")
                }
            }
            return text
        }

        // What compose promises about its long-running ShopStream services (the one-shot jobs others
        // wait on to complete are not long-running): each serves --http, logs JSON and is healthy by /readyz.
        let jobs = Set(compose.services.values.flatMap { $0.dependsOn.filter { $0.condition == .completed }.map(\.service) })
        let longRunning = compose.services.values.filter {
            $0.image == Self.shopstreamImage && $0.profiles.isEmpty && !jobs.contains($0.name)
        }.map(\.name)
            .sorted()
        XCTAssertEqual(longRunning, ["compactor", "dashboard", "generator", "sink-bronze", "sink-silver"])
        for name in longRunning {
            let service = compose.services[name]!
            XCTAssertNotNil(service.httpPort, "\(name) serves /metrics, /healthz and /readyz (--http)")
            XCTAssertTrue(
                service.command.joined(separator: " ").contains("--log-format json"), "\(name) logs JSON lines: \(service.command)")
            if let port = service.httpPort {
                XCTAssertTrue(
                    (service.healthcheck ?? []).contains { $0.contains(":\(port)/readyz") },
                    "\(name)'s healthcheck asks its /readyz on :\(port): \(service.healthcheck ?? [])")
            }
        }

        // Start every service in depends_on order, waiting as compose would.
        var children: [String: Child] = [:]
        defer { for child in children.values { child.send(SIGKILL) } }
        var order: [String] = []
        let baseEnvironment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path]
        func tail(_ name: String) -> String {
            guard let child = children[name] else { return "" }
            return "\n--- \(name) (\(child.isRunning ? "running" : "exited \(child.process.terminationStatus)")) stderr:\n"
                + child.stderr.split(separator: "\n").suffix(15).joined(separator: "\n")
                + "\n--- stdout:\n" + child.stdout.split(separator: "\n").suffix(10).joined(separator: "\n")
        }
        func everyTail() -> String { order.map(tail).joined() }
        func healthcheckPasses(_ service: ComposeFile.Service) throws -> Bool {
            guard let test = service.healthcheck, let kind = test.first else { return children[service.name]?.isRunning ?? false }
            let args = test.dropFirst().map { substituted($0, in: service.name) }
            let r: CommandResult
            switch kind {
            case "CMD": r = try runProgram(try requiredTool(args[0]), Array(args.dropFirst()), timeout: 30)
            case "CMD-SHELL": r = try runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c"] + args, timeout: 30)
            default: XCTFail("\(service.name): healthcheck \(test)"); return false
            }
            return r.status == 0
        }

        let stackStart = Date()
        for service in try compose.startOrder() where service.profiles.isEmpty {
            if Self.standIns.contains(service.name) { continue }
            for (dependency, condition) in service.dependsOn where !Self.standIns.contains(dependency) {
                let other = compose.services[dependency]!
                switch condition {
                case .started:
                    XCTAssertNotNil(children[dependency], "\(dependency) started before \(service.name)")
                case .completed:
                    let status = children[dependency]?.wait(timeout: 120)
                    guard status == 0 else {
                        return XCTFail(
                            "\(dependency) did not complete successfully (\(status.map(String.init) ?? "killed")) before \(service.name):\(tail(dependency))"
                        )
                    }
                case .healthy:
                    guard try eventually(timeout: 120, every: 0.5, { try healthcheckPasses(other) }) else {
                        let readyz = try hostPorts[dependency].map { try httpGet("http://127.0.0.1:\($0.host)/readyz") }
                        return XCTFail(
                            "\(dependency) did not become healthy by its healthcheck \(other.healthcheck ?? [])"
                                + (readyz.map { "; /readyz answers \($0.status): \($0.body)" } ?? "") + tail(dependency))
                    }
                }
            }
            let executable: URL, arguments: [String]
            if service.image == Self.shopstreamImage {
                (executable, arguments) = (shopstreamBin, service.command)
            } else if service.image.hasPrefix(Self.curlImage) {
                (executable, arguments) = (curl, service.command)
            } else {
                return XCTFail("no stand-in for compose service \(service.name) (\(service.image)): teach this rehearsal how to play it")
            }
            var environment = baseEnvironment
            for (key, value) in service.environment { environment[key] = substituted(value, in: service.name) }
            children[service.name] = try Child(
                executable, arguments.map { substituted($0, in: service.name) },
                environment: environment, directory: dir.path, label: service.name)
            order.append(service.name)
        }
        print("rehearsal: started \(order.joined(separator: ", ")) in \(seconds(since: stackStart))")

        // A real Prometheus, with docker/prometheus.yml's targets on this rehearsal's ports; started
        // now, so that its start overlaps the wait for events.
        let expectedTargets = Set(hostPorts.map { "\($0.key):\($0.value.container)" })
        let configured = ((prometheusConfig["scrape_configs"] as? [[String: Any]]) ?? [])
            .flatMap { ($0["static_configs"] as? [[String: Any]]) ?? [] }.flatMap { ($0["targets"] as? [String]) ?? [] }
        XCTAssertEqual(Set(configured), expectedTargets, "docker/prometheus.yml scrapes every --http service of compose.yaml")
        var config = prometheusConfig
        config["global"] = ["scrape_interval": "1s", "scrape_timeout": "1s"]
        config["scrape_configs"] = [
            [
                "job_name": "shopstream",
                "static_configs": configured.map { target -> [String: Any] in
                    let service = String(target.split(separator: ":")[0])
                    return ["targets": ["127.0.0.1:\(hostPorts[service]?.host ?? 0)"], "labels": ["service": service]]
                },
            ]
        ]
        let configFile = dir.appendingPathComponent("prometheus.json")  // JSON is YAML
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        let prometheusPort = freePort()
        let prometheus = try Child(
            prometheusTool,
            [
                "--config.file=\(configFile.path)", "--storage.tsdb.path=\(dir.path)/tsdb",
                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
            ], directory: dir.path, label: "prometheus")
        defer { prometheus.send(SIGTERM); prometheus.wait(timeout: 20) }

        // Events reach the lake and silver while everything runs (gold: below, once the publisher stopped).
        let lake = try makeLake(url: "gs://\(bucket)")
        let warehouse = try makeWarehouse(url: "bigquery://\(project)")
        func count(_ sql: String) -> Int {
            guard let row = try? warehouse.query(sql).rows.first, let cell = row.first, let text = cell else { return 0 }
            return Int(text) ?? 0
        }
        var exited: String?
        let flowing = eventually(timeout: 150, every: 2) {
            exited = children.keys.sorted().first { !children[$0]!.isRunning && !jobs.contains($0) }
            return exited != nil
                || ((try? lake.list(prefix: "bronze/").isEmpty) == false && count("SELECT COUNT(*) FROM silver.sales") > 0)
        }
        if let exited { return XCTFail("\(exited) exited while the stack runs:\(tail(exited))") }
        XCTAssertTrue(flowing, "events in the lake and in silver within 150 s\(everyTail())")
        if flowing { print("rehearsal: events in the lake and silver after \(seconds(since: stackStart))") }

        // Every --http service: healthy by its compose healthcheck, /readyz 200, metrics promtool accepts.
        for (name, ports) in hostPorts.sorted(by: { $0.key < $1.key }) {
            let base = "http://127.0.0.1:\(ports.host)"
            XCTAssertTrue(try eventually(timeout: 60) { try healthcheckPasses(compose.services[name]!) }, "\(name) is healthy\(tail(name))")
            let ready = try httpGet("\(base)/readyz")
            XCTAssertEqual(ready.status, 200, "\(name) /readyz: \(ready.body)")
            let metrics = try httpGet("\(base)/metrics")
            XCTAssertEqual(metrics.status, 200, "\(name) /metrics")
            let file = dir.appendingPathComponent("\(name).metrics")
            try Data(metrics.body.utf8).write(to: file)
            let lint = try runProgram(
                URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" check metrics < \"$1\"", promtool.path, file.path], timeout: 60)
            XCTAssertEqual(lint.status, 0, "promtool check metrics on \(name)'s /metrics: \(lint.stdout)\(lint.stderr)")
        }

        var up: [String: String] = [:]
        let allUp = try eventually(timeout: 90, every: 1) {
            let r = try httpGet("http://127.0.0.1:\(prometheusPort)/api/v1/query?query=up")
            let result =
                ((try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])?["data"] as? [String: Any])?["result"]
                as? [[String: Any]] ?? []
            up = [:]
            for sample in result {
                if let service = (sample["metric"] as? [String: String])?["service"],
                    let value = (sample["value"] as? [Any])?.last as? String
                {
                    up[service] = value
                }
            }
            return Set(up.keys) == Set(hostPorts.keys) && up.values.allSatisfy { $0 == "1" }
        }
        XCTAssertTrue(
            allUp, "Prometheus sees up == 1 for every service: \(up.sorted { $0.key < $1.key })\n\(prometheus.stderr.suffix(2000))")
        if allUp { print("rehearsal: Prometheus saw every service up after \(seconds(since: stackStart))") }

        // Stop the publisher first; then everything it published must be in the lake, in silver and in gold.
        let publishers = order.filter { compose.services[$0]!.command.first == "generate" }
        XCTAssertEqual(publishers, ["generator"])
        for name in publishers {
            children[name]!.send(SIGTERM)
            XCTAssertEqual(children[name]!.wait(timeout: 60), 0, "\(name) stops on SIGTERM with status 0\(tail(name))")
        }
        let published = generatedCounts(children["generator"]?.stdout ?? "")
        XCTAssertEqual(
            Set(published.keys), Set(Entity.allCases.map(\.topic)),
            "the generator's summary counts every topic: \(children["generator"]?.stdout ?? "")")
        var landed: Landed?
        let allLanded = try eventually(timeout: 90, every: 3) {
            landed = try Landed(lake: "gs://\(bucket)", warehouse: "bigquery://\(project)")
            return Entity.allCases.allSatisfy { entity in
                let bronze = landed!.bronze[entity.topic] ?? [], silver = Set(landed!.silver[entity.topic] ?? [])
                return bronze.count == published[entity.topic] && Set(bronze).count == bronze.count
                    && silver.count == published[entity.topic]
            }
        }
        XCTAssertTrue(
            allLanded,
            "every published event once in bronze and in silver: published \(published), bronze \(landed?.bronze.mapValues(\.count) ?? [:]), silver \(landed?.silver.mapValues { Set($0).count } ?? [:])"
        )
        let sales = published["shop.sales"] ?? -1
        XCTAssertGreaterThan(sales, 0, "sales were published (silver had some before the stop)")
        var inGold = 0
        let inGoldToo = eventually(timeout: 90, every: 3) {
            inGold = count("SELECT COALESCE(SUM(orders), 0) FROM gold.daily_sales"); return inGold == sales
        }
        XCTAssertTrue(inGoldToo, "gold.daily_sales counts every published sale: \(inGold) of \(sales)\(tail("compactor"))")
        if allLanded && inGoldToo { print("rehearsal: every event in the lake, silver and gold after \(seconds(since: stackStart))") }
        let page = try httpGet("http://127.0.0.1:\(hostPorts["dashboard"]?.host ?? 0)/")
        XCTAssertEqual(page.status, 200, "the dashboard page: \(page.body.prefix(300))")

        // Everything else stops on SIGTERM, dependents first, with status 0; their logs were JSON lines.
        for name in order.reversed() where children[name]!.isRunning {
            children[name]!.send(SIGTERM)
            XCTAssertEqual(children[name]!.wait(timeout: 60), 0, "\(name) stops on SIGTERM with status 0\(tail(name))")
        }
        for name in longRunning {
            for line in children[name]?.stderr.split(separator: "\n") ?? [] {
                XCTAssertNotNil(
                    try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(name) logs JSON lines only: \(line)")
            }
        }
        print("rehearsal: \(published.values.reduce(0, +)) events, done in \(seconds(since: started))")
    }
}

private func seconds(since start: Date) -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }

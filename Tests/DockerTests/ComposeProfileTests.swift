import Foundation
import TestSupport
import XCTest

/// docker/compose.yaml's profiles, without Docker: `--profile pubsub` adds Google's Pub/Sub
/// emulator and ShopStream services that use it; every profile's services start with what they
/// depend on, and no two services publish the same host port.
final class ComposeProfileTests: XCTestCase {
    static let emulatorImage = "gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators"

    private func compose() throws -> ComposeFile { try ComposeFile(dockerDirectory.appendingPathComponent("compose.yaml")) }

    /// The profile's emulator: its image, the address it listens on, its project.
    private func emulator(_ compose: ComposeFile) throws -> (service: ComposeFile.Service, port: String, project: String) {
        let emulator = try XCTUnwrap(compose.services["pubsub"], "compose.yaml has a pubsub service")
        XCTAssertEqual(emulator.profiles, ["pubsub"], "the emulator runs only with --profile pubsub")
        XCTAssertEqual(emulator.image, Self.emulatorImage, "the emulator image Google publishes")
        XCTAssertEqual(Array(emulator.command.prefix(5)), ["gcloud", "beta", "emulators", "pubsub", "start"], "\(emulator.command)")
        let option = { (name: String) in emulator.command.first { $0.hasPrefix("--\(name)=") }?.split(separator: "=").last.map(String.init)
        }
        let hostPort = try XCTUnwrap(option("host-port"), "\(emulator.command)")
        XCTAssertTrue(hostPort.hasPrefix("0.0.0.0:"), "listens on every interface, so other containers reach it: \(hostPort)")
        let port = String(hostPort.split(separator: ":").last ?? "")
        XCTAssertTrue(emulator.ports.contains("\(port):\(port)"), "published on the host as \(port): \(emulator.ports)")
        XCTAssertTrue((emulator.healthcheck ?? []).contains { $0.contains("127.0.0.1:\(port)/") }, "\(emulator.healthcheck ?? [])")
        return (emulator, port, try XCTUnwrap(option("project"), "\(emulator.command)"))
    }

    func testThePubSubProfileRunsTheEmulatorAndShopStreamServicesThatUseIt() throws {
        let compose = try compose()
        let (_, port, project) = try emulator(compose)
        let services = compose.services.values.filter { $0.profiles.contains("pubsub") && $0.image == "shopstream:local" }
            .sorted { $0.name < $1.name }
        XCTAssertEqual(services.map(\.name), ["pubsub-generator", "pubsub-sink-bronze", "pubsub-sink-silver", "pubsub-topics"])
        for service in services {
            XCTAssertEqual(service.environment["PUBSUB_EMULATOR_HOST"], "pubsub:\(port)", "\(service.name) reaches the emulator")
            XCTAssertEqual(service.environment["PUBSUB_PROJECT"], project, "\(service.name) uses the emulator's project")
            XCTAssertFalse(service.command.contains("--brokers"), "\(service.name) is on Pub/Sub, not Kafka: \(service.command)")
            XCTAssertNil(service.environment["KAFKA_BOOTSTRAP_SERVERS"], "\(service.name): one bus at a time")
            // What waits for the topology waits for the emulator through it.
            let waits = Dictionary(uniqueKeysWithValues: service.dependsOn.map { ($0.service, $0.condition) })
            if service.name == "pubsub-topics" {
                XCTAssertEqual(service.command.prefix(2), ["topics", "apply"])
                XCTAssertEqual(waits["pubsub"], .healthy, "the topology is applied once the emulator answers")
            } else {
                XCTAssertEqual(waits["pubsub-topics"], .completed, "\(service.name) starts once the topology exists")
            }
        }
        // Its own lake folder and warehouse: the Kafka stack's reconcile with Kafka alone.
        let kafkaBronze = try XCTUnwrap(compose.services["sink-bronze"]), kafkaSilver = try XCTUnwrap(compose.services["sink-silver"])
        let option = { (s: ComposeFile.Service, name: String) in s.command.firstIndex(of: name).map { s.command[$0 + 1] } }
        let lake = option(compose.services["pubsub-sink-bronze"]!, "--lake"),
            warehouse = option(compose.services["pubsub-sink-silver"]!, "--warehouse")
        XCTAssertNotNil(lake)
        XCTAssertNotEqual(lake, option(kafkaBronze, "--lake"), "bronze on Pub/Sub writes elsewhere than bronze on Kafka")
        XCTAssertNotNil(warehouse)
        XCTAssertNotEqual(warehouse, option(kafkaSilver, "--warehouse"), "silver on Pub/Sub writes elsewhere than silver on Kafka")
    }

    func testEveryProfilesServicesDependOnlyOnServicesRunningBesideThem_AndNoHostPortIsPublishedTwice() throws {
        let compose = try compose()
        XCTAssertEqual(Set(compose.services.values.flatMap(\.profiles)), ["monitoring", "pubsub"])
        for service in compose.services.values.sorted(by: { $0.name < $1.name }) {
            for dependency in service.dependsOn.map(\.service) {
                let other = try XCTUnwrap(compose.services[dependency], "\(service.name) depends on \(dependency), which is not defined")
                // Compose refuses to start a service whose dependency's profile is not enabled.
                XCTAssertTrue(
                    other.profiles.isEmpty || (!service.profiles.isEmpty && Set(other.profiles).isSuperset(of: service.profiles)),
                    "\(service.name) (profiles \(service.profiles)) depends on \(dependency), which runs only with \(other.profiles)")
            }
        }
        // With every profile on, each host port has one service.
        var owners: [String: [String]] = [:]
        for service in compose.services.values {
            for mapping in service.ports { owners[String(mapping.split(separator: ":").first ?? ""), default: []].append(service.name) }
        }
        XCTAssertEqual(owners.filter { $0.value.count > 1 }, [:], "host ports published twice")
    }

    /// The topology job, as compose runs it (its command and environment only), against a private
    /// emulator in the emulator's place: PUBSUB_PROJECT and PUBSUB_EMULATOR_HOST alone choose the bus.
    func testThePubSubTopologyJobAppliesTopicsWithTheEnvironmentComposeGivesIt() throws {
        let compose = try compose()
        let (_, port, project) = try emulator(compose)
        let job = try XCTUnwrap(compose.services["pubsub-topics"])
        let dir = NSTemporaryDirectory() + "compose-pubsub-\(UUID().uuidString.prefix(8))"
        let standIn = try PrivatePubSubEmulator(directory: dir)
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir]
        for (key, value) in job.environment { environment[key] = value.replacingOccurrences(of: "pubsub:\(port)", with: standIn.host) }
        XCTAssertEqual(environment["PUBSUB_EMULATOR_HOST"], standIn.host, "the emulator's address substituted")
        let applied = try runProgram(try shopstreamBinary(), job.command, timeout: 120, environment: environment)
        XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
        // Every topic and subscription of topics/ made, in the emulator's project.
        let created = applied.stdout.split(separator: "\n").filter { $0.hasSuffix(" created") }
        XCTAssertEqual(created.count, 23, "8 topics, 15 subscriptions:\n\(applied.stdout)")
        XCTAssertTrue(created.contains { $0.hasPrefix("shop.dlq.inspect ") }, applied.stdout)
        let client = "http://\(standIn.host)/v1/projects/\(project)/subscriptions/shop.dlq.inspect"
        XCTAssertEqual(try httpGet(client).status, 200, "made in project \(project)")
    }
}

import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamPubSub
import TestSupport
import XCTest

/// `sink bronze --pubsub` and `lake verify` on its objects, end to end through the command line
/// against PubSubTests' private emulator. Topics unordered: the emulator keeps a thread per ordering
/// key and ordered subscription for good.
extension PubSubTests {
    /// The event ids `generate --events count --seed seed` publishes.
    private func generatedEventIds(seed: UInt64, count: Int) throws -> Set<String> {
        var config = SimulationConfig()
        config.seed = seed
        var collector = EventCollector(limit: count)
        try Simulator(config: config).run(days: nil, into: &collector)
        return Set(collector.events.compactMap { eventID($0.value) })
    }

    /// Topics applied, `count` events generated; the seed is printed.
    private func publish(_ count: Int, _ project: String, _ emulator: PrivatePubSubEmulator) throws -> Set<String> {
        try apply(project, emulator, ["--disable-message-ordering"])
        let seed = UInt64.random(in: 1...1_000_000)
        print("seed \(seed)")
        let generated = try run(["generate", "--pubsub", project, "--events", "\(count)", "--seed", "\(seed)", "-q"], emulator)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        return try generatedEventIds(seed: seed, count: count)
    }

    /// How often each event id is in the folder lake's bronze objects, read from their lines.
    private func eventIdCounts(_ lake: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        let root = URL(fileURLWithPath: lake).appendingPathComponent("bronze")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "jsonl" {
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") { counts[eventID(Array(line.utf8)) ?? "(no event id)", default: 0] += 1 }
        }
        return counts
    }

    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "pubsub-bronze-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func testBronzeOnPubSubLandsEveryGeneratedEventOnceAndVerifyIsClean() throws {
        let (emulator, _, project) = try setUpProject()
        let expected = try publish(3000, project, emulator)
        let lake = try scratch() + "/lake"
        let sink = try run(
            ["sink", "bronze", "--pubsub", project, "--lake", "file://\(lake)", "--idle-exit", "2s", "--max-batch-age", "1s", "-q"],
            emulator)
        XCTAssertEqual(sink.status, 0, sink.stderr)
        XCTAssertTrue(sink.stdout.contains("bronze: 3000 events in"), sink.stdout)
        let counts = eventIdCounts(lake)
        XCTAssertEqual(Set(counts.keys), expected, "every generated event is in the lake")
        XCTAssertEqual(counts.filter { $0.value > 1 }.count, 0, "none twice")
        let verify = try run(["lake", "verify", "--lake", "file://\(lake)", "--deep"], emulator)
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("verify: OK (") && verify.stdout.contains("3000 events)"), verify.stdout)
    }

    func testAfterASinkIsKilledEveryEventLandsAndVerifyReportsExactlyTheDuplicates() throws {
        let (emulator, client, project) = try setUpProject()
        let expected = try publish(3000, project, emulator)
        // Leases of 10 s, so what the killed sink held comes again within the test.
        for entity in Entity.allCases {
            var s = try XCTUnwrap(client.subscription(PubSubTopology.subscription(entity, .bronze)))
            s.ackDeadlineSeconds = 10
            try client.patchSubscription(s, fields: ["ackDeadlineSeconds"])
        }
        let dir = try scratch()
        let lake = dir + "/lake"
        // Every acknowledgement waits 2 s in the proxy before it reaches Pub/Sub: the sink is killed
        // while one is waiting, and the proxy stopped before it passes, so objects stored and never
        // acknowledged are certain.
        let proxy = try FaultProxy(
            upstream: "http://\(emulator.host)", faults: "slow", slowMilliseconds: 2000, match: "POST .*:acknowledge", directory: dir)
        var environment = emulator.environment
        environment["PUBSUB_EMULATOR_HOST"] = String(proxy.url.dropFirst("http://".count))
        let first = try Child(
            try shopstreamBinary(), ["sink", "bronze", "--pubsub", project, "--lake", "file://\(lake)", "--max-batch-age", "1s", "-q"],
            environment: environment, directory: dir, label: "sink-killed")
        // Killed once a few objects are stored and an acknowledgement is on its way.
        let ackWaiting = eventually(timeout: 90) {
            guard eventIdCounts(lake).count >= 200 else { return false }
            let events = proxy.events()
            let passed = Set(events.filter { $0.ev != "request" }.map(\.id))
            return events.contains { $0.ev == "request" && ($0.path ?? "").contains(":acknowledge") && !passed.contains($0.id) }
        }
        XCTAssertTrue(ackWaiting, "objects stored and an acknowledgement on its way: \(first.stderr.suffix(500))")
        first.send(SIGKILL)
        first.wait(timeout: 10)
        _ = proxy.stop()
        let before = eventIdCounts(lake).count
        // Past the 10 s lease of everything the dead sink held.
        Thread.sleep(forTimeInterval: 11)

        // Batches of 70 now: a batch redelivered whole would form the same object again and be
        // adopted (its name taken by an object listing its messages); cut differently, the part
        // after the first 70 is new to the lake's names and lands a second time.
        let second = try run(
            [
                "sink", "bronze", "--pubsub", project, "--lake", "file://\(lake)", "--idle-exit", "3s", "--max-batch-age", "1s",
                "--batch-size", "70", "-q",
            ], emulator)
        XCTAssertEqual(second.status, 0, second.stderr)
        print(second.stdout)
        let counts = eventIdCounts(lake)
        let duplicates = counts.filter { $0.value > 1 }
        print("before the kill: \(before) events stored; after the restart: \(counts.count), \(duplicates.count) twice")
        XCTAssertEqual(Set(counts.keys), expected, "every generated event is in the lake at least once")
        XCTAssertGreaterThan(duplicates.count, 0, "what was stored and not acknowledged landed again")

        let verify = try run(["lake", "verify", "--lake", "file://\(lake)"], emulator)
        XCTAssertEqual(verify.status, 1, "duplicates are a failure: \(verify.stdout)")
        let reported = verify.stdout.split(separator: "\n").filter { $0.hasPrefix("problem: duplicate: message ") }
        XCTAssertEqual(reported.count, duplicates.count, "each duplicate reported, none more:\n\(verify.stdout.suffix(2000))")
        XCTAssertEqual(reported.filter { $0.contains("is in 2 objects") }.count, duplicates.filter { $0.value == 2 }.count)
        XCTAssertTrue(verify.stdout.contains("duplicates: \(duplicates.count) messages are in more than one object"), verify.stdout)
    }
}

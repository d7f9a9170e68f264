import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamPubSub
import TestSupport
import XCTest

/// `sink silver --pubsub` against Google's Pub/Sub emulator (a private one for this class) into a
/// SQLite warehouse: every generated event lands once in the dedup views, malformed messages end in
/// silver.rejects and on shop.dlq with their reasons, and a SIGKILL loses and repeats nothing the
/// views show.
final class SilverPubSubTests: XCTestCase {
    override class func tearDown() { PrivatePubSubEmulator.stop(for: self) }

    private struct Setup {
        var emulator: PrivatePubSubEmulator
        var client: PubSubClient
        var project: String
        var directory: String
        var warehouse: String
    }

    /// A project of the test's own with the topology applied (unordered: the emulator keeps a thread
    /// per ordering key and ordered subscription), silver's leases shortened to 10 s so that a
    /// killed sink's messages come back within the test, and a warehouse of its own.
    private func setUpProject() throws -> Setup {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let project = "silver-" + UUID().uuidString.prefix(8).lowercased()
        let client = try PubSubClient(project: project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        let applied = try run(["topics", "apply", "--pubsub", project, "--disable-message-ordering"], emulator)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        for entity in Entity.allCases {
            var s = try XCTUnwrap(client.subscription(PubSubTopology.subscription(entity, .silver)))
            s.ackDeadlineSeconds = 10
            try client.patchSubscription(s, fields: ["ackDeadlineSeconds"])
        }
        let directory = NSTemporaryDirectory() + "silver-pubsub-\(project)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return Setup(emulator: emulator, client: client, project: project, directory: directory, warehouse: "sqlite://\(directory)/w.db")
    }

    private func run(_ arguments: [String], _ emulator: PrivatePubSubEmulator, timeout: TimeInterval = 180) throws -> CommandResult {
        try runProgram(try shopstreamBinary(), arguments, timeout: timeout, environment: emulator.environment)
    }

    private func sinkArguments(_ s: Setup, idleExit: String?) -> [String] {
        ["sink", "silver", "--pubsub", s.project, "--warehouse", s.warehouse, "--max-delay", "200ms", "--reference-grace", "5s"]
            + (idleExit.map { ["--idle-exit", $0] } ?? [])
    }

    private func query(_ s: Setup, _ sql: String) throws -> [[String]] {
        let r = try run(["warehouse", "query", "--warehouse", s.warehouse, sql], s.emulator)
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Publishes `count` events of `seed` with `generate --pubsub`; returns them, as the simulator makes them.
    private func generate(_ s: Setup, count: Int, seed: UInt64) throws -> [Event] {
        print("seed \(seed)")
        let r = try run(["generate", "--pubsub", s.project, "--events", "\(count)", "--seed", "\(seed)", "-q"], s.emulator)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("published \(NumberText.grouped(count)) events"), r.stdout)
        var config = SimulationConfig()
        config.seed = seed
        var expected = EventCollector(limit: count)
        try Simulator(config: config).run(days: nil, into: &expected)
        return expected.events
    }

    /// Each entity's view (`_dedup`, `_current`) holds exactly the generated events: for a fact one
    /// row per event id, for a dimension one row per id; the raw tables hold no other event id.
    private func assertSilverHoldsExactly(_ events: [Event], _ s: Setup, file: StaticString = #filePath, line: UInt = #line) throws {
        for entity in Entity.allCases {
            let sent = events.filter { $0.entity == entity }
            let ids = sent.compactMap { eventID($0.value) }
            XCTAssertEqual(ids.count, sent.count, file: file, line: line)
            let raw = try query(s, "SELECT DISTINCT event_id FROM silver.\(entity.rawValue)").map { $0[0] }
            XCTAssertEqual(Set(raw), Set(ids), "silver.\(entity.rawValue): every event id sent, and no other", file: file, line: line)
            if entity.isDimension {
                let keys = Set(sent.map { String(decoding: $0.key, as: UTF8.self) })
                let current = try query(s, "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM silver.\(entity.rawValue)_current")
                XCTAssertEqual(
                    current.first, ["\(keys.count)", "\(keys.count)"], "\(entity.rawValue)_current: one row per id", file: file, line: line)
            } else {
                let view = try query(s, "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM silver.\(entity.rawValue)_dedup")
                XCTAssertEqual(
                    view.first, ["\(ids.count)", "\(ids.count)"], "\(entity.rawValue)_dedup: one row per event", file: file, line: line)
            }
        }
        let rejects = try query(
            s, "SELECT rule, COUNT(*), MIN(reason) FROM (SELECT substr(reason, 1, 40) AS rule, reason FROM silver.rejects) GROUP BY rule")
        XCTAssertEqual(rejects, [], "nothing valid rejected", file: file, line: line)
    }

    func testEveryGeneratedEventLandsOnceInTheDedupViews() throws {
        let s = try setUpProject()
        let events = try generate(s, count: 2000, seed: UInt64.random(in: 1...1_000_000))
        let started = Date()
        let r = try run(sinkArguments(s, idleExit: "3s") + ["-q"], s.emulator)
        print("sink silver --pubsub: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("silver: \(events.count) rows, 0 rejected"), r.stdout)
        try assertSilverHoldsExactly(events, s)
        // Pub/Sub's coordinates: no partition or offset; the message id, publish time, no attempt count
        // (no dead-letter policy counting on an unordered emulator subscription is not assumed).
        let entity = try XCTUnwrap(Entity.allCases.max { a, b in events.count { $0.entity == a } < events.count { $0.entity == b } })
        let sources = try query(
            s,
            "SELECT COUNT(*), COUNT(_source_partition), COUNT(_source_offset), COUNT(DISTINCT _source_message_id), COUNT(_source_publish_time), MIN(_source_topic) FROM silver.\(entity.rawValue)"
        )
        let n = events.count { $0.entity == entity }
        XCTAssertEqual(sources.first, ["\(n)", "0", "0", "\(n)", "\(n)", entity.topic])
        let insertIds = try query(
            s, "SELECT COUNT(*) FROM silver.\(entity.rawValue) WHERE _insert_id <> _source_topic || ':' || _source_message_id")
        XCTAssertEqual(insertIds.first, ["0"], "the insert id is <topic>:<message id>")
        // Everything acknowledged: nothing is left on silver's subscriptions.
        for entity in Entity.allCases {
            XCTAssertEqual(try s.client.pull(PubSubTopology.subscription(entity, .silver), maxMessages: 10).count, 0, entity.topic)
        }
    }

    func testMalformedMessagesEndInRejectsAndOnTheDeadLetterTopicWithTheirReasons() throws {
        let s = try setUpProject()
        let events = try generate(s, count: 300, seed: 7)
        let customer = try XCTUnwrap(events.first { $0.entity == .customers })
        let json = String(decoding: customer.value, as: UTF8.self)
        let key = String(decoding: customer.key, as: UTF8.self)
        let attributes = [EventAttributes.eventTimeMs: String(customer.timestampMs)]
        let notJSON = try s.client.publish(
            topic: "shop.customers", messages: [OutgoingMessage(data: Array("{not json".utf8), attributes: attributes, orderingKey: key)])[
                0]
        let badField = try s.client.publish(
            topic: "shop.customers",
            messages: [
                OutgoingMessage(
                    data: Array(with(with(json, "age", "7"), "event_id", "\"e0000000-0000-4000-8000-00000000bad1\"").utf8),
                    attributes: attributes, orderingKey: key)
            ])[0]
        let r = try run(sinkArguments(s, idleExit: "3s") + ["-q"], s.emulator)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("silver: \(events.count) rows, 2 rejected"), r.stdout)

        let rows = try query(
            s,
            "SELECT source_message_id, source_topic, COALESCE(source_partition, 'NULL'), COALESCE(field, 'NULL'), reason, payload, _insert_id FROM silver.rejects ORDER BY reason"
        )
        let byId = Dictionary(rows.map { ($0[0], $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(Set(byId.keys), [notJSON, badField], "\(rows)")
        let age = try XCTUnwrap(byId[badField])
        XCTAssertEqual(Array(age[1...3]), ["shop.customers", "NULL", "age"])
        XCTAssertTrue(age[4].hasPrefix("age: 7 is below the minimum 16"), age[4])
        XCTAssertEqual(age[6], "shop.customers:\(badField)")
        let broken = try XCTUnwrap(byId[notJSON])
        XCTAssertEqual(broken[3], "NULL")
        XCTAssertTrue(broken[4].hasPrefix("(root): "), broken[4])
        XCTAssertEqual(broken[5], "{not json")

        // shop.dlq: both letters, the reason as attributes, the source named.
        var letters: [ReceivedMessage] = []
        XCTAssertTrue(
            try eventually(timeout: 30) {
                letters += try s.client.pull(PubSubTopology.deadLetterSubscription, maxMessages: 10)
                return letters.count >= 2
            })
        let bySource = Dictionary(letters.map { ($0.attributes["shopstream-source"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(Set(bySource.keys), ["shop.customers+\(notJSON)", "shop.customers+\(badField)"])
        let letter = try XCTUnwrap(bySource["shop.customers+\(badField)"])
        XCTAssertEqual(letter.attributes["shopstream-reason"], "minimum")
        XCTAssertEqual(letter.attributes["shopstream-reason-text"], age[4])
        let envelope = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(letter.data)) as? [String: Any])
        XCTAssertEqual(envelope["source_message_id"] as? String, badField)
        XCTAssert(envelope["source_partition"] is NSNull)
        XCTAssertEqual(bySource["shop.customers+\(notJSON)"]?.attributes["shopstream-reason"], "json")
    }

    func testASinkKilledMidRunAndRestartedLeavesExactlyOneRowPerEventInTheViews() throws {
        let s = try setUpProject()
        let events = try generate(s, count: 5000, seed: UInt64.random(in: 1...1_000_000))
        let allRows = Entity.allCases.map { "(SELECT COUNT(*) FROM silver.\($0.rawValue))" }.joined(separator: " + ")
        func rows() -> Int? {
            // Not asserted: the warehouse does not exist until the sink made it.
            (try? runProgram(try shopstreamBinary(), ["warehouse", "query", "--warehouse", s.warehouse, "SELECT " + allRows]))
                .flatMap { $0.status == 0 ? Int($0.stdout.split(separator: "\n").last ?? "") : nil }
        }
        let first = try Child(
            try shopstreamBinary(), sinkArguments(s, idleExit: nil), environment: s.emulator.environment, directory: s.directory,
            label: "sink-silver")
        // Killed once rows are landing, before the whole backlog is in.
        XCTAssertTrue(eventually(timeout: 120) { (rows() ?? 0) > 0 }, "rows land: \(first.stderr.suffix(2000))")
        first.send(SIGKILL)
        _ = first.wait(timeout: 30)
        let before = rows() ?? -1
        print("killed with \(before) of \(events.count) rows in silver")
        XCTAssertLessThan(before, events.count, "killed mid-run")
        // The restart gets what the first held once its leases run out (10 s).
        let r = try run(sinkArguments(s, idleExit: "15s") + ["-q"], s.emulator, timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        try assertSilverHoldsExactly(events, s)
    }
}

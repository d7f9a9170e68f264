import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamHTTP
import ShopStreamPubSub
import TestSupport
import XCTest

/// Pub/Sub against Google's own emulator (a private one for this class): `topics apply --pubsub`,
/// `generate --pubsub`, and the client's publish, pull, ack, nack and dead-lettering.
final class PubSubTests: XCTestCase {
    override class func tearDown() { PrivatePubSubEmulator.stop(for: self) }

    /// The emulator, or the skip (or CI failure) of its absence; and a project of the test's own.
    func setUpProject() throws -> (PrivatePubSubEmulator, PubSubClient, String) {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let project = "test-" + UUID().uuidString.prefix(8).lowercased()
        let client = try PubSubClient(project: project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        return (emulator, client, project)
    }

    func run(_ arguments: [String], _ emulator: PrivatePubSubEmulator) throws -> CommandResult {
        try runProgram(try shopstreamBinary(), arguments, timeout: 120, environment: emulator.environment)
    }

    /// A topology of the definitions in topics/, applied with `topics apply --pubsub`.
    func apply(_ project: String, _ emulator: PrivatePubSubEmulator, _ options: [String] = []) throws {
        let result = try run(["topics", "apply", "--pubsub", project] + options, emulator)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testTopicsApplyCreatesEveryTopicAndSubscription_ASecondApplyChangesNothing_AndDriftIsReported() throws {
        let (emulator, client, project) = try setUpProject()
        let topology = PubSubTopology(catalog: try TopicCatalog.load(directory: TopicCatalog.sourceDirectory))
        XCTAssertEqual(topology.topics.count, 8)
        XCTAssertEqual(topology.subscriptions.count, 15, "bronze and silver per entity, and shop.dlq.inspect")

        let first = try run(["topics", "apply", "--pubsub", project], emulator)
        XCTAssertEqual(first.status, 0, first.stderr)
        for resource in topology.topics.map(\.id) + topology.subscriptions.map(\.id) {
            XCTAssertTrue(rowOf(resource, in: first.stdout).hasSuffix("created"), "\(resource) created:\n\(first.stdout)")
        }
        for wanted in topology.subscriptions {
            XCTAssertEqual(try client.subscription(wanted.id), wanted, "\(wanted.id) is in Pub/Sub as defined")
        }
        let sales = try XCTUnwrap(client.subscription("shop.sales.silver"))
        XCTAssertTrue(sales.enableMessageOrdering)
        XCTAssertEqual(
            sales.deadLetterPolicy, .init(topic: "shop.dlq", maxDeliveryAttempts: 20),
            "20 by default: ten crashes of a sink must not set valid events aside")

        let second = try run(["topics", "apply", "--pubsub", project], emulator)
        XCTAssertEqual(second.status, 0, second.stderr)
        let states = second.stdout.split(separator: "\n").dropFirst(3).map { $0.split(separator: " ").last.map(String.init) ?? "" }
        XCTAssertEqual(states, Array(repeating: "ok", count: 23), "a second apply changes nothing:\n\(second.stdout)")

        // Someone shortens a lease and removes the dead-letter policy by hand.
        var drifted = try XCTUnwrap(client.subscription("shop.payments.bronze"))
        drifted.ackDeadlineSeconds = 20
        drifted.deadLetterPolicy = nil
        try client.patchSubscription(drifted, fields: ["ackDeadlineSeconds", "deadLetterPolicy"])
        let listed = try run(["topics", "list", "--pubsub", project], emulator)
        XCTAssertEqual(listed.status, 2, "drift is exit status 2:\n\(listed.stdout)\(listed.stderr)")
        let row = rowOf("shop.payments.bronze", in: listed.stdout)
        XCTAssertTrue(row.contains("DRIFT: ack deadline 20 s, defined 60 s"), row)
        XCTAssertTrue(row.contains("dead-letter policy none, defined to shop.dlq after 20 attempts"), row)
        XCTAssertEqual(listed.stdout.components(separatedBy: "DRIFT").count - 1, 1, "only that subscription drifted:\n\(listed.stdout)")

        let altered = try run(["topics", "apply", "--pubsub", project, "--alter"], emulator)
        XCTAssertEqual(altered.status, 0, altered.stdout + altered.stderr)
        XCTAssertEqual(try client.subscription("shop.payments.bronze"), topology.subscriptions.first { $0.id == "shop.payments.bronze" })
    }

    func testBrokersAndPubSubExcludeEachOther() throws {
        let (emulator, _, project) = try setUpProject()
        let both = try run(["topics", "apply", "--pubsub", project, "--brokers", "127.0.0.1:9"], emulator)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--brokers and --pubsub exclude each other"), both.stderr)
    }

    func testGeneratePublishesEveryEvent_PulledBackByteForByte_KeyedAndAttributed() throws {
        let (emulator, client, project) = try setUpProject()
        try apply(project, emulator)
        // Few events: the emulator keeps a thread per ordering key and ordered subscription.
        let seed = UInt64.random(in: 1...1_000_000)
        let count = 600
        print("seed \(seed)")
        let result = try run(["generate", "--pubsub", project, "--events", "\(count)", "--seed", "\(seed)", "-q"], emulator)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("delivered: \(count) of \(count), failed: 0"), result.stdout)

        var config = SimulationConfig()
        config.seed = seed
        var expected = EventCollector(limit: count)
        try Simulator(config: config).run(days: nil, into: &expected)
        XCTAssertEqual(expected.events.count, count)

        for entity in Entity.allCases {
            let sent = expected.events.filter { $0.entity == entity }
            let got = try drain(client, PubSubTopology.subscription(entity, .bronze), expecting: sent.count)
            XCTAssertEqual(got.count, sent.count, "\(entity.topic): every event, once")
            // Pub/Sub orders by key only: compare each key's sequence of events.
            let sentByKey = Dictionary(grouping: sent) { String(decoding: $0.key, as: UTF8.self) }
                .mapValues { $0.map { [$0.value, Array(String($0.timestampMs).utf8)] } }
            let gotByKey = Dictionary(grouping: got, by: \.orderingKey)
                .mapValues { $0.map { [$0.data, Array(($0.attributes[EventAttributes.eventTimeMs] ?? "missing").utf8)] } }
            XCTAssertEqual(Set(gotByKey.keys), Set(sentByKey.keys), "\(entity.topic): ordering key = entity key")
            for (key, events) in sentByKey where gotByKey[key] != events {
                XCTFail("\(entity.topic) key \(key): bytes, event times or order differ")
            }
        }
    }

    func testTopicsDrainPrintsEveryMessageOnceAndAcknowledgesIt() throws {
        let (emulator, client, project) = try setUpProject()
        try apply(project, emulator, ["--disable-message-ordering"])
        // A 10 s lease (Pub/Sub's least): a message left unacknowledged would be back within the test.
        var subscription = try XCTUnwrap(client.subscription("shop.sales.bronze"))
        subscription.ackDeadlineSeconds = 10
        try client.patchSubscription(subscription, fields: ["ackDeadlineSeconds"])
        var published: [String] = []
        for chunk in stride(from: 0, to: 2_500, by: 500) {
            published += try client.publish(
                topic: "shop.sales", messages: (chunk..<chunk + 500).map { OutgoingMessage(data: Array("sale \($0)".utf8)) })
        }

        let drained = try run(["topics", "drain", "--pubsub", project, "shop.sales.bronze", "--print", "--idle", "1s"], emulator)
        XCTAssertEqual(drained.status, 0, drained.stderr)
        let printed = drained.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        XCTAssertEqual(printed.compactMap { $0["message_id"] as? String }.sorted(), published.sorted(), "each message printed once")
        XCTAssertEqual(Set(printed.compactMap { $0["data"] as? String }).count, 2_500)
        XCTAssertTrue(drained.stderr.contains("shop.sales.bronze: 2,500 messages pulled and acknowledged"), drained.stderr)
        // Past the lease: only what was acknowledged stays away.
        Thread.sleep(forTimeInterval: 11)
        XCTAssertEqual(
            try client.pull("shop.sales.bronze", maxMessages: 1000, waitingUpTo: .seconds(2)).count, 0, "every message acknowledged")
    }

    func testANackedMessageComesBackAtOnce_WithTheNextDeliveryAttempt() throws {
        let (emulator, client, project) = try setUpProject()
        try apply(project, emulator)
        let id = try client.publish(topic: "shop.stores", messages: [OutgoingMessage(data: Array("store".utf8), orderingKey: "STR-01")])[0]
        let first = try client.pull("shop.stores.bronze", maxMessages: 10, waitingUpTo: .seconds(30))
        XCTAssertEqual(first.map(\.messageId), [id])
        XCTAssertEqual(first.first?.deliveryAttempt, 1)
        try client.nack("shop.stores.bronze", ackIds: first.map(\.ackId))
        // Well within the 60 s ack deadline: only the nack brings it back this soon.
        let again = try client.pull("shop.stores.bronze", maxMessages: 10, waitingUpTo: .seconds(30))
        XCTAssertEqual(again.map(\.messageId), [id], "the nacked message is delivered again")
        XCTAssertEqual(again.first?.deliveryAttempt, 2)
        XCTAssertEqual(again.first?.data, Array("store".utf8))
        try client.acknowledge("shop.stores.bronze", ackIds: again.map(\.ackId))
        XCTAssertEqual(try client.pull("shop.stores.bronze", maxMessages: 10).count, 0, "acknowledged: gone")
    }

    func testAMessageNeverAcknowledgedReachesTheDeadLetterTopic_WithItsDeliveryCount() throws {
        let (emulator, client, project) = try setUpProject()
        // Unordered: the emulator (0.8.20) fails every later pull of an ordered subscription with
        // HTTP 500 once it dead-letters from it (a NullPointerException in its OrderedMessageBacklog).
        try apply(project, emulator, ["--disable-message-ordering", "--max-delivery-attempts", "5"])
        XCTAssertEqual(try client.subscription("shop.products.silver")?.enableMessageOrdering, false)
        let data = Array("{\"bad\":true}".utf8)
        try client.publish(
            topic: "shop.products", messages: [OutgoingMessage(data: data, attributes: ["why": "test"], orderingKey: "PRD-0001")])
        // Each delivery given back unacknowledged, until the policy's 5 attempts are spent.
        var attempts: [Int] = []
        while true {
            let got = try client.pull("shop.products.silver", maxMessages: 10, waitingUpTo: .seconds(5))
            guard !got.isEmpty else { break }
            attempts += got.map(\.deliveryAttempt)
            try client.nack("shop.products.silver", ackIds: got.map(\.ackId))
            XCTAssertLessThan(attempts.count, 20, "the dead-letter policy must end the redeliveries")
            if attempts.count >= 20 { break }
        }
        XCTAssertEqual(attempts, [1, 2, 3, 4, 5])
        let dead = try drain(client, PubSubTopology.deadLetterSubscription, expecting: 1)
        XCTAssertEqual(dead.count, 1, "the message is in shop.dlq")
        XCTAssertEqual(dead.first?.data, data)
        XCTAssertEqual(dead.first?.attributes["why"], "test")
        XCTAssertEqual(dead.first?.attributes["CloudPubSubDeadLetterSourceDeliveryCount"], "5", "\(dead.first?.attributes ?? [:])")
        XCTAssertEqual(dead.first?.attributes["CloudPubSubDeadLetterSourceSubscription"], "shop.products.silver")
        // The other sink's subscription still has it: dead-lettering is per subscription.
        XCTAssertEqual(try client.pull("shop.products.bronze", maxMessages: 10, waitingUpTo: .seconds(30)).map(\.data), [data])
    }

    func testAPullOnAnEmptySubscriptionReturnsPromptly_AndTheNextMessageIsNotLost() throws {
        let (emulator, client, project) = try setUpProject()
        try apply(project, emulator)
        let start = ContinuousClock.now
        XCTAssertEqual(try client.pull("shop.sales.bronze", maxMessages: 100).count, 0)
        // The emulator holds a pull without returnImmediately 40 s and more; 20 s is generous.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20), "a pull on an empty subscription does not block")
        XCTAssertEqual(try client.pull("shop.sales.bronze", maxMessages: 100, waitingUpTo: .milliseconds(500)).count, 0)

        try client.publish(topic: "shop.sales", messages: [OutgoingMessage(data: Array("sale".utf8), orderingKey: "SAL-0000000001")])
        // Had an abandoned pull taken it, it would come back only after the 60 s ack deadline.
        let got = try client.pull("shop.sales.bronze", maxMessages: 100, waitingUpTo: .seconds(30))
        XCTAssertEqual(got.map(\.data), [Array("sale".utf8)], "the message after the empty pulls arrives")
        XCTAssertEqual(got.first?.deliveryAttempt, 1, "on its first delivery")
    }

    func testAFailedPublishPausesItsOrderingKeyUntilResumed_AndA404SaysToApplyTheTopics() throws {
        let (_, client, project) = try setUpProject()
        try client.createTopic(TopicResource(id: "shop.customers"))
        let publisher = PubSubPublisher(client: client)
        try publisher.publish(topic: "shop.nothere", OutgoingMessage(data: [1], orderingKey: "CUS-00000001"))
        XCTAssertThrowsError(try publisher.flush()) { error in
            let failure = error as? PubSubError
            XCTAssertEqual(failure?.code, .notFound)
            XCTAssertEqual(failure?.isTransient, false)
            XCTAssertTrue("\(error)".contains("shopstream topics apply --pubsub \(project)"), "\(error)")
        }
        XCTAssertEqual(publisher.pausedKeys, ["CUS-00000001"])
        // The key's later messages must not overtake the lost one, even to another topic.
        XCTAssertThrowsError(try publisher.publish(topic: "shop.customers", OutgoingMessage(data: [2], orderingKey: "CUS-00000001"))) {
            XCTAssertEqual(($0 as? PubSubError)?.code, .orderingKeyPaused)
        }
        try publisher.publish(topic: "shop.customers", OutgoingMessage(data: [3], orderingKey: "CUS-00000002"))
        publisher.resume(orderingKey: "CUS-00000001")
        try publisher.publish(topic: "shop.customers", OutgoingMessage(data: [4], orderingKey: "CUS-00000001"))
        try publisher.flush()
        XCTAssertEqual(publisher.statistics, PubSubPublisher.Statistics(sent: 3, published: 2, failed: 1))
    }

    /// Pulls and acknowledges until `expecting` messages came, or the subscription stays empty.
    private func drain(_ client: PubSubClient, _ subscription: String, expecting: Int) throws -> [ReceivedMessage] {
        var got: [ReceivedMessage] = []
        while got.count < expecting {
            let batch = try client.pull(subscription, maxMessages: 1000, waitingUpTo: .seconds(30))
            guard !batch.isEmpty else { break }
            try client.acknowledge(subscription, ackIds: batch.map(\.ackId))
            got += batch
        }
        // Anything more would be a duplicate: give it a moment to show.
        got += try client.pull(subscription, maxMessages: 1000, waitingUpTo: .milliseconds(500))
        return got
    }

    private func rowOf(_ name: String, in table: String) -> String {
        table.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? "(no row for \(name))"
    }
}

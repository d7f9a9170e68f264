import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamPubSub
import TestSupport
import XCTest

/// PubSubConsumer against the emulator (PubSubTests' private one): leases kept past the ack
/// deadline, given back, settled, lost and reported, over several subscriptions at once.
extension PubSubTests {
    /// Topics `t.<name>` with one unordered subscription `t.<name>.sub` each, ack deadline 10 s
    /// (Pub/Sub's shortest, so a test outlives it in seconds).
    private func makeSubscriptions(_ client: PubSubClient, _ names: [String], exactlyOnce: Bool = false) throws -> [String] {
        try names.map { name in
            try client.createTopic(TopicResource(id: "t.\(name)"))
            try client.createSubscription(
                SubscriptionResource(
                    id: "t.\(name).sub", topic: "t.\(name)", ackDeadlineSeconds: 10, enableMessageOrdering: false,
                    enableExactlyOnceDelivery: exactlyOnce))
            return "t.\(name).sub"
        }
    }

    /// Polls until `count` deliveries came (or 30 s passed).
    private func poll(_ consumer: PubSubConsumer, count: Int) throws -> [PubSubDelivery] {
        var got: [PubSubDelivery] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while got.count < count, ContinuousClock.now < deadline {
            got += try consumer.poll(max: 1000, wait: .seconds(1))
        }
        return got
    }

    /// What a plain client pulls from `subscription` within `wait` (acknowledging nothing).
    private func stray(_ client: PubSubClient, _ subscription: String, within wait: Duration) throws -> [String] {
        try client.pull(subscription, maxMessages: 100, waitingUpTo: wait).map(\.messageId)
    }

    /// Every message delivered again during `period`, to the consumer or to a plain client.
    private func deliveredAgain(_ consumer: PubSubConsumer, _ client: PubSubClient, _ subscription: String, during period: Duration)
        throws -> [String]
    {
        let start = ContinuousClock.now
        var again: [String] = []
        while ContinuousClock.now - start < period {
            again += try consumer.poll(max: 100, wait: .milliseconds(500)).map(\.messageId)
            again += try stray(client, subscription, within: .milliseconds(500))
        }
        return again
    }

    func testConsumerKeepsALeasePastTheAckDeadlineAndASettledMessageNeverComesBack() throws {
        let (_, client, _) = try setUpProject()
        let subscription = try makeSubscriptions(client, ["leases"])[0]
        let ids = try client.publish(topic: "t.leases", messages: (0..<3).map { OutgoingMessage(data: [UInt8($0)]) })
        let consumer = try PubSubConsumer(client: client, subscriptions: [subscription])
        defer { consumer.close() }
        let held = try poll(consumer, count: 3)
        XCTAssertEqual(Set(held.map(\.messageId)), Set(ids))

        // 13 s past the pull: the 10 s ack deadline has passed (the emulator redelivers at about
        // 10.3 s), yet neither the consumer's own pulls nor anybody else's get them again.
        XCTAssertEqual(
            try deliveredAgain(consumer, client, subscription, during: .seconds(13)), [],
            "held messages are not delivered again while their lease is kept")
        XCTAssertGreaterThanOrEqual(consumer.statistics.extended, 3, "each lease was extended")
        XCTAssertEqual(consumer.takeLostLeases(), [])
        XCTAssertTrue(consumer.holds(held))

        try consumer.settle(held)
        XCTAssertEqual(consumer.heldCount, 0)
        // Past another deadline: settled means gone for good.
        XCTAssertEqual(try deliveredAgain(consumer, client, subscription, during: .seconds(12)), [], "a settled message never comes back")
    }

    /// A paused subscription is not pulled while the other one is; resumed, every one of its
    /// messages comes, once. Paused before anything is published, so nothing was pulled ahead.
    func testAPausedSubscriptionIsNotPulledUntilResumedAndThenDeliversEveryMessageOnce() throws {
        let (_, client, _) = try setUpProject()
        let subscriptions = try makeSubscriptions(client, ["held", "flowing"])
        let consumer = try PubSubConsumer(client: client, subscriptions: subscriptions)
        defer { consumer.close() }
        consumer.pause([subscriptions[0]])
        XCTAssertEqual(consumer.paused, [subscriptions[0]])
        // A pull sent before the pause is answered at once (they return immediately): let it end.
        Thread.sleep(forTimeInterval: 0.5)
        let held = try client.publish(topic: "t.held", messages: (0..<50).map { OutgoingMessage(data: [UInt8($0)]) })
        let flowing = try client.publish(topic: "t.flowing", messages: (0..<50).map { OutgoingMessage(data: [UInt8($0)]) })

        var got = try poll(consumer, count: 50)
        // Another second for any of the paused subscription's messages that might come.
        got += try consumer.poll(max: 1000, wait: .seconds(1))
        XCTAssertEqual(Set(got.map(\.messageId)), Set(flowing), "only the other subscription was pulled")
        XCTAssertEqual(got.count, 50)

        consumer.resume([subscriptions[0]])
        XCTAssertEqual(consumer.paused, [])
        let later = try poll(consumer, count: 50)
        XCTAssertEqual(later.map(\.messageId).sorted(), held.sorted(), "resumed: each of its messages, once")
        try consumer.settle(got + later)
    }

    /// What a stop's drain asks: whether everything published before an instant was polled.
    /// `quietSince` may date from before the last publish (every subscription pulled empty just
    /// before it); `pulledEmpty(since:)` stays false until that message has been polled.
    func testPulledEmptySinceHoldsOnlyOnceWhatWasPublishedBeforeItWasPolled() throws {
        let (_, client, _) = try setUpProject()
        let subscriptions = try makeSubscriptions(client, ["d1", "d2"])
        let consumer = try PubSubConsumer(client: client, subscriptions: subscriptions)
        defer { consumer.close() }
        XCTAssertTrue(eventually(timeout: 30) { consumer.quietSince != nil }, "both subscriptions pulled empty")
        let id = try client.publish(topic: "t.d2", messages: [OutgoingMessage(data: Array("late".utf8))])[0]
        let published = ContinuousClock.now
        var got: [PubSubDelivery] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while got.isEmpty, ContinuousClock.now < deadline {
            guard !consumer.pulledEmpty(since: published) else {
                XCTFail(
                    "taken for drained while message \(id), published before, was not polled (quiet since: \(String(describing: consumer.quietSince)))"
                )
                break
            }
            got = try consumer.poll(max: 10, wait: .milliseconds(5))
        }
        XCTAssertEqual(got.map(\.messageId), [id])
        XCTAssertTrue(
            eventually(timeout: 30) { consumer.pulledEmpty(since: published) },
            "drained once it was polled and every subscription came back empty")
        try consumer.settle(got)
    }

    func testAGivenBackDeliveryComesAgainAtOnceWithANewAckId() throws {
        let (_, client, _) = try setUpProject()
        let subscription = try makeSubscriptions(client, ["nack"])[0]
        let id = try client.publish(topic: "t.nack", messages: [OutgoingMessage(data: Array("x".utf8))])[0]
        let consumer = try PubSubConsumer(client: client, subscriptions: [subscription])
        defer { consumer.close() }
        let first = try poll(consumer, count: 1)
        XCTAssertEqual(first.map(\.messageId), [id])
        let given = ContinuousClock.now
        try consumer.giveBack(first)
        XCTAssertFalse(consumer.holds(first))
        let again = try poll(consumer, count: 1)
        XCTAssertEqual(again.map(\.messageId), [id], "given back: delivered again")
        XCTAssertLessThan(ContinuousClock.now - given, .seconds(8), "well before the 10 s ack deadline")
        XCTAssertNotEqual(again.first?.ackId, first.first?.ackId, "a new delivery, a new ack id")
        try consumer.settle(again)
    }

    func testConsumerDrainsSeveralSubscriptionsAtOnceEachDeliveryWithItsCoordinates() throws {
        let (_, client, _) = try setUpProject()
        let names = ["a1", "b2", "c3"]
        let subscriptions = try makeSubscriptions(client, names)
        let before = Int64(Date().timeIntervalSince1970 * 1000) - 5_000
        var published: [String: (topic: String, data: [UInt8], key: String)] = [:]
        for name in names {
            let messages = (0..<250).map {
                OutgoingMessage(
                    data: Array("\(name)-\($0)".utf8), attributes: [EventAttributes.eventTimeMs: "\(1_700_000_000_000 + $0)"],
                    orderingKey: "K\($0 % 7)")
            }
            let ids = try client.publish(topic: "t.\(name)", messages: messages)
            for (id, m) in zip(ids, messages) { published[id] = ("t.\(name)", m.data, m.orderingKey) }
        }
        let consumer = try PubSubConsumer(client: client, subscriptions: subscriptions)
        defer { consumer.close() }
        let got = try poll(consumer, count: published.count)
        XCTAssertEqual(got.count, published.count, "every message, once")
        XCTAssertEqual(Set(got.map(\.messageId)), Set(published.keys))
        let wrong = got.filter { d in
            guard let sent = published[d.messageId] else { return true }
            return d.topic != sent.topic || d.subscription != sent.topic + ".sub" || d.data != sent.data || d.orderingKey != sent.key
                || d.eventTimeMs.map({ $0 < 1_700_000_000_000 }) != false || d.publishTimeMs < before || d.ackId.isEmpty
        }
        XCTAssertEqual(
            wrong.count, 0, "each delivery carries its topic, subscription, data, key, attributes, publish time: \(wrong.prefix(2))")
        try consumer.settle(got)
        // Quiet: every subscription has been pulled empty since the last messages.
        XCTAssertTrue(eventually(timeout: 10) { consumer.quietSince != nil }, "every subscription pulled empty")
        for s in subscriptions { XCTAssertEqual(try stray(client, s, within: .milliseconds(500)), [], "\(s) drained") }
    }

    func testALeaseThatCouldNotBeKeptIsReportedAndItsMessageComesAgain() throws {
        let (emulator, client, _) = try setUpProject()
        let subscription = try makeSubscriptions(client, ["lost"])[0]
        let id = try client.publish(topic: "t.lost", messages: [OutgoingMessage(data: [7])])[0]
        // A short HTTP timeout so that the extensions sent while Pub/Sub is away give up soon.
        let impatient = try PubSubClient(
            project: client.project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host],
            http: HTTPClientConfiguration(connectTimeout: .seconds(2), timeout: .seconds(2), retry: .never))
        let consumer = try PubSubConsumer(client: impatient, subscriptions: [subscription])
        defer { consumer.close() }
        let held = try poll(consumer, count: 1)
        XCTAssertEqual(held.map(\.messageId), [id])
        // Pub/Sub unreachable past the ack deadline: no extension can reach it.
        emulator.pause()
        Thread.sleep(forTimeInterval: 12)
        let lost = consumer.takeLostLeases()
        emulator.resume()
        XCTAssertEqual(lost.map(\.messageId), [id], "the lease that ran out is reported")
        XCTAssertFalse(consumer.holds(held))
        let again = try poll(consumer, count: 1)
        XCTAssertEqual(again.map(\.messageId), [id], "its message is delivered again")
        try consumer.settle(again)
    }

    func testOnAnExactlyOnceSubscriptionAStaleAcknowledgementIsReported() throws {
        let (_, client, _) = try setUpProject()
        let subscription = try makeSubscriptions(client, ["eod"], exactlyOnce: true)[0]
        let ids = try client.publish(topic: "t.eod", messages: [OutgoingMessage(data: [1]), OutgoingMessage(data: [2])])
        let consumer = try PubSubConsumer(client: client, subscriptions: [subscription])
        XCTAssertEqual(consumer.subscriptions.first?.exactlyOnce, true)
        let held = try poll(consumer, count: 2)
        consumer.close(givingBack: false)
        XCTAssertEqual(Set(held.map(\.messageId)), Set(ids))
        // Someone else gives one back and takes it: this consumer's ack id for it is stale now.
        let stale = held[0]
        try client.nack(subscription, ackIds: [stale.ackId])
        let taken = try client.pull(subscription, maxMessages: 10, waitingUpTo: .seconds(20))
        XCTAssertEqual(taken.map(\.messageId), [stale.messageId])
        XCTAssertThrowsError(try consumer.settle(held)) { error in
            XCTAssertEqual((error as? PubSubError)?.code, .leaseLost, "\(error)")
            // The emulator refuses the request and acknowledges the rest without saying which:
            // the report names every message of the refused request, the stale one among them.
            XCTAssertEqual(Set((error as? PubSubError)?.messageIds ?? []), Set(ids), "the refused request's messages")
        }
        // The other was acknowledged: it never comes back; the stale one is the other taker's.
        try client.acknowledge(subscription, ackIds: taken.map(\.ackId))
        XCTAssertEqual(try stray(client, subscription, within: .seconds(1)), [])
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamPubSub
import ShopStreamSinks
import TestSupport
import XCTest

/// A silver sink on Pub/Sub hands its stop to its Pub/Sub client, as it does to its warehouse: an
/// abandon while the client backs off ends the backoff at once (a private Pub/Sub emulator, through
/// a fault proxy that answers publishes with 503).
final class PubSubSilverStopTests: XCTestCase {
    nonisolated(unsafe) static var emulator: PrivatePubSubEmulator?
    nonisolated(unsafe) static var startFailure: (any Error)?

    override class func setUp() {
        do {
            emulator = try PrivatePubSubEmulator(directory: NSTemporaryDirectory() + "pubsub-silver-stop-\(UUID().uuidString.prefix(8))")
        } catch {
            startFailure = error
        }
    }

    override class func tearDown() { emulator = nil }

    /// One malformed customer is rejected; its dead-letter publish to shop.dlq is answered 503 and
    /// the client backs off 20 s. The abandon ends the backoff: the sink stops at once with the
    /// cause (the reading thread's own call, as a warehouse call of its own does), the letter is not
    /// published again, and neither silver.rejects nor the subscription (the message is not
    /// acknowledged) counts it as dead-lettered.
    func testAnAbandonEndsADeadLetterPublishsBackoffAndTheLetterIsNotPublishedAgain() throws {
        if let failure = Self.startFailure { throw failure }
        guard let emulator = Self.emulator else { throw missingStandIn("no Pub/Sub emulator") }
        let project = "test-" + UUID().uuidString.prefix(8).lowercased()
        let direct = try PubSubClient(project: project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        let subscription = PubSubTopology.subscription(.customers, .silver)
        try direct.createTopic(TopicResource(id: Entity.customers.topic))
        try direct.createTopic(TopicResource(id: Entity.deadLetterTopic))
        try direct.createSubscription(
            SubscriptionResource(id: subscription, topic: Entity.customers.topic, ackDeadlineSeconds: 10, enableMessageOrdering: false))
        try direct.publish(topic: Entity.customers.topic, messages: [OutgoingMessage(data: Array("not json".utf8))])

        let drill = try BackoffDrill(upstream: "http://\(emulator.host)", failing: "^POST .*:publish")
        let client = try PubSubClient(
            project: project, credentials: NoCredentials(),
            configuration: .init(endpoint: drill.proxy.url, http: HTTPClientConfiguration(retry: drill.retry)))
        var config = SilverConfiguration(connection: KafkaConnection(bootstrapServers: "unused"))
        config.topics = [Entity.customers.topic]
        config.maxDelay = .milliseconds(100)
        let warehouse = try freshSQLiteWarehouse()
        let sink = Handed(try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog, pubSub: client))

        let stop = StopSignal()
        let outcome = try drill.abandon(stop) { try sink.value.run(until: stop) }
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "the letter was not published again: \(outcome.sent)")
        let error = try XCTUnwrap(outcome.error as? PubSubError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped, error.message)
        XCTAssertTrue(error.message.hasPrefix("publish to topic shop.dlq in "), error.message)
        XCTAssertTrue(error.message.contains("HTTP 503"), error.message)
        XCTAssertEqual(try warehouse.query("SELECT COUNT(*) FROM silver.rejects").rows[0][0], "0", "no reject row")
        // Given back at the stop, not acknowledged: it comes again.
        XCTAssertEqual(try direct.pull(subscription, maxMessages: 10, waitingUpTo: .seconds(10)).count, 1)
    }
}

/// Hands the sink to the work's thread; the test touches it only before the thread starts and
/// after it has finished.
private final class Handed<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

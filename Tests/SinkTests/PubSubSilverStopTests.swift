import Foundation
import Logging
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamPubSub
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// A silver sink on Pub/Sub hands its stop to its Pub/Sub client, as it does to its warehouse: an
/// abandon while the client backs off ends the backoff at once (a private Pub/Sub emulator, through
/// a fault proxy that answers the chosen requests with 503).
final class PubSubSilverStopTests: XCTestCase {
    override class func tearDown() { PrivatePubSubEmulator.stop(for: self) }

    /// One malformed customer is rejected; its dead-letter publish to shop.dlq is answered 503 and
    /// the client backs off 20 s. The abandon ends the backoff: the sink stops at once with the
    /// cause (the reading thread's own call, as a warehouse call of its own does), the letter is not
    /// published again, and neither silver.rejects nor the subscription (the message is not
    /// acknowledged) counts it as dead-lettered.
    func testAnAbandonEndsADeadLetterPublishsBackoffAndTheLetterIsNotPublishedAgain() throws {
        let run = try abandon(failing: "^POST .*:publish", publishing: OutgoingMessage(data: Array("not json".utf8)))
        let outcome = run.outcome
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "the letter was not published again: \(outcome.sent)")
        let error = try XCTUnwrap(outcome.error as? PubSubError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped, error.message)
        XCTAssertTrue(error.message.hasPrefix("publish to topic shop.dlq in "), error.message)
        XCTAssertTrue(error.message.contains("HTTP 503"), error.message)
        XCTAssertEqual(try run.warehouse.query("SELECT COUNT(*) FROM silver.rejects").rows[0][0], "0", "no reject row")
        // Given back at the stop, not acknowledged: it comes again.
        XCTAssertEqual(try run.redelivered(), 1)
    }

    /// A valid customer lands; its acknowledge is answered 503 and the client backs off 20 s. The
    /// abandon ends the backoff and the sink returns at once, the acknowledge not sent again: the
    /// log says so (the message is left unacknowledged for the next reader, not "tried again"), and
    /// Pub/Sub delivers it again once its ack deadline passes.
    func testAnAbandonEndsAnAcknowledgesBackoffAndLeavesTheMessageToTheNextReader() throws {
        let customer = OutgoingMessage(
            data: SilverEvents.customer("CUS-00000001"), attributes: [EventAttributes.eventTimeMs: String(SilverEvents.dimensionTimeMs)],
            orderingKey: "CUS-00000001")
        let run = try abandon(failing: "^POST .*:acknowledge", publishing: customer)
        let outcome = run.outcome
        XCTAssertNil(outcome.error, "an abandon during an acknowledge's backoff is not an error of the sink")
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "not acknowledged again: \(outcome.sent)")
        XCTAssertEqual(try run.warehouse.query("SELECT COUNT(*) FROM silver.customers").rows[0][0], "1", "it landed")
        let lines = run.log.lines
        XCTAssertTrue(
            lines.contains {
                $0.hasPrefix("warning acknowledging cut short by the stop: ") && $0.contains("delivers it again to the next reader")
            },
            "\(lines)")
        XCTAssertFalse(lines.contains { $0.contains("trying again") }, "nothing tries again: \(lines)")
        XCTAssertEqual(try run.redelivered(), 1, "delivered again, its ack deadline (10 s) passed")
    }

    /// What followed an abandon of a silver sink on Pub/Sub.
    private struct AbandonedRun {
        var outcome: AbandonDuringBackoff
        var warehouse: any Warehouse
        var log: LogLines
        /// How many messages silver's customers subscription delivers, read straight from the emulator.
        var redelivered: () throws -> Int
    }

    /// A project with shop.customers, its silver subscription (ack deadline 10 s) and shop.dlq, one
    /// `message` on shop.customers, and a silver sink on a fresh SQLite warehouse reading it
    /// through a `BackoffDrill` failing `match`, abandoned during the backoff.
    private func abandon(failing match: String, publishing message: OutgoingMessage) throws -> AbandonedRun {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let project = "test-" + UUID().uuidString.prefix(8).lowercased()
        let direct = try PubSubClient(project: project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        let subscription = PubSubTopology.subscription(.customers, .silver)
        try direct.createTopic(TopicResource(id: Entity.customers.topic))
        try direct.createTopic(TopicResource(id: Entity.deadLetterTopic))
        try direct.createSubscription(
            SubscriptionResource(id: subscription, topic: Entity.customers.topic, ackDeadlineSeconds: 10, enableMessageOrdering: false))
        try direct.publish(topic: Entity.customers.topic, messages: [message])

        let drill = try BackoffDrill(upstream: "http://\(emulator.host)", failing: match)
        let client = try PubSubClient(
            project: project, credentials: NoCredentials(),
            configuration: .init(endpoint: drill.proxy.url, http: HTTPClientConfiguration(retry: drill.retry)))
        var config = SilverConfiguration(connection: KafkaConnection(bootstrapServers: "unused"))
        config.topics = [Entity.customers.topic]
        config.maxDelay = .milliseconds(100)
        let warehouse = try freshSQLiteWarehouse()
        let sink = Handed(try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog, pubSub: client))
        let log = LogLines()
        sink.value.logger = Logger(label: "shopstream.silver") { _ in RecordingLogHandler(lines: log) }

        let stop = StopSignal()
        let outcome = try drill.abandon(stop) { try sink.value.run(until: stop) }
        return AbandonedRun(
            outcome: outcome, warehouse: warehouse, log: log,
            redelivered: { try direct.pull(subscription, maxMessages: 10, waitingUpTo: .seconds(30)).count })
    }
}

/// Every line logged through a `RecordingLogHandler`, as "level message".
private final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    var lines: [String] { lock.withLock { kept } }
    func append(_ line: String) { lock.withLock { kept.append(line) } }
}

private struct RecordingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String,
        line: UInt
    ) {
        lines.append("\(level) \(message)")
    }
}

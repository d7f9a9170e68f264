import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake
import ShopStreamPubSub
import ShopStreamSinks
import TestSupport
import XCTest

/// The bronze sink on Pub/Sub, in process, against a private emulator: what happens to a batch
/// whose upload fails.
final class PubSubBronzeSinkTests: XCTestCase {
    override class func tearDown() { PrivatePubSubEmulator.stop(for: self) }

    /// A client of a project of the test's own.
    private func project() throws -> PubSubClient {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        return try PubSubClient(
            project: "test-" + UUID().uuidString.prefix(8).lowercased(), environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
    }

    /// A project of the test's own with shop.sales and its bronze subscription (unordered, 10 s).
    private func salesSubscription() throws -> PubSubClient {
        let client = try project()
        try client.createTopic(TopicResource(id: "shop.sales"))
        try client.createSubscription(
            SubscriptionResource(id: "shop.sales.bronze", topic: "shop.sales", ackDeadlineSeconds: 10, enableMessageOrdering: false))
        return client
    }

    /// Publishes `{"event_id":"e<n>","n":<n>}` to shop.sales for each n of `numbers`; their message ids.
    private func publishSales(_ numbers: Range<Int>, to client: PubSubClient) throws -> [String] {
        try client.publish(
            topic: "shop.sales",
            messages: numbers.map {
                OutgoingMessage(
                    data: Array(#"{"event_id":"e\#($0)","n":\#($0)}"#.utf8), attributes: [EventAttributes.eventTimeMs: "1735700000000"])
            })
    }

    /// Messages stored whose acknowledgement an abandon cuts short (the acknowledge answered 503,
    /// its 20 s backoff abandoned) are counted as stored but not acknowledged, as a refused
    /// acknowledgement is, and the sink returns without an error: Pub/Sub delivers them again and
    /// the next reader adopts the object that holds them.
    func testAnAcknowledgementCutShortByAnAbandonIsCountedAndNotAnError() throws {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let direct = try salesSubscription()
        let published = try publishSales(0..<3, to: direct)
        let drill = try BackoffDrill(upstream: "http://\(emulator.host)", failing: "^POST .*:acknowledge")
        let client = try PubSubClient(
            project: direct.project, credentials: NoCredentials(),
            configuration: .init(endpoint: drill.proxy.url, http: HTTPClientConfiguration(retry: drill.retry)))
        let (folder, _) = try temporaryFolderLake()
        var config = PubSubBronzeConfiguration()
        config.subscriptions = ["shop.sales.bronze"]
        config.batching.maxBatchAge = .milliseconds(200)
        let sink = Handed(try PubSubBronzeSink(configuration: config, client: client, lake: folder))

        let stop = StopSignal()
        let outcome = try drill.abandon(stop) { try sink.value.run(until: stop) }
        XCTAssertNil(outcome.error, "an abandon during an acknowledgement's backoff is not an error of the sink")
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "not acknowledged again: \(outcome.sent)")
        XCTAssertEqual(sink.value.statistics.unacknowledged, published.count)
        let stored = try folder.list(prefix: "bronze/").flatMap { BronzeFormat.messageIds($0.metadata) ?? [] }
        XCTAssertEqual(stored.sorted(), published.sorted(), "stored once, before the acknowledgement")
    }

    /// A sink runs once, as the Kafka sinks do: its first run ended stopping (a failed upload is
    /// then given back at once), so a second run says to make a new sink instead of running on
    /// those books.
    func testASinkRunAgainSaysToMakeANewOne() throws {
        let client = try salesSubscription()
        let published = try publishSales(0..<3, to: client)
        let (folder, _) = try temporaryFolderLake()
        var config = PubSubBronzeConfiguration()
        config.subscriptions = ["shop.sales.bronze"]
        config.batching.idleExit = .seconds(1)
        let sink = try PubSubBronzeSink(configuration: config, client: client, lake: folder)
        try sink.run(until: StopSignal())
        XCTAssertEqual(sink.statistics.events, published.count)
        assertRunsOnce(try sink.run(until: StopSignal()))
    }

    func testABatchWhoseUploadFailsIsHeldTriedAgainAndLandsOnce() throws {
        let client = try salesSubscription()
        let count = 250
        var published: [String] = []
        for chunk in stride(from: 0, to: count, by: 100) {
            published += try publishSales(chunk..<min(chunk + 100, count), to: client)
        }
        let (folder, _) = try temporaryFolderLake()
        let lake = FailingCreates(folder, first: 1)
        var config = PubSubBronzeConfiguration()
        config.subscriptions = ["shop.sales.bronze"]
        config.batching.maxBatchAge = .seconds(1)
        config.batching.idleExit = .seconds(2)
        let sink = try PubSubBronzeSink(configuration: config, client: client, lake: lake)
        try sink.run(until: StopSignal())

        let failed = lake.failedMessageIds
        XCTAssertFalse(failed.isEmpty, "one upload failed")
        XCTAssertEqual(sink.statistics.requeued, 1, "the failed batch was tried again once")
        let stored = try folder.list(prefix: "bronze/").flatMap { BronzeFormat.messageIds($0.metadata) ?? [] }
        XCTAssertEqual(stored.sorted(), published.sorted(), "every message in exactly one object")
        XCTAssertTrue(Set(failed).isSubset(of: Set(stored)), "the failed batch's messages landed")
        let events = try allLines(folder).compactMap { eventID(Array($0.utf8)) }
        XCTAssertEqual(events.count, count)
        XCTAssertEqual(Set(events).count, count, "each event once")
        let report = try BronzeVerifier(lake: folder).verify(watermarks: nil, deep: true)
        XCTAssertTrue(report.isClean, "\(report.problems)")
        // Nothing left on the subscription: everything stored was acknowledged.
        XCTAssertEqual(try client.pull("shop.sales.bronze", maxMessages: 100, waitingUpTo: .seconds(1)).count, 0)
    }

    /// A lake that fails for a while (an outage shorter than `giveBackAfter`) costs no delivery
    /// attempt: the batch is held and its lease kept, so a policy of 5 attempts never sees 6 failures.
    func testALakeFailingSixTimesInARowCostsNoDeliveryAttempt_NothingIsDeadLettered() throws {
        let client = try project()
        let topology = PubSubTopology(
            catalog: try TopicCatalog.load(directory: TopicCatalog.sourceDirectory), maxDeliveryAttempts: 5, messageOrdering: false)
        _ = try PubSubReconciler(client: client).apply(topology)
        let published = try client.publish(
            topic: "shop.sales",
            messages: (0..<20).map {
                OutgoingMessage(
                    data: Array(#"{"event_id":"sale-\#($0)"}"#.utf8), attributes: [EventAttributes.eventTimeMs: "1735700000000"])
            })
        let (folder, _) = try temporaryFolderLake()
        let lake = FailingCreates(folder, first: 6)
        var config = PubSubBronzeConfiguration()
        config.subscriptions = ["shop.sales.bronze"]
        config.batching.maxBatchAge = .milliseconds(200)
        config.batching.idleExit = .seconds(3)
        let sink = try PubSubBronzeSink(configuration: config, client: client, lake: lake)
        let stop = StopSignal()
        DispatchQueue.global().asyncAfter(deadline: .now() + 90) { stop.request(.now) }
        try sink.run(until: stop)

        XCTAssertEqual(lake.failedMessageIds.isEmpty, false)
        XCTAssertEqual(sink.statistics.requeued, 6, "six failed uploads, each tried again")
        XCTAssertEqual(sink.statistics.deadLettered, 0)
        let stored = try folder.list(prefix: "bronze/").flatMap { BronzeFormat.messageIds($0.metadata) ?? [] }
        XCTAssertEqual(stored.sorted(), published.sorted(), "every message in the lake, once")
        var letters: [ReceivedMessage] = []
        let quiet = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < quiet {
            letters += try client.pull(PubSubTopology.deadLetterSubscription, maxMessages: 10, waitingUpTo: .seconds(1))
        }
        XCTAssertEqual(letters.count, 0, "nothing on shop.dlq: \(letters.map(\.attributes))")
        XCTAssertEqual(try client.pull("shop.sales.bronze", maxMessages: 100, waitingUpTo: .seconds(1)).count, 0)
    }

    func testMessagesWhoseObjectKeepsFailingReachShopDlqWithTheirDeliveryCount_WhileEveryOtherTopicLandsOnce() throws {
        let client = try project()
        // The topology `topics apply --max-delivery-attempts 5` makes (the fewest Pub/Sub allows), unordered: the emulator
        // (0.8.20) fails every pull of an ordered subscription once it dead-letters from it.
        let topology = PubSubTopology(
            catalog: try TopicCatalog.load(directory: TopicCatalog.sourceDirectory), maxDeliveryAttempts: 5, messageOrdering: false)
        _ = try PubSubReconciler(client: client).apply(topology)
        var published: [Entity: [String]] = [:]
        for entity in Entity.allCases {
            published[entity] = try client.publish(
                topic: entity.topic,
                messages: (0..<(entity == .stores ? 3 : 25)).map {
                    OutgoingMessage(
                        data: Array(#"{"event_id":"\#(entity.rawValue)-\#($0)"}"#.utf8),
                        attributes: [EventAttributes.eventTimeMs: "1735700000000"])
                })
        }
        // The lake refuses every object of shop.stores, as GCS answering 503 past the HTTP retries.
        let (folder, _) = try temporaryFolderLake()
        let lake = FailingCreates(folder, under: "bronze/stores/")
        var config = PubSubBronzeConfiguration()
        config.batching.batchSize = 10
        config.batching.maxBatchAge = .milliseconds(200)
        config.giveBackAfter = .zero  // given back at each failure: each costs a delivery attempt
        config.batching.idleExit = .seconds(2)
        let sink = try PubSubBronzeSink(configuration: config, client: client, lake: lake)
        // Without dead-lettering the three would come back for ever and the sink never be idle.
        let stop = StopSignal()
        DispatchQueue.global().asyncAfter(deadline: .now() + 90) { stop.request(.now) }
        try sink.run(until: stop)

        // Each delivery of the three was refused, given back, and delivered again, 5 times.
        let stores = Set(published[.stores]!)
        let refused = lake.failedMessageIds
        XCTAssertEqual(Set(refused), stores, "only shop.stores' objects were refused")
        XCTAssertEqual(refused.count, 15, "each of the three refused on each of its 5 deliveries")
        XCTAssertEqual(sink.statistics.deadLettered, 3, "the sink counts what it gave back on the last attempt")
        XCTAssertGreaterThanOrEqual(sink.statistics.requeued, 5)

        var letters: [ReceivedMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while letters.count < 3 && ContinuousClock.now < deadline {
            letters += try client.pull(PubSubTopology.deadLetterSubscription, maxMessages: 10, waitingUpTo: .seconds(2))
        }
        // shop.dlq gives a message a new id: recognise the three by their bytes.
        XCTAssertEqual(
            Set(letters.map { String(decoding: $0.data, as: UTF8.self) }),
            Set((0..<3).map { #"{"event_id":"stores-\#($0)"}"# }), "the three are in shop.dlq, once each")
        for letter in letters {
            XCTAssertEqual(letter.attributes["CloudPubSubDeadLetterSourceDeliveryCount"], "5", "\(letter.attributes)")
            XCTAssertEqual(letter.attributes["CloudPubSubDeadLetterSourceSubscription"], "shop.stores.bronze")
            XCTAssertEqual(letter.attributes[EventAttributes.eventTimeMs], "1735700000000", "the message's own attributes kept")
        }

        // Every other topic flowed past them: each message in exactly one object, none of shop.stores.
        let stored = try folder.list(prefix: "bronze/").flatMap { BronzeFormat.messageIds($0.metadata) ?? [] }
        let others = Entity.allCases.filter { $0 != .stores }.flatMap { published[$0]! }
        XCTAssertEqual(stored.sorted(), others.sorted(), "every other message in the lake once, no shop.stores one")
        XCTAssertEqual(sink.statistics.events, others.count)
        XCTAssertEqual(try client.pull("shop.stores.bronze", maxMessages: 10, waitingUpTo: .seconds(1)).count, 0, "not delivered again")
    }
}

/// A lake whose creates fail as a store that may work later (a disk, a 503 after the HTTP layer's
/// retries) — the first `count`, or every one under a prefix — remembering the message ids of what
/// they refused.
private final class FailingCreates: Lake, @unchecked Sendable {
    let inner: any Lake
    private let lock = NSLock()
    private var left: Int
    private let prefix: String
    private var refused: [String] = []

    /// The first `count` creates fail.
    init(_ inner: any Lake, first count: Int) {
        self.inner = inner
        left = count
        prefix = ""
    }

    /// Every create of a name under `prefix` fails.
    init(_ inner: any Lake, under prefix: String) {
        self.inner = inner
        left = .max
        self.prefix = prefix
    }

    var failedMessageIds: [String] { lock.withLock { refused } }
    var url: String { inner.url }

    func create(_ name: String, bytes: Data, contentType: String, metadata: [String: String]) throws -> StoredObject {
        let fail = lock.withLock {
            guard left > 0, name.hasPrefix(prefix) else { return false }
            left -= 1
            refused += BronzeFormat.messageIds(metadata) ?? []
            return true
        }
        if fail { throw LakeError(.storage, "\(name): injected failure") }
        return try inner.create(name, bytes: bytes, contentType: contentType, metadata: metadata)
    }

    func get(_ name: String) throws -> (bytes: Data, object: StoredObject) { try inner.get(name) }
    func head(_ name: String) throws -> StoredObject? { try inner.head(name) }
    func list(prefix: String) throws -> [StoredObject] { try inner.list(prefix: prefix) }
    func delete(_ name: String) throws { try inner.delete(name) }
}

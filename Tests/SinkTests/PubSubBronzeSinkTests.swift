import Foundation
import ShopStreamCore
import ShopStreamLake
import ShopStreamPubSub
import ShopStreamSinks
import TestSupport
import XCTest

/// The bronze sink on Pub/Sub, in process, against a private emulator: what happens to a batch
/// whose upload fails.
final class PubSubBronzeSinkTests: XCTestCase {
    nonisolated(unsafe) static var emulator: PrivatePubSubEmulator?
    nonisolated(unsafe) static var startFailure: (any Error)?

    override class func setUp() {
        do {
            emulator = try PrivatePubSubEmulator(directory: NSTemporaryDirectory() + "pubsub-bronze-\(UUID().uuidString.prefix(8))")
        } catch {
            startFailure = error
        }
    }

    override class func tearDown() { emulator = nil }

    /// A project of the test's own with shop.sales and its bronze subscription (unordered, 10 s).
    private func salesSubscription() throws -> PubSubClient {
        if let failure = Self.startFailure { throw failure }
        guard let emulator = Self.emulator else { throw missingStandIn("no Pub/Sub emulator") }
        let client = try PubSubClient(
            project: "test-" + UUID().uuidString.prefix(8).lowercased(), environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        try client.createTopic(TopicResource(id: "shop.sales"))
        try client.createSubscription(
            SubscriptionResource(id: "shop.sales.bronze", topic: "shop.sales", ackDeadlineSeconds: 10, enableMessageOrdering: false))
        return client
    }

    func testABatchWhoseUploadFailsIsGivenBackRedeliveredAndLandsOnce() throws {
        let client = try salesSubscription()
        let count = 250
        var published: [String] = []
        for chunk in stride(from: 0, to: count, by: 100) {
            published += try client.publish(
                topic: "shop.sales",
                messages: (chunk..<min(chunk + 100, count)).map {
                    OutgoingMessage(
                        data: Array(#"{"event_id":"e\#($0)","n":\#($0)}"#.utf8),
                        attributes: [EventAttributes.eventTimeMs: "1735700000000"])
                })
        }
        let (folder, _) = try temporaryFolderLake()
        let lake = FailingFirstCreates(folder, failures: 1)
        var config = PubSubBronzeConfiguration()
        config.subscriptions = ["shop.sales.bronze"]
        config.batching.maxBatchAge = .seconds(1)
        config.batching.idleExit = .seconds(2)
        let sink = try PubSubBronzeSink(configuration: config, client: client, lake: lake)
        try sink.run(until: StopSignal())

        let failed = lake.failedMessageIds
        XCTAssertFalse(failed.isEmpty, "one upload failed")
        XCTAssertEqual(sink.statistics.requeued, 1, "the failed batch was given back once")
        let stored = try folder.list(prefix: "bronze/").flatMap { BronzeFormat.messageIds($0.metadata) ?? [] }
        XCTAssertEqual(stored.sorted(), published.sorted(), "every message in exactly one object")
        XCTAssertTrue(Set(failed).isSubset(of: Set(stored)), "the failed batch's messages came again and landed")
        let events = try allLines(folder).compactMap { eventID(Array($0.utf8)) }
        XCTAssertEqual(events.count, count)
        XCTAssertEqual(Set(events).count, count, "each event once")
        let report = try BronzeVerifier(lake: folder).verify(watermarks: nil, deep: true)
        XCTAssertTrue(report.isClean, "\(report.problems)")
        // Nothing left on the subscription: everything stored was acknowledged.
        XCTAssertEqual(try client.pull("shop.sales.bronze", maxMessages: 100, waitingUpTo: .seconds(1)).count, 0)
    }
}

/// A lake whose first `failures` creates fail as a store that may work later (a disk, a 503 after
/// the HTTP layer's retries), remembering the message ids of what they refused.
private final class FailingFirstCreates: Lake, @unchecked Sendable {
    let inner: any Lake
    private let lock = NSLock()
    private var left: Int
    private var refused: [String] = []

    init(_ inner: any Lake, failures: Int) {
        self.inner = inner
        left = failures
    }

    var failedMessageIds: [String] { lock.withLock { refused } }
    var url: String { inner.url }

    func create(_ name: String, bytes: Data, contentType: String, metadata: [String: String]) throws -> StoredObject {
        let fail = lock.withLock {
            guard left > 0 else { return false }
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

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSinks
import XCTest

/// A commit that fails (its coordinator timed out, moved or is down) is tried again while the sink
/// runs, even when its partitions bring nothing new: otherwise the group's offset stays behind what
/// is stored, the lag shows and the sink reports itself stalled until the next run.
final class CommitRetryTests: XCTestCase {
    /// Three failures, one after the other, of the commits to broker 1 (the only coordinator).
    private func failNextCommits(_ broker: EmbeddedBroker) throws {
        try broker.pushRequestErrors(
            ["REQUEST_TIMED_OUT", "COORDINATOR_NOT_AVAILABLE", "REQUEST_TIMED_OUT"].map { KafkaErrorCode(name: $0)! },
            api: .offsetCommit, broker: 1)
    }

    /// Runs `run` until `group` committed `end` on `tp` (watched from outside the group), or 30 s.
    private func runUntilCommitted(
        _ broker: EmbeddedBroker, group: String, _ tp: TopicPartition, _ end: Int64,
        run: (@escaping () -> Bool) throws -> Void
    ) throws -> Int64? {
        let done = Flag()
        let watcher = Thread {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let committed = try? Consumer.committed(
                    [tp], groupId: group, connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
                if (committed?[tp] ?? nil) == end { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            done.set()
        }
        watcher.start()
        try run { done.isSet }
        return try Consumer.committed([tp], groupId: group, connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))[tp]
            ?? nil
    }

    func testABronzeCommitThatFailsIsTriedAgainUntilItHolds() throws {
        let broker = try brokerWithEvents(count: 5)
        try failNextCommits(broker)
        let (lake, _) = try temporaryFolderLake()
        var config = bronzeConfig(broker)
        config.idleExit = nil
        config.maxBatchAge = .milliseconds(300)
        let sink = try BronzeSink(configuration: config, lake: lake)
        let committed = try runUntilCommitted(broker, group: config.groupId, TopicPartition("shop.sales", 0), 5) { stop in
            try sink.run(shouldStop: stop)
        }
        XCTAssertEqual(try broker.waitingErrors(broker: 1, api: .offsetCommit), 0, "the commits met the errors")
        XCTAssertEqual(committed, 5, "committed past the one object, though nothing new came after it")
        XCTAssertEqual(try allLines(lake).count, 5)
    }

    func testASilverCommitThatFailsIsTriedAgainUntilItHolds() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        for i in 0..<5 {
            try producer.send(
                topic: "shop.customers", key: Array("CUS-0000000\(i)".utf8), value: SilverEvents.customer("CUS-0000000\(i)"),
                timestampMs: SilverEvents.dimensionTimeMs, partition: 0)
        }
        try producer.flush()
        try failNextCommits(broker)
        var config = silverConfiguration(broker, grace: .seconds(5))
        config.idleExit = nil
        config.maxDelay = .milliseconds(100)
        let sink = try SilverSink(configuration: config, warehouse: try freshSQLiteWarehouse(), catalog: silverCatalog)
        let committed = try runUntilCommitted(broker, group: config.groupId, TopicPartition("shop.customers", 0), 5) { stop in
            try sink.run(shouldStop: stop)
        }
        XCTAssertEqual(try broker.waitingErrors(broker: 1, api: .offsetCommit), 0, "the commits met the errors")
        XCTAssertEqual(committed, 5, "committed past the five rows, though nothing new came after them")
        XCTAssertEqual(sink.statistics.totalRows, 5)
    }
}

/// Set by one thread, read by another.
private final class Flag: @unchecked Sendable {  // unchecked: the lock guards `value`
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import XCTest

/// A consumer can stop reading some of its partitions for a while (the silver sink does, while too
/// many facts of them wait for their dimensions) without losing or repeating a message.
final class PauseTests: XCTestCase {
    func testAPausedPartitionDeliversNothingUntilResumedThenReadsOnWithoutAGapOrARepeat() throws {
        let broker = try EmbeddedBroker(topics: [testTopic("t.pause", partitions: 2)])
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection(broker)))
        for p: Int32 in [0, 1] {
            for i in 0..<300 { try producer.send(topic: "t.pause", key: nil, value: Array("p\(p)-\(i)".utf8), partition: p) }
        }
        try producer.flush()
        var config = ConsumerConfiguration(connection: connection(broker), groupId: uniqueGroup())
        config.membership = .sole
        // Small fetches: partition 0 has messages left on the broker when it is paused.
        config.connection.properties["max.partition.fetch.bytes"] = "1024"
        let consumer = try Consumer(configuration: config, topics: ["t.pause"])
        let zero = TopicPartition("t.pause", 0)

        var offsets: [Int32: [Int64]] = [0: [], 1: []]
        let deadline = ContinuousClock.now + .seconds(30)
        while offsets[0]!.count < 20, ContinuousClock.now < deadline {
            if let m = try consumer.poll(timeout: .milliseconds(100)) { offsets[m.partition]!.append(m.offset) }
        }
        XCTAssertGreaterThanOrEqual(offsets[0]!.count, 20)
        try consumer.pause([zero, TopicPartition("t.other", 0)])
        XCTAssertEqual(consumer.paused, [zero], "only an assigned partition is paused")
        let readBeforePause = offsets[0]!.count
        // Partition 1 is read to its end meanwhile; partition 0 gives nothing, prefetched or not.
        let quietUntil = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < quietUntil || offsets[1]!.count < 300, ContinuousClock.now < deadline {
            if let m = try consumer.poll(timeout: .milliseconds(100)) { offsets[m.partition]!.append(m.offset) }
        }
        XCTAssertEqual(offsets[0]!.count, readBeforePause, "nothing of a paused partition is delivered")
        XCTAssertEqual(offsets[1]!, Array(0..<300), "the other partition is read on")

        try consumer.resume([zero])
        XCTAssertEqual(consumer.paused, [])
        while offsets[0]!.count < 300, ContinuousClock.now < deadline {
            if let m = try consumer.poll(timeout: .milliseconds(100)) { offsets[m.partition]!.append(m.offset) }
        }
        XCTAssertEqual(offsets[0]!, Array(0..<300), "resumed where it stopped: no message skipped, none twice")
        XCTAssertNil(try consumer.poll(timeout: .milliseconds(300)))
        consumer.close()
    }

    /// A member that paused its partitions and loses them in a rebalance gets them back reading:
    /// librdkafka would keep them paused, and nobody would read them again.
    func testPartitionsPausedWhenRevokedComeBackUnpaused() throws {
        let broker = try EmbeddedBroker(topics: [testTopic("t.pause.group", partitions: 2)])
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection(broker)))
        for p: Int32 in [0, 1] {
            for i in 0..<50 { try producer.send(topic: "t.pause.group", key: nil, value: Array("p\(p)-\(i)".utf8), partition: p) }
        }
        try producer.flush()
        var config = ConsumerConfiguration(connection: connection(broker), groupId: uniqueGroup())
        config.connection.properties["session.timeout.ms"] = "4000"
        config.connection.properties["heartbeat.interval.ms"] = "500"
        let all: Set<TopicPartition> = [TopicPartition("t.pause.group", 0), TopicPartition("t.pause.group", 1)]
        let a = try Consumer(configuration: config, topics: ["t.pause.group"])
        var revoked = false
        a.onRebalance = { if case .revoked = $0 { revoked = true } }
        let deadline = ContinuousClock.now + .seconds(60)
        while a.assignment != all, ContinuousClock.now < deadline { _ = try a.poll(timeout: .milliseconds(100)) }
        XCTAssertEqual(a.assignment, all)
        try a.pause(all)
        XCTAssertEqual(a.paused, all)

        // A second member joins: the group takes the partitions back to share them out.
        let b = try Consumer(configuration: config, topics: ["t.pause.group"])
        while !revoked || a.assignment.isEmpty || b.assignment.isEmpty, ContinuousClock.now < deadline {
            _ = try a.poll(timeout: .milliseconds(50))
            _ = try b.poll(timeout: .milliseconds(50))
        }
        XCTAssertTrue(revoked)
        XCTAssertEqual(a.paused, [], "revoked partitions are no longer paused")
        b.close()

        // Alone again, the first member holds both and reads each to its end.
        var last: [Int32: Int64] = [:]
        while (last[0] ?? -1) < 49 || (last[1] ?? -1) < 49, ContinuousClock.now < deadline {
            if let m = try a.poll(timeout: .milliseconds(100)) { last[m.partition] = max(last[m.partition] ?? -1, m.offset) }
        }
        XCTAssertEqual(a.assignment, all)
        XCTAssertEqual(last, [0: 49, 1: 49], "both partitions read to their end")
        a.close()
    }
}

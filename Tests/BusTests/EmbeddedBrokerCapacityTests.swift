import Foundation
import ShopStreamBus
import ShopStreamCore
import TestSupport
import XCTest

/// The embedded broker holds `partitionCapacityBytes` a partition (librdkafka's mock cluster deletes
/// the oldest batches past it), and says which partitions lost events, so `run` can refuse to go on
/// instead of losing them silently.
final class EmbeddedBrokerCapacityTests: XCTestCase {
    func testAPartitionPastItsCapacityLosesItsOldestEventsAndSaysSo() throws {
        let started = Date()
        let broker = try EmbeddedBroker(topics: [testTopic("t.small", partitions: 1), testTopic("t.big", partitions: 2)])
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection(broker)))
        // Random bytes (lz4 cannot shrink them), 64 KiB each: 7 MiB into partition 0 of t.big, a
        // little into the others.
        let seed: UInt64 = 20_261_203
        print("seed \(seed)")
        var random = SplitMix64(seed: seed)
        let size = 64 * 1024, count = 7 * 1024 * 1024 / size
        for i in 0..<count {
            try producer.send(topic: "t.big", key: Array("k\(i)".utf8), value: random.bytes(size), partition: 0)
        }
        try producer.send(topic: "t.big", key: Array("k".utf8), value: Array("small".utf8), partition: 1)
        try producer.send(topic: "t.small", key: Array("k".utf8), value: Array("small".utf8), partition: 0)
        try producer.flush()
        XCTAssertEqual(producer.statistics.delivered, count + 2, "every event was acknowledged")

        let dropped = try broker.droppedMessages()
        XCTAssertEqual(Set(dropped.keys), [TopicPartition("t.big", 0)], "only the partition past its capacity lost events: \(dropped)")
        let lost = try XCTUnwrap(dropped[TopicPartition("t.big", 0)])
        let capacity = Int64(EmbeddedBroker.partitionCapacityBytes / size)
        XCTAssertGreaterThan(lost, 0)
        XCTAssertLessThanOrEqual(Int64(count) - lost, capacity, "what is left fits the capacity: \(lost) of \(count) lost")
        XCTAssertGreaterThanOrEqual(Int64(count) - lost, capacity - 16, "and little less: \(lost) of \(count) lost")
        // A reader from the start gets only what is left.
        let consumer = try Consumer(
            configuration: ConsumerConfiguration(connection: connection(broker), groupId: uniqueGroup()), topics: ["t.big"])
        defer { consumer.close() }
        let read = try consume(consumer, count: count + 1 - Int(lost))
        XCTAssertEqual(read.count, count + 1 - Int(lost), "a reader gets what is left")
        XCTAssertEqual(
            try consume(consumer, count: 1, timeout: .seconds(2)).count, 0, "and no more: it misses what droppedMessages() reports")
        print("EmbeddedBrokerCapacityTests: \(lost) of \(count) lost, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

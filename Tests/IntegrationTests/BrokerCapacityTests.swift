import Foundation
import ShopStreamBus
import ShopStreamCore
import TestSupport
import XCTest

/// `shopstream broker` says when it deletes events to stay within a partition's size (librdkafka's
/// mock cluster does so without a word), naming the partition and how many.
final class BrokerCapacityTests: XCTestCase {
    func testTheBrokerSaysWhichPartitionLostItsOldestEvents() throws {
        let started = Date()
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let producer = try Producer(configuration: ProducerConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrap)))
        // 7 MiB of random 64 KiB values (lz4 cannot shrink them) into one partition of shop.sales.
        let seed: UInt64 = 20_261_203
        print("seed \(seed)")
        var random = SplitMix64(seed: seed)
        for i in 0..<112 {
            try producer.send(topic: Entity.sales.topic, key: Array("k\(i)".utf8), value: random.bytes(64 * 1024), partition: 0)
        }
        try producer.flush()
        XCTAssertTrue(
            eventually(timeout: 30) { broker.stderr.contains("shop.sales[0]: the embedded broker deleted its oldest") },
            "the broker says so:\n\(broker.stderr.suffix(2000))")
        XCTAssertFalse(broker.stderr.contains("shop.sales[1]:"), "only the partition that lost events is named")
        print("BrokerCapacityTests: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

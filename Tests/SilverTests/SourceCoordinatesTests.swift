import XCTest

@testable import ShopStreamSilver

/// A message's id and insert id are the same text however they are written: the insert id is
/// what tells a replay from a duplicate, run after run.
final class SourceCoordinatesTests: XCTestCase {
    func testAKafkaMessageIsNamedByItsPartitionAndOffsetInDecimal() {
        let cases: [(Int32, Int64)] = [
            (0, 0), (3, 1024), (9, 9), (10, 10), (5, 99_999), (Int32.max, Int64.max), (-1, -1), (Int32.min, Int64.min), (7, 1_000_000_000),
        ]
        for (partition, offset) in cases {
            let c = SourceCoordinates.kafka(topic: "shop.sales", partition: partition, offset: offset)
            XCTAssertEqual(c.messageId, "\(partition):\(offset)")
            XCTAssertEqual(c.insertId, "shop.sales:\(partition):\(offset)")
        }
    }

    func testAPubSubMessageIsNamedByItsTopicAndMessageId() {
        for (topic, id) in [
            ("shop.sales", "4711"), ("shop.pagos", "ü-ß-日本"), ("", ""), ("shop.customers", String(repeating: "9", count: 200)),
        ] {
            let c = SourceCoordinates.pubSub(topic: topic, messageId: id, publishTimeMs: nil, deliveryAttempt: nil)
            XCTAssertEqual(c.insertId, topic + ":" + id)
            XCTAssertEqual(c.insertId.utf8.count, topic.utf8.count + 1 + id.utf8.count)
        }
    }
}

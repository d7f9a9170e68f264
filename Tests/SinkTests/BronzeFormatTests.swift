import Foundation
import ShopStreamSinks
import XCTest

final class BronzeFormatTests: XCTestCase {
    func testObjectNamesCarryTheirKafkaCoordinatesAndParseBack() {
        let name = BronzeFormat.objectName(topic: "shop.sales", partition: 3, firstOffset: 1024, dt: "2025-03-14", gzip: true)
        XCTAssertEqual(name, "bronze/sales/dt=2025-03-14/shop.sales+3+00000000000000001024.jsonl.gz")
        let parsed = BronzeFormat.parse(name)
        XCTAssertEqual(parsed?.topic, "shop.sales")
        XCTAssertEqual(parsed?.partition, 3)
        XCTAssertEqual(parsed?.firstOffset, 1024)
        XCTAssertEqual(parsed?.dt, "2025-03-14")
        XCTAssertEqual(parsed?.gzip, true)
        XCTAssertNil(BronzeFormat.parse("bronze/sales/shop.sales+3+1.jsonl"))
    }

    /// Pub/Sub names sort by publish time as Kafka's do by offset: the milliseconds zero-padded to 13 digits.
    func testPubSubObjectNamesCarryTheirFirstMessageAndParseBack() {
        let name = BronzeFormat.pubSubObjectName(
            topic: "shop.sales", firstPublishMs: 987_654_321, firstMessageId: "4711", dt: "2025-03-14", gzip: false)
        XCTAssertEqual(name, "bronze/sales/dt=2025-03-14/shop.sales+0000987654321+4711.jsonl")
        let parsed = BronzeFormat.parsePubSub(name)
        XCTAssertEqual(parsed?.topic, "shop.sales")
        XCTAssertEqual(parsed?.firstPublishMs, 987_654_321)
        XCTAssertEqual(parsed?.firstMessageId, "4711")
        XCTAssertEqual(parsed?.gzip, false)
    }

    func testRecordDatesAreUTCCalendarDays() {
        XCTAssertEqual(BronzeFormat.utcDate(milliseconds: 0), "1970-01-01")
        XCTAssertEqual(BronzeFormat.utcDate(milliseconds: 1_735_689_599_999), "2024-12-31")
        XCTAssertEqual(BronzeFormat.utcDate(milliseconds: 1_735_689_600_000), "2025-01-01")
        XCTAssertEqual(BronzeFormat.utcDate(milliseconds: 1_709_164_800_000), "2024-02-29")
        XCTAssertEqual(BronzeFormat.utcDate(milliseconds: -1), "1969-12-31")
    }
}

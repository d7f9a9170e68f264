import Foundation
import ShopStreamBus
import ShopStreamSilver
import XCTest

@testable import ShopStreamSinks

final class DeadLetterTests: XCTestCase {
    /// The worst letter: the largest value the validator reads, all of it bytes JSON escapes six-fold.
    func testTheLetterOfAnyRejectedValueFitsAKafkaMessage() throws {
        let value = [UInt8](repeating: 0x01, count: 1 << 20)
        let (payload, reason) = DeadLetter.bounded(
            value, reason: "(root): " + String(repeating: "r", count: 992), source: "shop.sales+3+1024")
        XCTAssertEqual(payload, Array(value.prefix(DeadLetter.maxPayloadBytes)))
        XCTAssertEqual(reason.count, 1000, "the dead-letter schema's limit")
        XCTAssert(
            reason.hasSuffix("… [payload cut to its first 100,000 of 1,048,576 bytes; the record is whole at shop.sales+3+1024]"), reason)
        let letter = DeadLetter(
            source: .kafka(topic: "shop.sales", partition: 3, offset: 1024), reason: reason, field: nil, payload: payload,
            headers: [KafkaHeader("trace", "t")], rejectedAt: "2025-06-01T00:00:00.000000Z")
        XCTAssertLessThan(letter.envelope().count, 1_000_000, "librdkafka's default message.max.bytes")
    }

    func testAPayloadIsCutBetweenCharactersAndShortOnesAreKept() {
        let text = Array((String(repeating: "a", count: DeadLetter.maxPayloadBytes - 1) + "ü" + "tail").utf8)  // ü straddles the limit
        let (payload, reason) = DeadLetter.bounded(text, reason: "promotion: too long", source: "shop.sales+0+7")
        XCTAssertEqual(payload.count, DeadLetter.maxPayloadBytes - 1, "the whole ü or none of it")
        XCTAssertNotNil(String(validating: payload, as: UTF8.self), "still text, so still payload_encoding utf-8")
        XCTAssertEqual(
            reason, "promotion: too long [payload cut to its first 99,999 of 100,005 bytes; the record is whole at shop.sales+0+7]")
        let small = Array("{}".utf8)
        XCTAssert(DeadLetter.bounded(small, reason: "r", source: "s") == (small, "r"))
    }
}

import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSilver

final class CastingTests: XCTestCase {
    func testASaleBecomesExactlyTypedValues() {
        guard let sale = accepted(Samples.first(.sales), .sales) else { return }
        XCTAssertEqual(
            sale.values,
            [
                "event_id": .string("c13daa42-3921-4776-af06-ac81984a63a3"),
                "event_time": .timestamp("2025-03-20T19:01:38.974000Z"),  // 00:01 in Karachi is the evening before in UTC
                "sale_id": .string("SAL-0000037339"),
                "sale_date": .date("2025-03-21"),  // the business day, as published
                "customer_id": .string("CUS-00000568"),
                "product_id": .string("PRD-0035"),
                "store_id": .string("STR-17"),
                "salesperson": .string("Umar Anwar"),
                "channel": .string("WhatsApp"),
                "quantity": .int64(1),
                "unit_price": .numeric("2299.00"),
                "discount": .numeric("340.00"),
                "promotion": .string("Ramadan Offer"),
                "total_price": .numeric("1959.00"),
            ])
    }

    func testTimestampsAreConvertedToUTCWithMicroseconds() {
        let customer = Samples.first(.customers)
        let cases = [
            "2025-01-01T20:15:00.123+05:00": "2025-01-01T15:15:00.123000Z",
            "2025-01-01T03:00:00.000+05:00": "2024-12-31T22:00:00.000000Z",  // across a year
            "2025-01-01T00:30:00.000-02:30": "2025-01-01T03:00:00.000000Z",
            "2024-02-29T23:59:59.999Z": "2024-02-29T23:59:59.999000Z",
            "2025-03-01T02:00:00.500+05:00": "2025-02-28T21:00:00.500000Z",  // back over a month end
        ]
        for (written, utc) in cases {
            XCTAssertEqual(accepted(with(customer, "event_time", "\"\(written)\""), .customers)?["event_time"], .timestamp(utc), written)
        }
    }

    func testMoneyKeepsItsDigitsWithTwoDecimals() {
        let product = Samples.first(.products)
        let cases = [
            "74999.00": "74999.00", "74999": "74999.00", "74999.5": "74999.50", "7.4999e4": "74999.00",
            "0.1": "0.10", "0": "0.00", "0.05": "0.05", "99999999.99": "99999999.99", "1E-2": "0.01",
        ]
        for (written, stored) in cases {
            XCTAssertEqual(accepted(with(product, "base_price", written), .products)?["base_price"], .numeric(stored), written)
        }
    }

    func testNullsBooleansDatesAndIntegers() {
        guard let lost = accepted(Samples.shipping[3], .shipping), let pending = accepted(Samples.payments[1], .payments),
            let refunded = accepted(Samples.payments[3], .payments)
        else { return }
        XCTAssertEqual(lost["delivered_date"], .null)
        XCTAssertEqual(lost["damaged"], .bool(false))
        XCTAssertEqual(lost["delay_days"], .int64(10))
        XCTAssertEqual(lost["shipped_date"], .date("2025-01-04"))
        XCTAssertEqual(pending["paid_at"], .null)
        XCTAssertEqual(refunded["paid_at"], .timestamp("2025-01-06T06:28:54.168000Z"))
        XCTAssertEqual(refunded["amount"], .numeric("2998.00"))
        XCTAssertEqual(accepted(with(Samples.shipping[0], "damaged", "true"), .shipping)?["damaged"], .bool(true))
    }

    func testValuesTheColumnCannotHoldAreRejected() {
        let customer = Samples.first(.customers)
        // Past the schema's maximum 90 anyway, but the cast must not trap on a huge integer either.
        let inventory = Samples.first(.inventory)
        let r = rejected(Array(with(inventory, "stock_level", "92233720368547758070").utf8), .inventory)
        XCTAssertEqual(r?.reason, "stock_level: 92233720368547758070 does not fit in INT64")
        XCTAssertEqual(r?.violations.first?.rule, .cast)
        let tooLarge = rejected(Array(with(customer, "age", "1e99999").utf8), .customers)
        XCTAssertEqual(tooLarge?.violations.first?.rule, .cast)
    }

    func testARowCarriesItsKafkaCoordinates() {
        guard let sale = accepted(Samples.first(.sales), .sales) else { return }
        let ingested = Date(timeIntervalSince1970: 1_748_736_000.123456)
        let source = SourceCoordinates.kafka(topic: "shop.sales", partition: 3, offset: 1024, timestampMs: 1_748_735_999_250)
        let row = SilverRow.make(entity: .sales, event: sale, source: source, ingestedAt: ingested, insertId: source.insertId)
        XCTAssertEqual(row.insertId, "shop.sales:3:1024")
        XCTAssertEqual(row.values["_source_topic"], .string("shop.sales"))
        XCTAssertEqual(row.values["_source_partition"], .int64(3))
        XCTAssertEqual(row.values["_source_offset"], .int64(1024))
        XCTAssertEqual(row.values["_source_message_id"], .string("3:1024"))
        XCTAssertEqual(row.values["_source_publish_time"], .timestamp("2025-05-31T23:59:59.250000Z"))
        XCTAssertEqual(row.values["_source_delivery_attempt"], .null)
        XCTAssertEqual(row.values["_insert_id"], .string("shop.sales:3:1024"))
        XCTAssertEqual(row.values["_ingested_at"], .timestamp("2025-06-01T00:00:00.123456Z"))
        XCTAssertEqual(Set(row.values.keys), Set(silverSchema.table(for: .sales).columns.map(\.name)))
        XCTAssertEqual(row.values["total_price"], .numeric("1959.00"))
        // The same record without a broker timestamp, as the older overload makes it.
        let plain = SilverRow.make(entity: .sales, event: sale, topic: "shop.sales", partition: 3, offset: 1024, ingestedAt: ingested)
        XCTAssertEqual(plain.insertId, row.insertId)
        XCTAssertEqual(plain.values["_source_publish_time"], .null)
    }

    func testARowCarriesItsPubSubCoordinates() {
        guard let sale = accepted(Samples.first(.sales), .sales) else { return }
        let source = SourceCoordinates.pubSub(topic: "shop.sales", messageId: "4711", publishTimeMs: 1_748_736_000_000, deliveryAttempt: 2)
        let row = SilverRow.make(entity: .sales, event: sale, source: source, ingestedAt: testNow, insertId: source.insertId)
        // A redelivery of message 4711 is the same row under the same insert id.
        XCTAssertEqual(row.insertId, "shop.sales:4711")
        XCTAssertEqual(row.values["_source_topic"], .string("shop.sales"))
        XCTAssertEqual(row.values["_source_partition"], .null)
        XCTAssertEqual(row.values["_source_offset"], .null)
        XCTAssertEqual(row.values["_source_message_id"], .string("4711"))
        XCTAssertEqual(row.values["_source_publish_time"], .timestamp("2025-06-01T00:00:00.000000Z"))
        XCTAssertEqual(row.values["_source_delivery_attempt"], .int64(2))
        XCTAssertEqual(source.key, "shop.sales+4711")
    }

    func testARejectKeepsThePayloadAsTextOrBase64() {
        let bytes: [UInt8] = Array("{\"quantity\":0}".utf8)
        let rejection = Rejection(Violation(field: "quantity", rule: .minimum, value: "0", message: "0 is below the minimum 1"))
        let row = SilverRow.reject(topic: "shop.sales", partition: 1, offset: 7, payload: bytes, rejection: rejection, rejectedAt: testNow)
        XCTAssertEqual(row.insertId, "shop.sales:1:7")
        XCTAssertEqual(
            row.values,
            [
                "source_topic": .string("shop.sales"), "source_partition": .int64(1), "source_offset": .int64(7),
                "source_message_id": .string("1:7"), "source_publish_time": .null, "source_delivery_attempt": .null,
                "reason": .string("quantity: 0 is below the minimum 1"), "field": .string("quantity"),
                "payload": .string("{\"quantity\":0}"), "payload_encoding": .string("utf-8"),
                "rejected_at": .timestamp("2025-06-01T00:00:00.000000Z"), "_insert_id": .string("shop.sales:1:7"),
            ])
        XCTAssertEqual(Set(row.values.keys), Set(SilverSchema.rejects.columns.map(\.name)))

        let binary = SilverRow.reject(
            source: .pubSub(topic: "shop.sales", messageId: "88", publishTimeMs: nil, deliveryAttempt: nil), payload: [0xFF, 0x00, 0x41],
            reason: "(root): not valid UTF-8 (byte 0)", field: nil, rejectedAt: testNow)
        XCTAssertEqual(binary.values["payload"], .string("/wBB"))
        XCTAssertEqual(binary.values["payload_encoding"], .string("base64"))
        XCTAssertEqual(binary.values["field"], .null)
        XCTAssertEqual(binary.values["source_partition"], .null)
        XCTAssertEqual(binary.values["source_message_id"], .string("88"))
    }
}

import Foundation
import ShopStreamCore
import XCTest

@testable import ShopStreamSilver

/// What a record says beside its value (its key, its headers) is held against the value: a claim
/// that is false refuses the record, with the field it contradicts.
final class RecordTests: XCTestCase {
    private func check(
        _ json: String, _ entity: Entity, key: String?, headers: [(String, [UInt8])] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) -> Violation? {
        guard let event = accepted(json, entity, file: file, line: line) else { return nil }
        return validator.checkRecord(
            key: key.map { Array($0.utf8) }, headers: headers.map { (name: $0.0, value: $0.1) }, of: event, now: testNow)
    }

    private func header(_ name: String, _ value: String) -> (String, [UInt8]) { (name, Array(value.utf8)) }

    func testTheKeyIsTheValuesKeyField() {
        let sale = Samples.first(.sales)  // SAL-0000037339
        XCTAssertNil(check(sale, .sales, key: "SAL-0000037339"))
        let other = check(sale, .sales, key: "SAL-0000037340")
        XCTAssertEqual(other?.field, "sale_id")
        XCTAssertEqual(other?.rule, .key)
        XCTAssertEqual(
            other?.description,
            #"sale_id: "SAL-0000037339" is not the record key: the record key is "SAL-0000037340" (shop.sales is keyed by sale_id)"#)
        XCTAssertEqual(
            check(sale, .sales, key: nil)?.description,
            #"sale_id: "SAL-0000037339" is not the record key: the record has no key (shop.sales is keyed by sale_id)"#)
        XCTAssertEqual(check(sale, .sales, key: "")?.rule, .key, "an empty key is not the id")
        XCTAssertEqual(check(sale, .sales, key: "SAL-0000037339 ")?.rule, .key, "nor is the id with a space")

        // Payments and shipments are keyed by their sale, so they share its partition.
        let payment = Samples.first(.payments)  // PAY-0000000001 of SAL-0000000001
        XCTAssertNil(check(payment, .payments, key: "SAL-0000000001"))
        let byOwnId = check(payment, .payments, key: "PAY-0000000001")
        XCTAssertEqual(byOwnId?.field, "sale_id")
        XCTAssertEqual(byOwnId?.rule, .key)
        XCTAssertNil(check(Samples.first(.inventory), .inventory, key: "STR-01:PRD-0001"))
        XCTAssertEqual(check(Samples.first(.inventory), .inventory, key: "STR-01")?.field, "inventory_id")
    }

    func testAContentTypeHeaderMustSayJSONInUTF8() {
        let sale = Samples.first(.sales), key = "SAL-0000037339"
        for truthful in [
            "application/json", "Application/JSON; charset=UTF-8", "application/json;charset=\"utf-8\"",
            "application/vnd.shopstream.sale+json",
        ] {
            XCTAssertNil(check(sale, .sales, key: key, headers: [header("content-type", truthful)]), truthful)
        }
        XCTAssertNil(check(sale, .sales, key: key, headers: [header("Content-Type", "application/json")]), "the name in any case")
        let avro = check(sale, .sales, key: key, headers: [header("content-type", "application/avro")])
        XCTAssertEqual(avro?.field, "header:content-type")
        XCTAssertEqual(avro?.rule, .header)
        XCTAssertEqual(
            avro?.description, #"header:content-type: "application/avro" says the value is not JSON; it is JSON (application/json)"#)
        XCTAssertEqual(check(sale, .sales, key: key, headers: [header("Content-Type", "text/plain")])?.field, "header:Content-Type")
        XCTAssertEqual(
            check(sale, .sales, key: key, headers: [header("content-type", "application/json; charset=utf-16")])?.description,
            #"header:content-type: "application/json; charset=utf-16" says the value is in utf-16; it is UTF-8"#)
        XCTAssertEqual(check(sale, .sales, key: key, headers: [("content-type", [0xFF, 0xFE])])?.rule, .header)
        XCTAssertEqual(
            check(
                sale, .sales, key: key, headers: [header("content-type", "application/json"), header("content-type", "application/xml")])?
                .rule,
            .header, "every content-type must tell the truth")
    }

    func testTheSendTimeHeaderIsOnePlausibleInstant() {
        let sale = Samples.first(.sales), key = "SAL-0000037339"
        let nowMs = Int64(testNow.timeIntervalSince1970 * 1000)
        XCTAssertNil(check(sale, .sales, key: key, headers: [header(SentAt.header, String(nowMs))]))
        XCTAssertNil(
            check(sale, .sales, key: key, headers: [header(SentAt.header, String(nowMs + 86_400_000))]), "a day ahead: the tolerance")
        XCTAssertNil(
            check(sale, .sales, key: key, headers: [header("trace", "anything"), header("shopstream-other", "x")]),
            "other headers claim nothing")
        for lie in ["", "yesterday", "-5", "1.5e12", "+1748736000000", "17487360000000000000", " 1748736000000"] {
            let v = check(sale, .sales, key: key, headers: [header(SentAt.header, lie)])
            XCTAssertEqual(v?.field, "header:shopstream-sent-at", lie)
            XCTAssertEqual(v?.rule, .header, lie)
            XCTAssert(v?.message.hasSuffix("is not whole milliseconds since 1970") ?? false, "\(lie): \(v?.message ?? "accepted")")
        }
        XCTAssertEqual(
            check(sale, .sales, key: key, headers: [header(SentAt.header, String(nowMs + 86_400_001))])?.message,
            #""1748822400001" (2025-06-02T00:00:00.001000Z) is more than 1 day in the future (now 2025-06-01T00:00:00.000000Z)"#)
        XCTAssertEqual(
            check(sale, .sales, key: key, headers: [header(SentAt.header, "0")])?.message,
            #""0" (1970-01-01T00:00:00.000000Z) is before 2000-01-01T00:00:00.000000Z"#)
        XCTAssertEqual(
            check(sale, .sales, key: key, headers: [header(SentAt.header, String(nowMs)), header(SentAt.header, String(nowMs))])?
                .description,
            "header:shopstream-sent-at: appears more than once; a record is sent once")
    }

    func testTheKeyFieldMustBeARequiredString() {
        var definitions = catalog.definitions
        let i = definitions.firstIndex { $0.name == Entity.sales.topic }!
        definitions[i].key.field = "quantity"
        XCTAssertThrowsError(try SilverSchema(definitions: definitions)) { error in
            XCTAssertEqual(
                (error as? SilverError)?.message, "shop.sales: the key field quantity must be a required string field of value_schema")
        }
    }
}

import ShopStreamCore
import ShopStreamGenerator
import XCTest

final class EventContractTests: XCTestCase {
    /// Eleven days of December-to-January at the small config: every kind of event.
    private static let sample: [Event] = try! collect(smallConfig(start: SimDate(year: 2025, month: 11, day: 24)), days: 11)

    func testTotalPriceIsQuantityTimesUnitPriceMinusDiscountExactly() throws {
        var checked = 0
        for event in Self.sample where event.entity == .sales {
            let e = try event.json
            let expected = Int64(e["quantity"].int) * e["unit_price"].paisa - e["discount"].paisa
            XCTAssertEqual(e["total_price"].paisa, expected, e["sale_id"].string)
            XCTAssertGreaterThanOrEqual(e["discount"].paisa, 0)
            XCTAssertLessThanOrEqual(e["discount"].paisa, Int64(e["quantity"].int) * e["unit_price"].paisa)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1_000)
    }

    func testTheMessageKeyIsTheTopicsDeclaredKeyField() throws {
        let topics = try loadEntityTopics()
        for event in Self.sample {
            let field = topics[event.entity]!.key.field
            XCTAssertEqual(event.keyString, try event.json[field].string, "\(event.entity) key")
        }
    }

    func testTheRecordTimestampIsTheEventTime() throws {
        for event in Self.sample.prefix(20_000) {
            let time = try event.json["event_time"].string
            let day = SimDate(String(time.prefix(10)))!
            // Shop-local time with its offset (+05:00, Pakistan); the record timestamp is the same instant.
            XCTAssertTrue(time.hasSuffix("+05:00"), time)
            let parts = time.dropFirst(11).dropLast(6).split(whereSeparator: { $0 == ":" || $0 == "." }).map { Int64($0)! }
            let ms = day.epochMilliseconds + ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000 + parts[3] - 5 * 3_600_000
            XCTAssertEqual(event.timestampMs, ms, time)
        }
    }

    func testEverySaleIsPaidForByTheMeansItsChannelAllows() throws {
        var payments: [String: [JSON]] = [:]
        var channels: [String: String] = [:]
        for event in Self.sample {
            let e = try event.json
            if event.entity == .sales { channels[e["sale_id"].string] = e["channel"].string }
            if event.entity == .payments { payments[e["sale_id"].string, default: []].append(e) }
        }
        for (sale, channel) in channels {
            let list = payments[sale] ?? []
            let statuses = list.map { $0["status"].string }
            let methods = Set(list.map { $0["payment_method"].string })
            XCTAssertFalse(list.isEmpty, "\(sale) has no payment")
            XCTAssertLessThanOrEqual(statuses.filter { $0 == "Failed" }.count, 2, sale)
            if channel == "In-Store" {
                XCTAssertFalse(methods.contains("Cash on Delivery"), sale)
                XCTAssertEqual(statuses.last, "Completed", sale)
            } else {
                XCTAssertFalse(methods.contains("Cash"), sale)
            }
            for p in list {
                // paid_at is set exactly when money moved.
                XCTAssertEqual(p["paid_at"] != .null, ["Completed", "Refunded"].contains(p["status"].string), sale)
            }
        }
    }

    func testShipmentsOnlyForOffStoreSalesWithConsistentDates() throws {
        var channels: [String: String] = [:]
        var shipments = 0
        for event in Self.sample {
            let e = try event.json
            if event.entity == .sales { channels[e["sale_id"].string] = e["channel"].string }
            guard event.entity == .shipping else { continue }
            shipments += 1
            XCTAssertNotEqual(channels[e["sale_id"].string], "In-Store")
            let shipped = e["shipped_date"].string, expected = e["expected_delivery_date"].string
            XCTAssertLessThan(shipped, expected)
            XCTAssertLessThanOrEqual(shipped, e["event_time"].string)
            switch e["delivery_status"].string {
            case "Delivered":
                XCTAssertEqual(e["delay_days"].int, 0)
                XCTAssertLessThanOrEqual(e["delivered_date"].string, expected)
            case "Delayed":
                XCTAssertGreaterThan(e["delay_days"].int, 0)
                XCTAssertGreaterThan(e["delivered_date"].string, expected)
            default:
                XCTAssertEqual(e["delivered_date"], .null)
            }
        }
        XCTAssertGreaterThan(shipments, 200)
    }
}

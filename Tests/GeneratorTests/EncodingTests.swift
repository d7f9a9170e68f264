import XCTest

@testable import ShopStreamGenerator

final class EncodingTests: XCTestCase {
    private func written(_ body: (inout EventBuffer) -> Void) -> String {
        var buffer = EventBuffer(capacity: 64)
        buffer.beginEvent()
        body(&buffer)
        return String(decoding: UnsafeBufferPointer(start: buffer.base, count: buffer.count), as: UTF8.self)
    }

    func testMoneyIsWrittenInRupeesWithExactlyTwoDecimals() {
        XCTAssertEqual(written { $0.money(paisa: 7_499_900) }, "74999.00")
        XCTAssertEqual(written { $0.money(paisa: 5) }, "0.05")
        XCTAssertEqual(written { $0.money(paisa: 0) }, "0.00")
        XCTAssertEqual(written { $0.money(paisa: 123_456_789_012) }, "1234567890.12")
    }

    func testIntegersAndPaddedIds() {
        for v in [0, 7, 10, 99, 100, 12_345, 9_876_543_210] { XCTAssertEqual(written { $0.uint(v) }, String(v)) }
        XCTAssertEqual(written { $0.padded(42, width: 10) }, "0000000042")
    }

    func testTimestampsAreRFC3339ShopLocalTimeWithMillisecondsAndTheirOffset() {
        let day = SimDate(year: 2025, month: 3, day: 14).daysSinceEpoch
        let ms = ((9 * 60 + 41) * 60 + 7) * 1000 + 123
        XCTAssertEqual(written { $0.timestamp(dayText: DayText(day: day), msOfDay: ms) }, "2025-03-14T09:41:07.123+05:00")
        XCTAssertEqual(written { $0.timestamp(dayText: DayText(day: day), msOfDay: 86_399_999) }, "2025-03-14T23:59:59.999+05:00")
        XCTAssertEqual(written { $0.date(SimDate(year: 2028, month: 2, day: 29).daysSinceEpoch) }, "2028-02-29")
    }

    func testEventIdsHaveTheUUIDVersion4Layout() {
        let id = written { $0.uuid(.max, .max) }
        XCTAssertEqual(id, "ffffffff-ffff-4fff-bfff-ffffffffffff")
        XCTAssertEqual(written { $0.uuid(0, 0) }, "00000000-0000-4000-8000-000000000000")
    }

    func testTextIsEscapedForJSON() {
        var out: [UInt8] = []
        JSONEscaping.appendEscaped("a\"b\\c\nd\u{1}é", to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "a\\\"b\\\\c\\nd\\u0001é")
    }

    func testSimDateCalendarArithmetic() {
        XCTAssertEqual(SimDate(year: 1970, month: 1, day: 1).daysSinceEpoch, 0)
        XCTAssertEqual(SimDate(year: 2025, month: 1, day: 1).weekday, 3, "a Wednesday")
        XCTAssertEqual(SimDate("2024-02-29")?.adding(days: 1).description, "2024-03-01")
        XCTAssertNil(SimDate("2025-02-29"))
        XCTAssertNil(SimDate("2025-1-01"))
        XCTAssertEqual(BusinessCalendar.whiteFriday(year: 2025), SimDate(year: 2025, month: 11, day: 28))
        XCTAssertEqual(BusinessCalendar.whiteFriday(year: 2026), SimDate(year: 2026, month: 11, day: 27))
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let c = CivilDate(days)
            XCTAssertEqual(CivilDate.days(year: c.year, month: c.month, day: c.day), days)
        }
    }

    func testInvalidConfigurationsAreExplained() {
        var config = SimulationConfig()
        config.initialCustomers = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertTrue("\($0)".contains("initialCustomers")) }
        config = SimulationConfig(startDate: SimDate(year: 2019, month: 5, day: 1))
        XCTAssertThrowsError(try config.validate())
        XCTAssertNoThrow(try SimulationConfig().validate())
    }
}

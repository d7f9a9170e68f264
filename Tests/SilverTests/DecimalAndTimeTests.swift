import XCTest

@testable import ShopStreamSilver

final class DecimalAndTimeTests: XCTestCase {
    func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

    func testDecimalsCompareByValueNotByText() {
        XCTAssertEqual(d("0.10"), d("0.1"))
        XCTAssertEqual(d("1e2"), d("100"))
        XCTAssertEqual(d("-0.0"), d("0"))
        XCTAssertLessThan(d("-1"), d("0"))
        XCTAssertLessThan(d("-2"), d("-1.5"))
        XCTAssertLessThan(d("74999.004"), d("74999.005"))
        XCTAssertLessThan(d("9.99"), d("10"))
        XCTAssertLessThan(d("0.05"), d("0.5"))
        XCTAssertNil(ExactDecimal("1e10001"))
        XCTAssertNil(ExactDecimal("abc"))
    }

    func testMultipleOfIsDecidedOnTheDigits() {
        let cent = d("0.01")
        XCTAssert(d("74999.00").isMultiple(of: cent))
        XCTAssert(d("1e-2").isMultiple(of: cent))
        XCTAssertFalse(d("74999.005").isMultiple(of: cent))
        XCTAssertFalse(d("0.001").isMultiple(of: cent))
        XCTAssert(d("15").isMultiple(of: d("5")))
        XCTAssert(d("1.5e1").isMultiple(of: d("5")))
        XCTAssertFalse(d("12").isMultiple(of: d("5")))
        XCTAssert(d("0.75").isMultiple(of: d("0.25")))
        XCTAssertFalse(d("0.8").isMultiple(of: d("0.25")))
        XCTAssert(d("0").isMultiple(of: d("7")))
    }

    func testIntegersAndScaledIntegers() {
        XCTAssertEqual(d("9223372036854775807").int64, Int64.max)
        XCTAssertNil(d("9223372036854775808").int64)
        XCTAssertEqual(d("-9223372036854775808").int64, Int64.min)
        XCTAssertEqual(d("1.0").int64, 1)
        XCTAssertNil(d("1.5").int64)
        XCTAssertEqual(d("74999.00").scaled(by: 2), 7_499_900)
        XCTAssertEqual(d("0.05").scaled(by: 2), 5)
        XCTAssertEqual(d("0.05").text(scale: 2), "0.05")
        XCTAssertEqual(d("-3.5").text(scale: 2), "-3.50")
    }

    func testCalendarDates() {
        XCTAssertEqual(CivilTime.days(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CivilTime.days(year: 2000, month: 3, day: 1) - CivilTime.days(year: 2000, month: 2, day: 28), 2)
        XCTAssertEqual(try CivilTime.parseDate("2024-02-29").get(), CivilTime.days(year: 2024, month: 2, day: 29))
        for bad in ["2025-02-29", "1900-02-29", "2025-04-31", "2025-00-10", "0000-01-01", "2025-1-01", "2025/01/01"] {
            XCTAssertThrowsError(try CivilTime.parseDate(bad).get(), bad)
        }
        XCTAssertNoThrow(try CivilTime.parseDate("2000-02-29").get())
        for day in stride(from: -800_000, through: 2_900_000, by: 997) {
            let c = CivilTime.civil(days: day)
            XCTAssertEqual(CivilTime.days(year: c.year, month: c.month, day: c.day), day)
        }
    }

    func testDateTimes() throws {
        let t = try CivilTime.parseDateTime("2025-01-01T20:15:00.123+05:00").get()
        XCTAssertEqual(CivilTime.timestampText(utcMicros: t.utcMicros), "2025-01-01T15:15:00.123000Z")
        XCTAssertEqual(t.writtenDay, CivilTime.days(year: 2025, month: 1, day: 1))
        XCTAssertEqual(CivilTime.timestampText(utcMicros: -1), "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(try CivilTime.parseDateTime("2025-01-01t00:00:00z").get().utcMicros, 1_735_689_600_000_000)
        XCTAssertTrue(try CivilTime.parseDateTime("2025-01-01T00:00:00.0000001Z").get().subMicrosecond)
        XCTAssertFalse(try CivilTime.parseDateTime("2025-01-01T00:00:00.123456000Z").get().subMicrosecond)
        for bad in [
            "2025-01-01T00:00:60Z", "2025-01-01T00:60:00Z", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00+0500", "2025-01-01T00:00:00+24:00", "2025-01-01T00:00:00Zjunk",
        ] {
            XCTAssertThrowsError(try CivilTime.parseDateTime(bad).get(), bad)
        }
    }
}

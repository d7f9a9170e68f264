import ShopStreamCore
import ShopStreamGenerator
import XCTest

/// The rhythms a dashboard over a year of 2025 should show.
final class BusinessPatternTests: XCTestCase {
    private var year: YearOfSales { YearOfSales.shared }
    private func d(_ month: Int, _ day: Int) -> SimDate { SimDate(year: 2025, month: month, day: day) }

    func testWhiteFridayWeekSellsOverOneAndAHalfTimesAnOrdinaryNovemberWeek() {
        // White Friday 2025 is 28 November; its promotions run Monday 24th to Monday 1st.
        let whiteFridayWeek = year.meanSales(d(11, 24), d(12, 1))
        let ordinaryWeek = year.meanSales(d(11, 14), d(11, 20))
        XCTAssertGreaterThan(whiteFridayWeek, 1.5 * ordinaryWeek)
        XCTAssertEqual(year.sales(on: d(11, 28)), (year.salesPerDay.max())!, "White Friday is the busiest day of the year")
    }

    func testElevenElevenIsABusyDay() {
        XCTAssertGreaterThan(Double(year.sales(on: d(11, 11))), 2 * year.meanSales(d(11, 14), d(11, 20)))
    }

    func testRamadansLastTenDaysAndEidSellMoreThanTheWeeksBefore() {
        let before = year.meanSales(d(2, 6), d(2, 26))
        XCTAssertGreaterThan(year.meanSales(d(3, 21), d(3, 29)), 1.2 * before, "last ten nights of Ramadan")
        XCTAssertGreaterThan(Double(year.sales(on: d(3, 30))), 1.8 * before, "Chand Raat")
        XCTAssertGreaterThan(year.meanSales(d(3, 31), d(4, 2)), 1.2 * before, "Eid ul Fitr")
        XCTAssertGreaterThan(year.meanSales(d(6, 7), d(6, 9)), 1.1 * year.meanSales(d(5, 12), d(5, 25)), "Eid ul Adha")
    }

    func testPaydaysSellMoreThanMidMonth() {
        var payday = 0, paydays = 0, mid = 0, mids = 0
        for (i, sales) in year.salesPerDay.enumerated() {
            let date = year.start.adding(days: i)
            if date.month == 3 || date.month == 11 { continue }  // festivals would blur the comparison
            if date.day <= 5 { payday += sales; paydays += 1 }
            if (12...20).contains(date.day) { mid += sales; mids += 1 }
        }
        XCTAssertGreaterThan(Double(payday) / Double(paydays), 1.15 * Double(mid) / Double(mids))
    }

    func testWeekendsAndFridaysSellMoreThanMidweek() {
        var byWeekday = [Int](repeating: 0, count: 8)
        for (i, sales) in year.salesPerDay.enumerated() { byWeekday[year.start.adding(days: i).weekday] += sales }
        XCTAssertGreaterThan(byWeekday[6] + byWeekday[7], Int(1.2 * Double(byWeekday[2] + byWeekday[3])))
        XCTAssertGreaterThan(byWeekday[5], byWeekday[2])
    }

    func testEveningsAreBusierThanMornings() {
        let evening = year.salesPerHour[18...21].reduce(0, +)
        let morning = year.salesPerHour[7...10].reduce(0, +)
        XCTAssertGreaterThan(evening, 2 * morning)
        XCTAssertLessThan(year.salesPerHour[4], year.salesPerHour[20] / 10)
    }

    func testTheCustomerBaseGrows() {
        let first = year.customersAtEndOfDay.first!, last = year.customersAtEndOfDay.last!
        XCTAssertGreaterThan(last, first + 800)
        XCTAssertEqual(year.customersAtEndOfDay, year.customersAtEndOfDay.sorted())
        XCTAssertGreaterThan(year.meanSales(d(12, 2), d(12, 22)), year.meanSales(d(1, 8), d(1, 28)), "more customers, more sales")
    }

    func testPromotionDaysDiscountDeeperThanOrdinaryDays() {
        func rate(_ first: SimDate, _ last: SimDate) -> Double {
            let range = (first.daysSinceEpoch - year.start.daysSinceEpoch)...(last.daysSinceEpoch - year.start.daysSinceEpoch)
            let discount = range.map { year.discountPerDay[$0] }.reduce(0, +)
            let value = range.map { year.lineValuePerDay[$0] }.reduce(0, +)
            return Double(discount) / Double(value)
        }
        XCTAssertGreaterThan(rate(d(11, 24), d(12, 1)), 4 * rate(d(11, 14), d(11, 20)))
        XCTAssertEqual(year.promotedSalesPerDay[d(11, 14).daysSinceEpoch - year.start.daysSinceEpoch], 0)
        XCTAssertGreaterThan(year.promotedSalesPerDay[d(11, 28).daysSinceEpoch - year.start.daysSinceEpoch], 0)
    }

    func testProductPopularityIsSkewed() throws {
        var units: [String: Int] = [:]
        for event in try collect(smallConfig(), days: 60) where event.entity == .sales {
            let e = try event.json
            units[e["product_id"].string, default: 0] += e["quantity"].int
        }
        let sorted = units.values.sorted(by: >)
        let topTenth = sorted.prefix(sorted.count / 10).reduce(0, +)
        XCTAssertGreaterThan(Double(topTenth), 0.3 * Double(sorted.reduce(0, +)), "top 10 % of products sell over 30 % of units")
        XCTAssertGreaterThan(sorted.first!, 10 * sorted.last!)
    }

    func testLoyalCustomersBuyMoreOften() throws {
        var tier: [String: String] = [:]
        var purchases: [String: [Int]] = [:]
        for event in try collect(smallConfig(), days: 30) {
            let e = try event.json
            switch event.entity {
            case .customers: tier[e["customer_id"].string] = e["loyalty_tier"].string
            case .sales:
                let t = tier[e["customer_id"].string]!
                purchases[t, default: [0, 0]][0] += 1
            default: break
            }
        }
        var members: [String: Int] = [:]
        for t in tier.values { members[t, default: 0] += 1 }
        func rate(_ t: String) -> Double { Double(purchases[t]?[0] ?? 0) / Double(members[t] ?? 1) }
        XCTAssertGreaterThan(rate("Gold"), 1.5 * rate("Bronze"))
        XCTAssertGreaterThan(rate("Platinum"), rate("Silver"))
    }
}

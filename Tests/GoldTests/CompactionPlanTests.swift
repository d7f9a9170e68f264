import ShopStreamGold
import XCTest

/// Which gold keys a pass rebuilds, from silver's counts now and at the last pass.
final class CompactionPlanTests: XCTestCase {
    private let history: SilverCounts = [
        .sales: ["2025-01-30": 10, "2025-01-31": 12, "2025-02-01": 9],
        .payments: ["2025-01-30": 11, "2025-01-31": 14, "2025-02-01": 9],
        .shipping: ["2025-01-30": 3],
        .signups: ["2020-05-01": 40, "2025-01-30": 2, "2025-01-31": 1],
        .customers: [nil: 45], .inventory: ["2025-01-30": 60, "2025-01-31": 40], .products: [nil: 20], .stores: [nil: 5],
    ]

    func testTheFirstPassRebuildsEveryTableWhole() {
        let plan = CompactionPlan(previous: [:], current: history, fullRefresh: false)
        XCTAssertTrue(plan.fullRefresh)
        XCTAssertEqual(Set(plan.tables.keys), Set(GoldTable.allCases))
        XCTAssertTrue(plan.tables.values.allSatisfy { $0 == .whole })
    }

    func testUnchangedCountsMeanGoldIsUpToDate() {
        let plan = CompactionPlan(previous: history, current: history, fullRefresh: false)
        XCTAssertTrue(plan.isUpToDate)
        XCTAssertEqual(plan.touched, [:])
    }

    func testFullRefreshRebuildsEverythingEvenWhenNothingChanged() {
        let plan = CompactionPlan(previous: history, current: history, fullRefresh: true)
        XCTAssertTrue(plan.tables.values.allSatisfy { $0 == .whole })
        XCTAssertEqual(plan.tables.count, GoldTable.allCases.count)
    }

    func testNewSalesOnOneDayRebuildThatDayItsMonthItsCustomersAndTheSegments() {
        var now = history
        now[.sales]!["2025-02-01"] = 15
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(plan.tables[.dailySales], .dates(["2025-02-01"]))
        XCTAssertEqual(plan.tables[.productDaily], .dates(["2025-02-01"]))
        XCTAssertEqual(plan.tables[.salespersonMonthly], .months(["2025-02-01"], saleDates: ["2025-02-01"]))
        XCTAssertEqual(plan.tables[.customerDaily], .dates(["2025-02-01"]))
        XCTAssertEqual(plan.tables[.executiveMonthly], .months(["2025-02-01"], saleDates: ["2025-02-01"]))
        XCTAssertEqual(plan.tables[.customerTotals], .dates(["2025-02-01"]), "the customers who bought that day")
        XCTAssertEqual(plan.tables[.customerSegments], .whole)
        XCTAssertNil(plan.tables[.paymentDaily])
        XCTAssertNil(plan.tables[.shippingDaily])
        XCTAssertNil(plan.tables[.inventoryHealth])
        XCTAssertEqual(plan.touched, [.sales: ["2025-02-01"]])
    }

    func testAMonthIsRebuiltFromEverySaleDateInIt() {
        var now = history
        now[.sales]!["2025-01-31"] = 13
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(plan.tables[.salespersonMonthly], .months(["2025-01-01"], saleDates: ["2025-01-30", "2025-01-31"]))
    }

    func testASignUpMovesTheCumulativeCountOfEveryLaterDay() {
        var now = history
        now[.signups]!["2025-01-30"] = 3
        now[.customers]![nil] = 46
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(plan.tables[.customerDaily], .dates(["2025-01-30", "2025-01-31", "2025-02-01"]))
        XCTAssertEqual(
            plan.tables[.executiveMonthly], .months(["2025-01-01", "2025-02-01"], saleDates: ["2025-01-30", "2025-01-31", "2025-02-01"]))
        XCTAssertEqual(plan.tables[.customerSegments], .whole)
        XCTAssertNil(plan.tables[.dailySales])
    }

    func testALoyaltyRiseRebuildsTheSegmentsButNoDay() {
        var now = history
        now[.customers]![nil] = 46  // a new row, but no new customer
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(Set(plan.tables.keys), [.customerSegments])
    }

    func testPaymentsAndShipmentsRebuildTheirOwnDates() {
        var now = history
        now[.payments]!["2025-02-02"] = 1
        now[.shipping]!["2025-01-30"] = 4
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(plan.tables[.paymentDaily], .dates(["2025-02-02"]))
        XCTAssertEqual(plan.tables[.shippingDaily], .dates(["2025-01-30"]))
        XCTAssertEqual(plan.tables.count, 2)
    }

    func testAStockSnapshotRebuildsThePairsOfItsDayAndACatalogueChangeRelabelsThemInPlace() {
        var now = history
        now[.inventory]!["2025-02-01"] = 30
        let stock = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(stock.tables, [.inventoryHealth: .dates(["2025-02-01"])])
        XCTAssertEqual(stock.relabel, [])
        for dimension in [SilverSource.products, .stores] {
            now = history
            now[dimension]![nil]! += 1
            let catalogue = CompactionPlan(previous: history, current: now, fullRefresh: false)
            XCTAssertEqual(catalogue.tables, [:], "no pair is rebuilt from its history")
            XCTAssertEqual(catalogue.relabel, [.inventoryHealth], "their labels are set again")
            XCTAssertFalse(catalogue.isUpToDate)
        }
        XCTAssertEqual(
            CompactionPlan(previous: history, current: now, fullRefresh: true).relabel, [], "a full refresh rebuilds, labels and all")
    }

    func testADateThatVanishedFromSilverIsRebuiltToo() {
        var now = history
        now[.sales]!["2025-01-30"] = nil
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(plan.tables[.dailySales], .dates(["2025-01-30"]), "its gold rows must go")
    }

    func testAStageHoldsEveryDateItsRebuiltReadersNeedAndIsNotMadeWhenNoneIsRebuilt() {
        let stage = GoldStage(name: "sales_once", query: "SELECT 1", readers: [.dailySales, .salespersonMonthly, .paymentDaily])
        var now = history
        now[.sales]!["2025-01-31"] = 13
        let plan = CompactionPlan(previous: history, current: now, fullRefresh: false)
        XCTAssertEqual(plan.tables[.dailySales], .dates(["2025-01-31"]))
        XCTAssertEqual(
            plan.keys(for: stage), .dates(["2025-01-30", "2025-01-31"]), "the day's sales, and the rest of its month for the monthly reader"
        )
        XCTAssertEqual(CompactionPlan(previous: history, current: now, fullRefresh: true).keys(for: stage), .whole)

        now = history
        now[.shipping]!["2025-01-31"] = 1
        XCTAssertNil(
            CompactionPlan(previous: history, current: now, fullRefresh: false).keys(for: stage), "no reader is rebuilt: nothing staged")
    }

    func testPastTheThresholdATableIsRebuiltWhole() {
        var before: SilverCounts = history, now: SilverCounts = history
        before[.payments] = [:]
        now[.payments] = [:]
        for day in 0...CompactionPlan.wholeTableThreshold {
            let date = "2024-\(String(format: "%02d", day / 28 + 1))-\(String(format: "%02d", day % 28 + 1))"
            before[.payments]![date] = 1
            now[.payments]![date] = 2
        }
        XCTAssertEqual(CompactionPlan(previous: before, current: now, fullRefresh: false).tables[.paymentDaily], .whole)
    }
}

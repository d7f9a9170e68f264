import Foundation
import ShopStreamCore
import ShopStreamGenerator
import XCTest

/// `TruthRecorder` and `GroundTruth`: the totals the gold tables are held against.
final class GroundTruthTests: XCTestCase {
    // MARK: A recorded week agrees with the simulator and with the events themselves

    func testTheTotalsAgreeWithTheSimulatorsOwnCounts() throws {
        let (stats, events, truth) = (week.stats, week.events, week.truth)
        XCTAssertEqual(truth.seed, 42)
        XCTAssertEqual(truth.startDate, "2025-01-01")
        XCTAssertEqual(truth.days, 7)
        XCTAssertEqual(truth.totals.orders, stats.sales)
        XCTAssertEqual(truth.totals.units, stats.unitsSold)
        XCTAssertEqual(truth.totals.netRevenuePaisa, stats.revenuePaisa)
        XCTAssertEqual(truth.totals.discountsPaisa, stats.discountPaisa)
        XCTAssertEqual(truth.totals.grossRevenuePaisa, stats.revenuePaisa + stats.discountPaisa, "net is gross less discount")
        XCTAssertEqual(truth.totals.customers, stats.customers)
        XCTAssertEqual(truth.totals.stores, 17)
        XCTAssertEqual(truth.totals.products, Set(events.filter { $0.entity == .products }.map(\.keyString)).count)
        for entity in Entity.allCases {
            XCTAssertEqual(truth.events[entity], stats[entity], entity.topic)
            XCTAssertEqual(truth.events[entity], events.filter { $0.entity == entity }.count, entity.topic)
        }
        XCTAssertEqual(truth.events.total, events.count)
    }

    func testDailySalesAreTheSalesEventsGroupedByDayAndStore() throws {
        var expected: [String: GroundTruth.DailySalesRow] = [:]
        for sale in week.events where sale.entity == .sales {
            let date = sale.field("sale_date")!, store = sale.field("store_id")!
            let quantity = Int(sale.field("quantity")!)!
            var row = expected[date + " " + store] ?? GroundTruth.DailySalesRow(saleDate: date, storeId: store)
            row.orders += 1
            row.units += quantity
            row.grossRevenuePaisa += Int64(quantity) * money("unit_price", of: sale)
            row.discountsPaisa += money("discount", of: sale)
            row.netRevenuePaisa += money("total_price", of: sale)
            expected[date + " " + store] = row
        }
        XCTAssertEqual(week.truth.dailySales, expected.sorted { $0.key < $1.key }.map(\.value))
    }

    func testDailySalesAddUpToTheTotals() {
        let rows = week.truth.dailySales, totals = week.truth.totals
        XCTAssertEqual(rows.reduce(0) { $0 + $1.orders }, totals.orders)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.units }, totals.units)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.grossRevenuePaisa }, totals.grossRevenuePaisa)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.discountsPaisa }, totals.discountsPaisa)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.netRevenuePaisa }, totals.netRevenuePaisa)
        XCTAssertEqual(Set(rows.map(\.saleDate)), Set((0..<7).map { SimDate(year: 2025, month: 1, day: 1).adding(days: $0).description }))
    }

    func testEveryPaymentEventIsOneAttemptCountedOnItsPakistanDate() throws {
        let rows = week.truth.paymentsDaily
        XCTAssertEqual(rows.reduce(0) { $0 + $1.attempts }, week.truth.events.payments)
        for row in rows {
            XCTAssertEqual(row.completed + row.failed + row.pending + row.refunded, row.attempts, "\(row)")
        }
        var expected: [String: GroundTruth.PaymentsDailyRow] = [:]
        for payment in week.events where payment.entity == .payments {
            let time = payment.field("event_time")!
            XCTAssertTrue(time.hasSuffix("+05:00"), time)
            let date = String(time.prefix(10)), method = payment.field("payment_method")!
            let amount = money("amount", of: payment)
            var row = expected[date + " " + method] ?? GroundTruth.PaymentsDailyRow(paymentDate: date, paymentMethod: method)
            row.attempts += 1
            row.amountPaisa += amount
            switch payment.field("status")! {
            case "Completed": row.completed += 1; row.completedAmountPaisa += amount
            case "Failed": row.failed += 1
            case "Pending": row.pending += 1
            case "Refunded": row.refunded += 1; row.refundedAmountPaisa += amount
            case let other: XCTFail("unexpected status \(other)")
            }
            expected[date + " " + method] = row
        }
        XCTAssertEqual(rows, expected.sorted { $0.key < $1.key }.map(\.value))
        XCTAssertGreaterThan(rows.reduce(0) { $0 + $1.failed }, 0, "a week has declined attempts")
        XCTAssertGreaterThan(rows.reduce(0) { $0 + $1.completedAmountPaisa }, 0)
    }

    func testEveryShippingEventIsOneShipmentOnItsShippedDate() throws {
        let rows = week.truth.shippingDaily
        let shipments = week.events.filter { $0.entity == .shipping }
        XCTAssertEqual(rows.reduce(0) { $0 + $1.shipments }, shipments.count)
        for row in rows {
            XCTAssertEqual(row.delivered + row.delayed + row.returned + row.lost, row.shipments, "\(row)")
        }
        XCTAssertEqual(rows.reduce(0) { $0 + $1.damaged }, shipments.filter { $0.field("damaged") == "true" }.count)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.delayDays }, shipments.reduce(0) { $0 + Int($1.field("delay_days")!)! })
        XCTAssertEqual(rows.map { "\($0.shippedDate) \($0.carrier)" }, rows.map { "\($0.shippedDate) \($0.carrier)" }.sorted())
        XCTAssertEqual(Set(rows.map { "\($0.shippedDate) \($0.carrier)" }).count, rows.count, "one row per day and carrier")
    }

    func testEachCustomerCountsOnceAtTheTierOfTheirLatestEvent() throws {
        var latest: [String: String] = [:]
        var seen: [String: Int] = [:]
        for customer in week.events where customer.entity == .customers {
            latest[customer.keyString] = customer.field("loyalty_tier")!
            seen[customer.keyString, default: 0] += 1
        }
        XCTAssertTrue(seen.values.contains { $0 > 1 }, "a week has tier upgrades, so some customers are published twice")
        XCTAssertEqual(week.truth.customersByTier, Dictionary(latest.values.map { ($0, 1) }, uniquingKeysWith: +))
        XCTAssertEqual(week.truth.customersByTier.values.reduce(0, +), week.truth.totals.customers)
    }

    func testNewCustomersAreCountedOnceOnTheirSignupDate() throws {
        let rows = week.truth.newCustomersDaily
        XCTAssertEqual(rows.reduce(0) { $0 + $1.newCustomers }, week.truth.totals.customers)
        XCTAssertEqual(rows.map(\.signupDate), rows.map(\.signupDate).sorted())
        let duringTheWeek = rows.filter { $0.signupDate >= "2025-01-01" }.reduce(0) { $0 + $1.newCustomers }
        XCTAssertEqual(
            duringTheWeek, week.stats.customers - smallConfig().initialCustomers, "the initial customers signed up before the first day")
        XCTAssertGreaterThan(duringTheWeek, 0)
    }

    // MARK: The file

    func testTheTruthRoundTripsThroughItsFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try week.truth.write(to: url)
        XCTAssertEqual(try GroundTruth.read(from: url), week.truth)

        let top = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        XCTAssertEqual(
            Set(top.keys),
            [
                "seed", "start_date", "days", "events", "totals", "daily_sales", "payments_daily",
                "shipping_daily", "customers_by_tier", "new_customers_daily",
            ])
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertLessThan(
            try XCTUnwrap(text.range(of: "\"customers_by_tier\"")).lowerBound,
            try XCTUnwrap(text.range(of: "\"daily_sales\"")).lowerBound, "keys are sorted")
        XCTAssertTrue(text.contains("\"net_revenue_paisa\" : \(week.truth.totals.netRevenuePaisa)"), "money is integer paisa")
    }

    func testReadingSomethingElseSaysWhatIsMissingAndHowToWriteOne() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-truth-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"seed": 1}"#.utf8).write(to: url)
        XCTAssertThrowsError(try GroundTruth.read(from: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("missing key"), message)
            XCTAssertTrue(message.contains("shopstream generate --truth"), message)
        }
    }

    func testTheSameSeedGivesTheSameTruthAndAnotherSeedAnotherOne() throws {
        let a = try record(smallConfig(seed: 7), days: 2).truth
        let b = try record(smallConfig(seed: 7), days: 2).truth
        let c = try record(smallConfig(seed: 8), days: 2).truth
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.totals, c.totals)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("truths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try a.write(to: dir.appendingPathComponent("a.json"))
        try b.write(to: dir.appendingPathComponent("b.json"))
        XCTAssertEqual(
            try Data(contentsOf: dir.appendingPathComponent("a.json")), try Data(contentsOf: dir.appendingPathComponent("b.json")),
            "the same bytes, so truth files can be compared with diff")
    }

    // MARK: Only what was accepted

    func testARunStoppedByALimitMidDayCountsOnlyTheAcceptedEvents() throws {
        let config = smallConfig()
        let firstDay = try collect(config, days: 1).count
        let limit = firstDay + (try collect(config, days: 2).count - firstDay) / 2
        let simulator = Simulator(config: config)
        var recorder = TruthRecorder(wrapping: EventCollector(limit: limit))
        XCTAssertFalse(try simulator.run(days: nil, into: &recorder))
        let truth = recorder.truth(of: simulator)
        let accepted = recorder.inner.events

        XCTAssertEqual(accepted.count, limit)
        XCTAssertEqual(truth.events.total, limit, "the last event, accepted with a request to stop, counts")
        XCTAssertEqual(truth.days, 1, "the second day was not finished")
        let sales = accepted.filter { $0.entity == .sales }
        XCTAssertEqual(truth.totals.orders, sales.count)
        XCTAssertEqual(truth.totals.netRevenuePaisa, sales.reduce(0) { $0 + money("total_price", of: $1) })
        XCTAssertTrue(truth.dailySales.contains { $0.saleDate == "2025-01-02" }, "the partial day's sales count")

        // The same as the truth of those events handed over one by one.
        var replay = TruthRecorder(wrapping: EventCollector())
        for event in accepted { _ = try emit(event, into: &replay) }
        XCTAssertEqual(replay.truth(seed: config.seed, startDate: config.startDate, days: 1), truth)
    }

    func testAnEventTheInnerSinkRefusesIsNotCounted() throws {
        var recorder = TruthRecorder(wrapping: RefusingSink(refuseAt: 3))
        XCTAssertThrowsError(try Simulator(config: smallConfig()).run(days: 1, into: &recorder))
        XCTAssertEqual(recorder.inner.taken, 2)
        XCTAssertEqual(recorder.events.total, 2)
    }

    // MARK: Money and dates, event by event

    func testMoneyIsCountedExactlyToThePaisa() throws {
        var recorder = TruthRecorder(wrapping: EventCollector())
        try emit(.sales, sale(quantity: 3, unitPrice: "3499.5", discount: "0.07", total: "10498.43"), into: &recorder)
        try emit(.sales, sale(quantity: 1, unitPrice: "74999", discount: "0", total: "74999.00"), into: &recorder)
        let totals = recorder.truth(seed: 1, startDate: SimDate(year: 2025, month: 1, day: 1), days: 0).totals
        XCTAssertEqual(totals.grossRevenuePaisa, 3 * 349_950 + 7_499_900)
        XCTAssertEqual(totals.discountsPaisa, 7)
        XCTAssertEqual(totals.netRevenuePaisa, 1_049_843 + 7_499_900)
        XCTAssertEqual(totals.units, 4)
    }

    func testMoneyWithAFractionOfAPaisaIsRefusedNamingTheField() throws {
        var recorder = TruthRecorder(wrapping: EventCollector())
        XCTAssertThrowsError(try emit(.sales, sale(quantity: 1, unitPrice: "1.005", discount: "0", total: "1.01"), into: &recorder)) {
            error in
            XCTAssertTrue("\(error)".contains("unit_price 1.005"), "\(error)")
            XCTAssertTrue("\(error)".contains("shop.sales event 1"), "\(error)")
        }
        XCTAssertEqual(recorder.events.total, 0, "a refused event counts nowhere")
    }

    func testAPaymentCountsOnTheDateItsEventTimeHasInPakistan() throws {
        var recorder = TruthRecorder(wrapping: EventCollector())
        let times = [
            "2025-01-01T23:59:59.999+05:00": "2025-01-01",
            "2025-01-02T00:00:00.000+05:00": "2025-01-02",
            "2025-01-01T18:59:59.999Z": "2025-01-01",
            "2025-01-01T19:00:00.000Z": "2025-01-02",
            "2025-01-01T14:00:00.000-05:00": "2025-01-02",
            "2024-12-31T23:30:00.000+04:00": "2025-01-01",
        ]
        for (time, _) in times.sorted(by: { $0.key < $1.key }) {
            try emit(.payments, payment(time: time, method: time, status: "Completed"), into: &recorder)
        }
        let dates = recorder.truth(seed: 1, startDate: SimDate(year: 2025, month: 1, day: 1), days: 0).paymentsDaily
            .map { ($0.paymentMethod, $0.paymentDate) }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: dates), times)
    }

    func testAnUnknownPaymentStatusIsRefusedByName() throws {
        var recorder = TruthRecorder(wrapping: EventCollector())
        XCTAssertThrowsError(
            try emit(.payments, payment(time: "2025-01-01T10:00:00.000+05:00", method: "Cash", status: "Chargeback"), into: &recorder)
        ) { error in
            XCTAssertTrue("\(error)".contains("status \"Chargeback\""), "\(error)")
        }
    }
}

// MARK: Helpers

/// A week of the small simulation through a recorder around a collector, recorded once.
private struct Recording: Sendable {
    var stats: SimulationStats
    var events: [Event]
    var truth: GroundTruth
}

private let week: Recording = try! record(smallConfig(), days: 7)

private func record(_ config: SimulationConfig, days: Int) throws -> Recording {
    let simulator = Simulator(config: config)
    var recorder = TruthRecorder(wrapping: EventCollector())
    try simulator.run(days: days, into: &recorder)
    return Recording(stats: simulator.stats, events: recorder.inner.events, truth: recorder.truth(of: simulator))
}

/// A money field of an event, in paisa, read from its text by the tests' own JSON reader.
private func money(_ name: String, of event: Event) -> Int64 {
    JSON.number(event.field(name)!).paisa
}

@discardableResult
private func emit(_ event: Event, into recorder: inout TruthRecorder<EventCollector>) throws -> Bool {
    try event.key.withUnsafeBytes { key in
        try event.value.withUnsafeBytes { value in
            try recorder.emit(event.entity, key: key, value: value, timestampMs: event.timestampMs)
        }
    }
}

private func emit(_ entity: Entity, _ json: String, into recorder: inout TruthRecorder<EventCollector>) throws {
    try emit(Event(entity: entity, key: Array("KEY".utf8), value: Array(json.utf8), timestampMs: 0), into: &recorder)
}

private func sale(quantity: Int, unitPrice: String, discount: String, total: String) -> String {
    #"{"sale_id":"SAL-0000000001","sale_date":"2025-01-01","store_id":"STR-01","quantity":\#(quantity),"unit_price":\#(unitPrice),"discount":\#(discount),"total_price":\#(total)}"#
}

private func payment(time: String, method: String, status: String) -> String {
    #"{"event_time":"\#(time)","payment_method":"\#(method)","amount":100.00,"status":"\#(status)"}"#
}

/// Takes events until the `refuseAt`-th, which it refuses by throwing.
private struct RefusingSink: EventSink {
    struct Refused: Error {}
    let refuseAt: Int
    var taken = 0

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        guard taken + 1 < refuseAt else { throw Refused() }
        taken += 1
        return true
    }
}

import ShopStreamCore
import ShopStreamGenerator
import XCTest

/// The live clock (`SimulationConfig.live`, see `LiveClock`): history days as ever, then
/// the business on the wall clock at the rate, in time order, from the start instant on.
/// Pure simulation: nothing here sleeps or reads a clock; the start instants are fixed.
final class LiveSimulationTests: XCTestCase {
    /// An ordinary Tuesday, outside Ramadan and the sales seasons.
    let day = SimDate(year: 2026, month: 9, day: 15)

    /// A live config for the default business, or for `business`'s baselines.
    private func live(_ start: Int64, rate: Double, history: Int, seed: UInt64 = 42, business: SimulationConfig = SimulationConfig())
        -> SimulationConfig
    {
        var config = SimulationConfig(live: LiveClock(startMs: start, eventsPerSecond: rate), historyDays: history, seed: seed)
        config.ordersPerDay = business.ordersPerDay
        config.initialCustomers = business.initialCustomers
        config.signupsPerDay = business.signupsPerDay
        return config
    }

    func testLiveEventsAreDatedFromTheStartInstantOnAndComeInTimeOrder() throws {
        let start = pakistanTime(day, 15, 42, 17, ms: 123)
        let end = start + 20 * 60_000
        // No history: the business's first day is the live day.
        let events = try collect(live(start, rate: 50, history: 0), until: end)

        // Its dimensions are there from the start, dated at the start, not at midnight.
        XCTAssertEqual(events.first?.entity, .stores)
        XCTAssertEqual(events.first?.timestampMs, start)
        XCTAssertEqual(
            events.filter { $0.entity == .customers && $0.timestampMs == start }.count, 2000, "the first customers, at the start")
        var lastPerTopic: [Entity: Int64] = [:]
        var last = Int64.min
        var problems: [String] = []
        for (i, e) in events.enumerated() where problems.count < 10 {
            let time = e.field("event_time")!
            if e.timestampMs < start || e.timestampMs >= end { problems.append("event \(i) at \(time): outside [start, start + 20 min)") }
            if time != pakistanTimestamp(e.timestampMs) {
                problems.append("event \(i): event_time \(time), record time \(pakistanTimestamp(e.timestampMs))")
            }
            if e.timestampMs < lastPerTopic[e.entity, default: .min] {
                problems.append("event \(i): \(e.entity) at \(time) after a later one")
            }
            if e.timestampMs < last { problems.append("event \(i): \(e.entity) at \(time) after an event at \(pakistanTimestamp(last))") }
            if e.entity == .sales, e.field("sale_date") != day.description {
                problems.append("event \(i): sale_date \(e.field("sale_date")!)")
            }
            if e.entity == .payments, let paid = e.field("paid_at"), paid != "null", paid != time {
                problems.append("event \(i): paid_at \(paid) at \(time)")
            }
            lastPerTopic[e.entity] = e.timestampMs
            last = e.timestampMs
        }
        XCTAssertEqual(problems, [])
        // Twenty minutes at 50/s: the business is running, payments included.
        XCTAssertGreaterThan(events.filter { $0.entity == .sales }.count, 10_000)
        XCTAssertGreaterThan(events.filter { $0.entity == .payments }.count, 10_000)
    }

    func testAnHourAtThreeInTheMorningHoldsAboutTheRate() throws {
        // An ordinary day sells almost nothing at 3 a.m.; a live day sells as at any hour.
        let rate = 20.0
        let start = pakistanTime(day, 3)
        let counts = try countPerHourAndDay(live(start, rate: rate, history: 1), until: start + 3_600_000)
        let hour = counts.perHour[Int(start / 3_600_000)] ?? 0
        let ratio = Double(hour) / (rate * 3600)
        print("03:00-04:00 at \(rate)/s: \(hour) events, \(String(format: "%.3f", ratio)) x rate x 3600")
        XCTAssertEqual(ratio, 1, accuracy: 0.25, "\(hour) events in the hour, expected about \(Int(rate * 3600))")
    }

    func testTenLiveDaysHoldTheRateAsShipmentOutcomesAndCustomersPileUp() throws {
        // Live shipments come back days later (spread over the day, like everything live)
        // and k-fold sign-ups multiply the customer base (here five-fold in ten days, from
        // the small business's 600): neither may push the rate off.
        let rate = 0.25
        let first = day.daysSinceEpoch
        let config = live(pakistanTime(day, 0), rate: rate, history: 1, business: smallConfig())
        let counts = try countPerHourAndDay(config, until: pakistanTime(day.adding(days: 10), 0))
        var problems: [String] = []
        for d in first..<first + 10 {
            let ratio = Double(counts.perDay[d] ?? 0) / (rate * 86_400)
            print("\(SimDate(daysSinceEpoch: d)): \(counts.perDay[d] ?? 0) events, \(String(format: "%.3f", ratio)) x rate x 86,400")
            if abs(ratio - 1) > 0.25 { problems.append("\(SimDate(daysSinceEpoch: d)): \(String(format: "%.2f", ratio)) x the rate") }
        }
        // Hour by hour on the last day, but for 23:00, which ends with the day's stock snapshots.
        let lastDay = Int(pakistanTime(day.adding(days: 9), 0) / 3_600_000)
        var hours: [String] = []
        for h in 0..<23 {
            let ratio = Double(counts.perHour[lastDay + h] ?? 0) / (rate * 3600)
            hours.append(String(format: "%.2f", ratio))
            if abs(ratio - 1) > 0.25 { problems.append("day 10, \(h):00: \(String(format: "%.2f", ratio)) x the rate") }
        }
        print("day 10 per hour: \(hours.joined(separator: " "))")
        XCTAssertEqual(problems, [])
    }

    func testHistoryDaysAreTheOrdinaryDaysBeforeTheLiveDay() throws {
        let start = pakistanTime(day, 12)
        let midnight = pakistanTime(day, 0)
        let history = try collect(live(start, rate: 20, history: 3), until: midnight)
        let ordinary = try collect(SimulationConfig(startDate: day.adding(days: -3)), days: 3)
        // Byte for byte what `generate --days 3` gives for those days, so all of it before the live day.
        XCTAssertEqual(history.count, ordinary.count)
        XCTAssertTrue(history == ordinary, "the history days are the ordinary days")
        XCTAssertEqual(history.last?.field("event_time")?.prefix(10), Substring(day.adding(days: -1).description))
        XCTAssertEqual(history.filter { $0.timestampMs >= midnight }.count, 0)
        // Then the live day, from the start on.
        let withToday = try collect(live(start, rate: 20, history: 3), until: start + 60_000)
        XCTAssertEqual(Array(withToday.prefix(history.count)), history)
        XCTAssertGreaterThan(withToday.count, history.count + 600, "a minute of live events follows")
        XCTAssertEqual(withToday[history.count...].filter { $0.timestampMs < start }.count, 0)
    }

    func testEveryReferencePointsToAnIdPublishedEarlierAcrossHistoryAndLiveDays() throws {
        // Starting at 13:00, outcomes of history shipments due from 10:00 come at the start,
        // and later ones during the live half hour.
        let start = pakistanTime(day, 13)
        for history in [0, 2] {
            let events = try collect(live(start, rate: 20, history: history), until: start + 1_800_000)
            let (problems, sales) = referenceProblems(events)
            XCTAssertEqual(problems, [], "history \(history)")
            XCTAssertGreaterThan(sales, 12_000, "history \(history)")
            if history > 0 {
                XCTAssertGreaterThan(
                    events.filter { $0.entity == .shipping && $0.timestampMs >= start }.count, 0, "history shipments come back live")
            }
        }
    }

    func testLiveEventsMatchTheirTopicsSchemas() throws {
        // Three live days of the small business, so that shipments ordered live (their
        // outcomes at any hour) come back: of each topic, the first events of the live
        // start (the first day's dimensions) and of the third day.
        let events = try collect(
            live(pakistanTime(day, 0), rate: 0.5, history: 0, business: smallConfig()), until: pakistanTime(day.adding(days: 3), 0))
        let thirdDay = pakistanTime(day.adding(days: 2), 0)
        var sample: [Event] = []
        for entity in Entity.allCases {
            sample += events.lazy.filter { $0.entity == entity }.prefix(150)
            sample += events.lazy.filter { $0.entity == entity && $0.timestampMs >= thirdDay }.prefix(150)
        }
        let topics = try loadEntityTopics()
        let checker = SchemaChecker()
        var failures: [String] = []
        for event in sample where failures.count < 10 {
            let errors = checker.errors(try event.json, topics[event.entity]!.valueSchema)
            if !errors.isEmpty { failures.append("\(event.entity): \(errors) in \(String(decoding: event.value, as: UTF8.self))") }
        }
        XCTAssertEqual(failures, [])
        for entity in Entity.allCases {
            XCTAssertGreaterThan(sample.filter { $0.entity == entity }.count, 0, "no \(entity) events checked")
        }
        XCTAssertEqual(sample.filter { $0.entity == .shipping && $0.timestampMs >= thirdDay }.count, 150)
    }

    func testTheSameSeedAndStartGiveTheSameLiveEventsAndAnotherStartOrSeedOthers() throws {
        let start = pakistanTime(day, 18, 5, 0, ms: 250)
        func liveEvents(_ start: Int64, seed: UInt64) throws -> [Event] {
            try collect(live(start, rate: 100, history: 1, seed: seed), until: pakistanTime(day, 18, 10)).filter {
                $0.timestampMs >= pakistanTime(day, 0)
            }
        }
        let a = try liveEvents(start, seed: 7)
        let b = try liveEvents(start, seed: 7)
        XCTAssertGreaterThan(a.count, 20_000)
        XCTAssertTrue(a == b, "seed 7 from the same instant twice gives the same live events, byte for byte")
        let later = try liveEvents(start + 1, seed: 7)
        XCTAssertFalse(a == later, "a start one millisecond later gives other events")
        let otherSeed = try liveEvents(start, seed: 8)
        XCTAssertGreaterThan(zip(a, otherSeed).filter { $0.value != $1.value }.count, a.count * 9 / 10, "seed 8 gives other events")
    }
}

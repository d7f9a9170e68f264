import ShopStreamCore
import ShopStreamGenerator
import XCTest

final class DeterminismTests: XCTestCase {
    func testTheSameSeedGivesByteIdenticalEvents() throws {
        let first = try collect(events: 60_000)
        let second = try collect(events: 60_000)
        XCTAssertEqual(first.count, 60_000)
        XCTAssertEqual(first, second)
    }

    func testADifferentSeedGivesDifferentEvents() throws {
        let a = try collect(SimulationConfig(seed: 1), events: 5_000)
        let b = try collect(SimulationConfig(seed: 2), events: 5_000)
        let differing = zip(a, b).filter { $0.value != $1.value }.count
        XCTAssertGreaterThan(differing, 4_900, "almost every event should differ (event ids at least)")
    }

    func testASinkThatStopsGetsExactlyTheEventsItAskedForAndTheSimulationStaysStopped() throws {
        let simulator = Simulator(config: smallConfig())
        var sink = EventCollector(limit: 12_345)
        XCTAssertFalse(try simulator.run(days: nil, into: &sink))
        XCTAssertEqual(sink.events.count, 12_345)
        XCTAssertEqual(simulator.stats.events, 12_345)
        XCTAssertFalse(try simulator.emitNextDay(into: &sink))
        XCTAssertEqual(sink.events.count, 12_345)

        let longer = try collect(smallConfig(), events: 20_000)
        XCTAssertEqual(Array(longer.prefix(12_345)), sink.events, "a stopped run is a prefix of a longer one")
    }

    func testTheFirstDayPublishesStoresProductsCustomersAndStockBeforeAnyFact() throws {
        let config = smallConfig()
        let events = try collect(config, days: 1)
        let firstFact = events.firstIndex { !$0.entity.isDimension }!
        let order = events[..<firstFact].map(\.entity)
        XCTAssertEqual(order.first, .stores)
        XCTAssertEqual(order.filter { $0 == .customers }.count, config.initialCustomers)
        XCTAssertEqual(order.filter { $0 == .stores }.count, 17)
        // A price change may republish a product.
        let products = Set(events[..<firstFact].filter { $0.entity == .products }.map(\.keyString)).count
        XCTAssertTrue((60...120).contains(products), "\(products) products")
        XCTAssertEqual(order.filter { $0 == .inventory }.count, 17 * products, "one snapshot per store×product")
    }

    func testCurrentDateAdvancesOneDayPerEmittedDay() throws {
        let simulator = Simulator(config: smallConfig(start: SimDate(year: 2025, month: 2, day: 27)))
        var sink = EventCollector()
        try simulator.run(days: 3, into: &sink)
        XCTAssertEqual(simulator.currentDate, SimDate(year: 2025, month: 3, day: 2))
        XCTAssertEqual(simulator.stats.days, 3)
        XCTAssertEqual(try sink.events.last!.json["event_time"].string.prefix(10), "2025-03-01")
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSinks

/// The silver sink holds accepted event ids and sale ids for `dedupWindow` of event time, not for
/// ever: within the window a duplicate is still rejected (across a restart too); older, it is not
/// held, lands again, and the views still show it once; a payment whose sale is older than the
/// window is found in silver, not rejected; and what is held follows the window, not the history.
final class SilverWindowTests: XCTestCase {
    /// Day `n` after 2025-01-01 as `YYYY-MM-DD`, and its days since 1970.
    private func day(_ n: Int) -> (text: String, epochDay: Int) {
        let epochDay = CivilCalendar.days(year: 2025, month: 1, day: 1) + n
        let (y, m, d) = CivilCalendar.civil(days: epochDay)
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return ("\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))", epochDay)
    }

    /// `event` with every `2025-03-21` (its event time, sale date, paid_at) moved to day `n`.
    private func moved(_ event: [UInt8], to n: Int) -> [UInt8] {
        Array(String(decoding: event, as: UTF8.self).replacingOccurrences(of: "2025-03-21", with: day(n).text).utf8)
    }

    /// The record time of an event moved to day `n` (its local +05:00 morning, in UTC ms).
    private func recordTime(_ n: Int) -> Int64 { Int64(day(n).epochDay * 86_400 - 5 * 3600 + 98) * 1000 }

    private func publishSale(_ producer: Producer, _ value: [UInt8], saleId: String, day n: Int) throws {
        try producer.send(topic: Entity.sales.topic, key: Array(saleId.utf8), value: value, timestampMs: recordTime(n), partition: 0)
    }

    /// `perDay` sales a day for `days` days, in event-time order, all by CUS-00000001; flushed.
    private func publishSales(_ producer: Producer, days: Int, perDay: Int) throws {
        for d in 0..<days {
            for k in 0..<perDay {
                let n = d * perDay + k + 1
                try publishSale(
                    producer, moved(SilverEvents.sale(n, customer: "CUS-00000001"), to: d), saleId: SilverEvents.saleId(n), day: d)
            }
        }
        try producer.flush()
    }

    private func sink(
        _ broker: EmbeddedBroker, _ warehouse: any Warehouse, group: String, window: Duration?,
        grace: Duration = .seconds(2), maxDelay: Duration? = nil, published: Latch? = nil
    ) throws -> SilverSink {
        var config = silverConfiguration(broker, grace: grace)
        config.groupId = group
        config.dedupWindow = window
        if let maxDelay { config.maxDelay = maxDelay }
        config.idleExitAfter = published
        // When a member leaves, librdkafka's mock cluster answers the next join only after a
        // rebalance of the session timeout less a second: a short session keeps a restart quick.
        config.connection.properties["session.timeout.ms"] = "4000"
        config.connection.properties["heartbeat.interval.ms"] = "500"
        return try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
    }

    private func eventId(_ event: [UInt8]) throws -> String {
        let text = String(decoding: event, as: UTF8.self)
        let start = try XCTUnwrap(text.range(of: #""event_id":""#)).upperBound
        return String(text[start...].prefix(36))
    }

    func testADuplicateWithinTheWindowIsStillRejectedAfterARestart() throws {
        try duplicateWithinTheWindowIsRejectedAfterARestart(try freshSQLiteWarehouse())
    }

    /// The same through BigQuery's SQL (the windowed start-up read, streamed page by page).
    func testADuplicateWithinTheWindowIsStillRejectedAfterARestartInTheBigQueryEmulator() throws {
        try duplicateWithinTheWindowIsRejectedAfterARestart(try emptiedEmulatorWarehouse())
    }

    private func duplicateWithinTheWindowIsRejectedAfterARestart(_ warehouse: any Warehouse) throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        let sale = moved(SilverEvents.sale(1, customer: "CUS-00000001"), to: 100)
        try publishSale(producer, sale, saleId: SilverEvents.saleId(1), day: 100)
        // Newer sales, still within the window of the first.
        for n in 2...4 {
            try publishSale(
                producer, moved(SilverEvents.sale(n, customer: "CUS-00000001"), to: 100 + n * 2), saleId: SilverEvents.saleId(n),
                day: 100 + n * 2)
        }
        try producer.flush()
        let first = try sink(broker, warehouse, group: "window-dup", window: .seconds(30 * 86_400))
        try first.run()
        XCTAssertEqual(first.statistics.rows[.sales], 4)

        // The same event again, at a new offset, read by a new sink over the same warehouse.
        try publishSale(producer, sale, saleId: SilverEvents.saleId(1), day: 100)
        try producer.flush()
        let second = try sink(broker, warehouse, group: "window-dup", window: .seconds(30 * 86_400))
        try second.run()
        XCTAssertEqual(second.statistics.rejects, ["duplicate": 1], "the copy is a duplicate: its first was loaded at start")
        XCTAssertNil(second.statistics.rows[.sales])
        XCTAssertEqual(
            try column(warehouse, "SELECT reason FROM silver.rejects"),
            ["event_id: \(try eventId(sale)) was already accepted at shop.sales:0:0; a duplicate is not stored twice"])
        XCTAssertEqual(second.heldEventIds, 3 + 4, "three dimensions and four sales, all within the window")
    }

    func testADuplicateOlderThanTheWindowIsNotHeldAndTheViewsStillShowItOnce() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        let old = moved(SilverEvents.sale(1, customer: "CUS-00000001"), to: 10)
        try publishSale(producer, old, saleId: SilverEvents.saleId(1), day: 10)
        // A sale 30 days on moves the window of 7 days past the first one …
        try publishSale(producer, moved(SilverEvents.sale(2, customer: "CUS-00000001"), to: 40), saleId: SilverEvents.saleId(2), day: 40)
        // … so when the first comes again it is not held: it lands a second time.
        try publishSale(producer, old, saleId: SilverEvents.saleId(1), day: 10)
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        let s = try sink(broker, warehouse, group: "window-old", window: .seconds(7 * 86_400))
        try s.run()

        XCTAssertEqual(s.statistics.rejects, [:], "older than the window, the copy is not known as a duplicate")
        XCTAssertEqual(s.statistics.rows[.sales], 3)
        XCTAssertEqual(s.heldEventIds, 3 + 1, "the dimensions and the newest sale; the first sale and its copy are not held")
        XCTAssertEqual(s.heldIds(.sales), 1, "only the newest sale id is held")
        let id = try eventId(old)
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.sales WHERE event_id = '\(id)'"), ["2"])
        XCTAssertEqual(
            try column(warehouse, "SELECT COUNT(*) FROM silver.sales_dedup WHERE event_id = '\(id)'"), ["1"], "the view shows it once")
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.sales_dedup"), ["2"])

        // A restart loads only the window: the old sale is not held then either.
        let again = try sink(broker, warehouse, group: "window-old", window: .seconds(7 * 86_400))
        try again.run()
        XCTAssertEqual(again.heldEventIds, 3 + 1)
        XCTAssertEqual(again.heldIds(.sales), 1)
    }

    func testAPaymentForASaleOlderThanTheWindowIsFoundInSilverAndAccepted() throws {
        try paymentOfASaleOlderThanTheWindowIsAccepted(try freshSQLiteWarehouse())
    }

    /// The same through BigQuery's SQL (the look-up of sale ids in silver.sales).
    func testAPaymentForASaleOlderThanTheWindowIsFoundInSilverAndAcceptedInTheBigQueryEmulator() throws {
        try paymentOfASaleOlderThanTheWindowIsAccepted(try emptiedEmulatorWarehouse())
    }

    private func paymentOfASaleOlderThanTheWindowIsAccepted(_ warehouse: any Warehouse) throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        try publishSale(producer, moved(SilverEvents.sale(1, customer: "CUS-00000001"), to: 10), saleId: SilverEvents.saleId(1), day: 10)
        try publishSale(producer, moved(SilverEvents.sale(2, customer: "CUS-00000001"), to: 40), saleId: SilverEvents.saleId(2), day: 40)
        try producer.flush()
        let first = try sink(broker, warehouse, group: "window-pay", window: .seconds(7 * 86_400))
        try first.run()
        XCTAssertEqual(first.statistics.rows[.sales], 2)

        // A payment of the old sale (a late refund), and one of a sale that never was.
        try producer.send(
            topic: Entity.payments.topic, key: Array(SilverEvents.saleId(1).utf8),
            value: moved(SilverEvents.payment(1, sale: SilverEvents.saleId(1)), to: 40), timestampMs: recordTime(40))
        try producer.send(
            topic: Entity.payments.topic, key: Array(SilverEvents.saleId(9).utf8),
            value: moved(SilverEvents.payment(9, sale: SilverEvents.saleId(9)), to: 40), timestampMs: recordTime(40))
        try producer.flush()
        let second = try sink(broker, warehouse, group: "window-pay", window: .seconds(7 * 86_400), grace: .seconds(1))
        try second.run()
        XCTAssertEqual(second.heldIds(.sales), 2, "the newest sale, and the old one found in silver")
        XCTAssertEqual(second.statistics.rows[.payments], 1, "the payment of the old sale is accepted")
        XCTAssertEqual(second.statistics.rejects, ["reference": 1], "the payment of a sale that never was is still rejected")
        XCTAssertEqual(second.statistics.lookedUp, 2)
        XCTAssertEqual(try column(warehouse, "SELECT sale_id FROM silver.payments"), [SilverEvents.saleId(1)])
        XCTAssertEqual(try column(warehouse, "SELECT field FROM silver.rejects"), ["sale_id"])
    }

    func testTheHeldStateFollowsTheWindowNotTheHistory() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        let days = 120, perDay = 10
        try publishSales(producer, days: days, perDay: perDay)

        func held(window: Duration?) throws -> (cold: (events: Int, sales: Int), restart: (events: Int, sales: Int)) {
            let warehouse = try freshSQLiteWarehouse()
            let group = "window-held-\(UUID().uuidString.prefix(8))"
            let cold = try sink(broker, warehouse, group: group, window: window)
            try cold.run()
            XCTAssertEqual(cold.statistics.rows[.sales], days * perDay)
            XCTAssertEqual(cold.statistics.rejects, [:])
            let restart = try sink(broker, warehouse, group: group, window: window)
            try restart.run()
            return ((cold.heldEventIds, cold.heldIds(.sales)), (restart.heldEventIds, restart.heldIds(.sales)))
        }
        // A window of 10 days holds at most 10 + 1 days of sales (the horizon moves a day at a time).
        let ten = try held(window: .seconds(10 * 86_400))
        let bound = (10 + 1 + 1) * perDay
        XCTAssertLessThanOrEqual(ten.cold.sales, bound)
        XCTAssertLessThanOrEqual(ten.cold.events, bound + 3)
        XCTAssertGreaterThanOrEqual(ten.cold.sales, 10 * perDay)
        XCTAssertEqual(ten.restart.sales, 11 * perDay, "a restart loads the window's days only: the newest day and the 10 before")
        XCTAssertEqual(ten.restart.events, 11 * perDay + 3)
        // Without a window, everything is held: the state grows with history.
        let all = try held(window: nil)
        XCTAssertEqual(all.cold.sales, days * perDay)
        XCTAssertEqual(all.cold.events, days * perDay + 3)
        XCTAssertEqual(all.restart.events, days * perDay + 3)
    }

    /// A restart reads back from silver only the window's rows, not the whole history.
    func testARestartReadsOnlyTheWindowOfSilver() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        let days = 60, perDay = 5
        try publishSales(producer, days: days, perDay: perDay)
        let warehouse = try freshSQLiteWarehouse()
        let first = try sink(broker, warehouse, group: "window-read", window: .seconds(10 * 86_400))
        try first.run()
        XCTAssertEqual(first.statistics.rows[.sales], days * perDay)

        let counting = RowCountingWarehouse(warehouse)
        let restart = try sink(broker, counting, group: "window-read", window: .seconds(10 * 86_400))
        try restart.run()
        let read = counting.rows(readBy: "SELECT event_id, ", from: "silver.sales")
        XCTAssertEqual(restart.heldIds(.sales), 11 * perDay, "the newest day and the 10 before are held")
        XCTAssertEqual(read, 11 * perDay, "the start-up read asks silver for the window's rows only, not all \(days * perDay)")
    }

    /// A payment whose sale is older than the window, read moments after that sale: the look-up in
    /// silver first inserts the sale still waiting in its batch, so it is found, not rejected.
    func testALookUpWaitsForTheSaleStillOnItsWayIn() throws {
        let (s, warehouse) = try paymentOfASaleStillInItsBatch(grace: .seconds(1), group: "window-wait")
        XCTAssertEqual(s.statistics.lookedUp, 1, "the sale was looked up in silver")
        XCTAssertEqual(s.statistics.rejects, [:], "the payment found its sale")
        XCTAssertEqual(s.statistics.rows[.payments], 1)
        XCTAssertEqual(try column(warehouse, "SELECT sale_id FROM silver.payments"), [SilverEvents.saleId(1)])
    }

    /// The same payment with grace to spare: the look-up does not stop the sink for the inserts
    /// under way (on a backlog that stopped reading for seconds); silver is asked as it is, the
    /// payment asked about again a second later, and only once its grace is over does the sink
    /// wait for the sale's batch, find it, and accept the payment.
    func testALookUpWithGraceToSpareDoesNotWaitForTheInserts() throws {
        let (s, warehouse) = try paymentOfASaleStillInItsBatch(grace: .seconds(3), group: "window-spare")
        XCTAssertGreaterThanOrEqual(
            s.statistics.lookedUp, 2, "asked while the sale was still in its batch (not found, not waited for), then again")
        XCTAssertEqual(s.statistics.rejects, [:], "the payment found its sale once its grace was over")
        XCTAssertEqual(s.statistics.rows[.payments], 1)
        XCTAssertEqual(try column(warehouse, "SELECT sale_id FROM silver.payments"), [SilverEvents.saleId(1)])
    }

    /// The dimensions, then sales of days 40 and 10 (with a window of 7 days the second is
    /// accepted, not held); flushed.
    private func publishANewSaleThenAnOldOne(_ producer: Producer) throws {
        try publishDimensions(producer, customers: ["CUS-00000001"])
        try publishSale(producer, moved(SilverEvents.sale(2, customer: "CUS-00000001"), to: 40), saleId: SilverEvents.saleId(2), day: 40)
        try publishSale(producer, moved(SilverEvents.sale(1, customer: "CUS-00000001"), to: 10), saleId: SilverEvents.saleId(1), day: 10)
        try producer.flush()
    }

    /// A payment on day 40 of the day-10 sale; flushed.
    private func payTheOldSale(_ producer: Producer) throws {
        try producer.send(
            topic: Entity.payments.topic, key: Array(SilverEvents.saleId(1).utf8),
            value: moved(SilverEvents.payment(1, sale: SilverEvents.saleId(1)), to: 40), timestampMs: recordTime(40))
        try producer.flush()
    }

    /// Once the run published everything and the sink read it all, a payment whose sale is older
    /// than the window is looked up as soon as the sale landed, not a second after it was read
    /// (the look-up's pace while the stream flows): the last second of a year's `run` was spent so.
    func testAtTheEndOfTheInputAPaymentOfALandedSaleGoesInAtOnce() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishANewSaleThenAnOldOne(producer)
        let everything = Latch()
        everything.raise()
        let warehouse = try freshSQLiteWarehouse()
        let s = try sink(
            broker, warehouse, group: "window-end", window: .seconds(7 * 86_400), grace: .seconds(30), maxDelay: .seconds(600),
            published: everything)
        let started = ContinuousClock.now
        var paidAt: ContinuousClock.Instant?
        var landedAfter: Duration?
        // On the sink's own thread each pass: the payment goes out once both sales are in silver.
        try s.run(shouldStop: {
            if paidAt == nil && s.statistics.rows[.sales] == 2 {
                try? payTheOldSale(producer)
                paidAt = .now
            }
            if let paidAt, landedAfter == nil, s.statistics.rows[.payments] == 1 { landedAfter = .now - paidAt }
            return landedAfter != nil || .now - started >= .seconds(60)
        })
        XCTAssertNotNil(paidAt, "both sales landed while the sink ran")
        let after = try XCTUnwrap(landedAfter, "the payment landed")
        XCTAssertGreaterThanOrEqual(s.statistics.lookedUp, 1, "its sale was looked up in silver")
        // Read within the fetch wait (100 ms) and inserted at once; a second is the look-up's pace.
        XCTAssertLessThan(after, .milliseconds(700), "the payment waited for the next look-up instead")
        XCTAssertEqual(try column(warehouse, "SELECT sale_id FROM silver.payments"), [SilverEvents.saleId(1)])
    }

    /// A payment of a sale older than the window is asked of silver after a second, even while a
    /// fact parked before it waits its whole grace (a sale of a customer who never comes): the
    /// gate lets each go at its own deadline, not behind the one parked first.
    func testAPaymentOfAnOldSaleIsLookedUpWhileASaleParkedBeforeItWaitsItsGrace() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishANewSaleThenAnOldOne(producer)
        let warehouse = try freshSQLiteWarehouse()
        let s = try sink(broker, warehouse, group: "window-behind", window: .seconds(7 * 86_400), grace: .seconds(30))
        let started = ContinuousClock.now
        var (waitedBefore, paidAt, landedAfter): (Int?, ContinuousClock.Instant?, Duration?) = (nil, nil, nil)
        // On the sink's own thread each pass: the stranded sale once both sales landed, the
        // payment once the sink parked the stranded sale.
        try s.run(shouldStop: {
            if waitedBefore == nil && s.statistics.rows[.sales] == 2 {
                // The two sales may have waited for their customer already.
                waitedBefore = s.statistics.waited
                try? publishSale(
                    producer, moved(SilverEvents.sale(3, customer: "CUS-00000099"), to: 40), saleId: SilverEvents.saleId(3), day: 40)
                try? producer.flush()
            }
            if let waitedBefore, paidAt == nil, s.statistics.waited > waitedBefore {
                try? payTheOldSale(producer)
                paidAt = .now
            }
            if let paidAt, landedAfter == nil, s.statistics.rows[.payments] == 1 { landedAfter = .now - paidAt }
            return landedAfter != nil || .now - started >= .seconds(45)
        })
        XCTAssertNotNil(paidAt, "the stranded sale was parked while the sink ran")
        let after = try XCTUnwrap(landedAfter, "the payment landed")
        XCTAssertEqual(s.statistics.lookedUp, 1, "its sale was looked up in silver")
        // Its second in the gate, the look-up and the insert; the stranded sale's grace is 30 s.
        XCTAssertLessThan(after, .seconds(5), "the payment waited behind the stranded sale's grace")
        XCTAssertEqual(s.statistics.rows[.sales], 2, "the stranded sale still waits")
    }

    /// Two sales (days 40 and 10: with a window of 7 days the second is accepted, not held), then,
    /// once the sink has read both, a payment of the old one; batches wait up to a minute, so the
    /// sale is still in its batch when the payment's sale is looked up. The sink after its run.
    private func paymentOfASaleStillInItsBatch(grace: Duration, group: String) throws -> (SilverSink, any Warehouse) {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishANewSaleThenAnOldOne(producer)
        let warehouse = try freshSQLiteWarehouse()
        let s = try sink(broker, warehouse, group: group, window: .seconds(7 * 86_400), grace: grace, maxDelay: .seconds(60))
        var paid = false
        // Called on the sink's own thread each pass: the payment goes out only once the sink has
        // read both sales (a payment read first would simply wait in the gate for its sale).
        try s.run(shouldStop: {
            if !paid && s.monitor.snapshot().read >= 5 {
                paid = true
                try? payTheOldSale(producer)
            }
            return false
        })
        XCTAssertTrue(paid)
        return (s, warehouse)
    }

    func testCompactIdsSpellTheirTextOneToOne() {
        XCTAssertEqual(KnownIds.pack("SAL-0000000042"), KnownIds.pack("SAL-0000000042"))
        XCTAssertNotEqual(KnownIds.pack("SAL-0000000042"), KnownIds.pack("SAL-000000042"), "leading zeros count")
        XCTAssertNotEqual(KnownIds.pack("SAL-0000000042"), KnownIds.pack("PAY-0000000042"))
        XCTAssertNil(KnownIds.pack("sal-0000000042"), "any other shape is held as text")
        XCTAssertNil(KnownIds.pack("SAL-00000000000042"))
        var ids = KnownIds()
        ids.insert("SAL-0000000042", day: 5)
        ids.insert("odd id", day: 5)
        XCTAssertTrue(ids.contains("SAL-0000000042"))
        XCTAssertTrue(ids.contains("odd id"))
        XCTAssertFalse(ids.contains("SAL-000000042"))
        ids.forget(before: 6)
        XCTAssertEqual(ids.count, 0)

        var events = AcceptedEvents(window: nil)
        let c = AcceptedEvents.Coordinates(entity: .sales, partition: 3, offset: 1 << 40)
        XCTAssertNil(events.accept("0b8f7c1e-4d2a-4f3b-9c1d-2e3f4a5b6c7d", at: c, day: 1))
        XCTAssertNil(events.accept("0b8f7c1e-4d2a-4f3b-9c1d-2e3f4a5b6c7d", at: c, day: 1), "a replay at the same coordinates")
        XCTAssertEqual(
            events.accept("0b8f7c1e-4d2a-4f3b-9c1d-2e3f4a5b6c7d", at: .init(entity: .sales, partition: 4, offset: 1 << 40), day: 1),
            "shop.sales:3:1099511627776")
        XCTAssertNil(
            events.accept("0B8F7C1E-4D2A-4F3B-9C1D-2E3F4A5B6C7D", at: .init(entity: .sales, partition: 4, offset: 0), day: 1),
            "another text is another id")
        XCTAssertEqual(events.accept("0B8F7C1E-4D2A-4F3B-9C1D-2E3F4A5B6C7D", at: c, day: 1), "shop.sales:4:0")
        XCTAssertEqual(AcceptedEvents.coordinates("shop.payments:2:17"), .init(entity: .payments, partition: 2, offset: 17))
        XCTAssertNil(AcceptedEvents.coordinates("shop.payments:02:17"), "only the text the sink writes")
    }
}

/// A warehouse that counts the rows each streamed query hands back, passing everything through.
private final class RowCountingWarehouse: Warehouse, @unchecked Sendable {
    // @unchecked: `counts` is touched only under `lock`; the base warehouse is Sendable.
    private let base: any Warehouse
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(_ base: any Warehouse) { self.base = base }

    /// Rows handed back by streamed queries that begin with `prefix` and read `table`.
    func rows(readBy prefix: String, from table: String) -> Int {
        lock.withLock { counts.filter { $0.key.hasPrefix(prefix) && $0.key.contains("FROM \(table)") }.values.reduce(0, +) }
    }

    var url: String { base.url }
    var dialect: SQLDialect { base.dialect }
    func execute(_ sql: String) throws { try base.execute(sql) }
    func executeTransaction(_ sql: String) throws { try base.executeTransaction(sql) }
    func query(_ sql: String) throws -> QueryResult { try base.query(sql) }
    func forEachRow(_ sql: String, _ body: ([String?]) throws -> Void) throws {
        try base.forEachRow(sql) { row in
            lock.withLock { counts[sql, default: 0] += 1 }
            try body(row)
        }
    }
    func insert(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] { try base.insert(into: table, rows: rows) }
    func columns(of table: TableName) throws -> [Column]? { try base.columns(of: table) }
    func createDataset(_ name: String) throws { try base.createDataset(name) }
}

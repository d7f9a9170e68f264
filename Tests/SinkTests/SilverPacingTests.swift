import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// A backlog is read at uneven paces: payments can run far ahead of the sales they pay for, and
/// wait in the reference gate, each holding its message and its parsed row. The sink bounds how
/// many wait at once by pausing the partitions they came from until half of them got in.
final class SilverPacingTests: XCTestCase {
    /// 2,000 payments whose sales come only after 3,000 other sales: read unchecked, all of them
    /// would wait at once. With a bound of 200 (bursts of at most 200 read before it is checked),
    /// a few hundred at most wait; every row lands, nothing is rejected.
    func testFactsWaitingForTheirSalesAreBoundedAndAllLand() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = try freshSQLiteWarehouse()
        let config = silverConfiguration(broker, grace: .seconds(60))
        // The dimensions first, landed by a run of their own: the sales never wait for them.
        try publishDimensions(producer, customers: ["CUS-00000001"])
        try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog).run()
        let early = 3000, paid = 2000
        try publishPaymentsAheadOfTheirSales(producer, early: early, paid: paid)

        let s = try runBounded(config, warehouse)
        XCTAssertEqual(s.rows[.sales], early + paid)
        XCTAssertEqual(s.rows[.payments], paid, "every payment landed")
        XCTAssertEqual(s.rejects, [:], "nothing rejected")
        XCTAssertGreaterThan(s.waited, 0, "payments did wait for their sales")
        XCTAssertGreaterThan(s.pausedReading, 0, "reading payments was paused")
        XCTAssertGreaterThanOrEqual(s.mostWaiting, 200, "the bound was reached")
        XCTAssertLessThanOrEqual(s.mostWaiting, 3 * 200, "at most a few hundred waited at once, not all \(paid)")
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.payments"), ["\(paid)"])
    }

    /// Sales that wait for a customer read late, and payments that wait for those sales: only the
    /// payments are paused. Pausing the sales too would hold back what the payments wait for.
    func testSalesWaitingForTheirCustomerAreNeverPausedSoThePaymentsStillLand() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = try freshSQLiteWarehouse()
        let config = silverConfiguration(broker, grace: .seconds(5))
        try publishDimensions(producer)
        try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog).run()
        let customers = 3000, sales = 1000
        func customerId(_ n: Int) -> String { "CUS-" + String(repeating: "0", count: 8 - String(n).count) + String(n) }
        for n in 1...customers {
            try producer.send(
                topic: Entity.customers.topic, key: Array(customerId(n).utf8), value: SilverEvents.customer(customerId(n)),
                timestampMs: SilverEvents.dimensionTimeMs)
        }
        for n in 1...sales {
            try producer.send(
                topic: Entity.sales.topic, key: Array(SilverEvents.saleId(n).utf8),
                value: SilverEvents.sale(n, customer: customerId(customers)), timestampMs: SilverEvents.saleTimeMs)
            try producer.send(
                topic: Entity.payments.topic, key: Array(SilverEvents.saleId(n).utf8),
                value: SilverEvents.payment(n, sale: SilverEvents.saleId(n)), timestampMs: SilverEvents.saleTimeMs)
        }
        try producer.flush()

        let s = try runBounded(config, warehouse)
        XCTAssertEqual(s.rows[.customers], customers)
        XCTAssertEqual(s.rows[.sales], sales)
        XCTAssertEqual(s.rows[.payments], sales, "every payment landed")
        XCTAssertEqual(s.rejects, [:], "nothing rejected")
        XCTAssertGreaterThan(s.pausedReading, 0, "reading payments was paused")
    }

    /// `shopstream sink silver --max-waiting 100` on the same backlog: `/metrics` shows how often
    /// reading was paused (as many times as the summary says), the facts waiting and the partitions
    /// paused while they wait (scraped as it runs), and once every row landed, nothing waiting and
    /// nothing paused.
    func testThePausesShowInTheSinksMetrics() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let dir = NSTemporaryDirectory() + "pacing-metrics-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let warehouse = "sqlite://\(dir)/wh.db"
        XCTAssertEqual(try shopstream(["warehouse", "init", "--warehouse", warehouse]).status, 0)
        let sink = ["sink", "silver", "--brokers", broker.bootstrapServers, "--warehouse", warehouse, "--group", "pacing-metrics"]
        try publishDimensions(producer, customers: ["CUS-00000001"])
        let dimensions = try shopstream(sink + ["--idle-exit", "1s"])
        XCTAssertEqual(dimensions.status, 0, dimensions.stderr)
        let early = 3000, paid = 2000
        try publishPaymentsAheadOfTheirSales(producer, early: early, paid: paid)

        let port = freePort()
        let child = try Child(
            try shopstreamBinary(),
            sink + [
                "--idle-exit", "3s", "--max-waiting", "100", "--http", "127.0.0.1:\(port)",
                "-X", "max.partition.fetch.bytes=8192", "-X", "queued.max.messages.kbytes=64",
            ],
            directory: dir, label: "silver-pacing")
        func metrics() -> PrometheusSamples { PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics")?.body ?? "") }
        var last = PrometheusSamples("")
        var mostWaiting = 0.0, mostPaused = 0.0
        XCTAssertTrue(
            eventually(timeout: 120) {
                last = metrics()
                mostWaiting = max(mostWaiting, last.sum("shopstream_silver_waiting_facts"))
                mostPaused = max(mostPaused, last.sum("shopstream_silver_paused_lanes"))
                return last.sum("shopstream_sink_records_landed_total", ["topic": Entity.payments.topic]) == Double(paid)
                    && last.sum("shopstream_silver_waiting_facts") == 0
            }, "every payment landed and nothing waits\n\(child.stderr.suffix(2000))")
        for gauge in ["shopstream_silver_waiting_facts", "shopstream_silver_paused_lanes"] {
            XCTAssertTrue(last.samples.contains { $0.name == gauge }, "\(gauge) is exported")
        }
        XCTAssertGreaterThan(mostWaiting, 0, "the waiting facts were seen in the gauge")
        XCTAssertGreaterThan(mostPaused, 0, "the paused partitions were seen in the gauge")
        XCTAssertEqual(last.sum("shopstream_silver_paused_lanes"), 0, "nothing paused once nothing waits")
        let pauses = last.sum("shopstream_silver_reading_paused_total")
        XCTAssertGreaterThan(pauses, 0, "reading payments was paused")
        XCTAssertEqual(child.wait(timeout: 60), 0, child.stderr.suffix(2000).description)
        XCTAssertTrue(
            child.stdout.contains("reading paused \(Int(pauses)) times to bound them"), "the summary says as many: \(child.stdout)")
    }

    /// `early + paid` sales of customer CUS-00000001, then `paid` payments, one for each of the
    /// last `paid` sales: read side by side, the payments run ahead of what they pay for.
    private func publishPaymentsAheadOfTheirSales(_ producer: Producer, early: Int, paid: Int) throws {
        for n in 1...(early + paid) {
            try producer.send(
                topic: Entity.sales.topic, key: Array(SilverEvents.saleId(n).utf8),
                value: SilverEvents.sale(n, customer: "CUS-00000001"), timestampMs: SilverEvents.saleTimeMs)
        }
        for k in 1...paid {
            let sale = SilverEvents.saleId(early + k)
            try producer.send(
                topic: Entity.payments.topic, key: Array(sale.utf8), value: SilverEvents.payment(k, sale: sale),
                timestampMs: SilverEvents.saleTimeMs)
        }
        try producer.flush()
    }

    /// Runs a sink of `config` with a bound of 200 waiting facts, small fetches and a small
    /// prefetch queue: the facts arrive over many polls, as in a backlog far larger than what
    /// librdkafka holds ahead. Its statistics.
    private func runBounded(_ config: SilverConfiguration, _ warehouse: any Warehouse) throws -> SilverSink.Statistics {
        var config = config
        config.maxWaitingFacts = 200
        config.connection.properties["max.partition.fetch.bytes"] = "8192"
        config.connection.properties["queued.max.messages.kbytes"] = "64"
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try sink.run()
        return sink.statistics
    }
}

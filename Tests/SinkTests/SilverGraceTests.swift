import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// Topics are consumed independently, so a fact can be read before the dimension it references:
/// it waits beside the stream for up to the reference grace. It lands if the dimension comes in
/// time, is rejected for its reference if not, and while it waits its partition's committed
/// offset stays at it, so a sink stopped meanwhile reads it again.
final class SilverGraceTests: XCTestCase {
    func testASaleReadBeforeItsCustomerLandsWhenTheCustomerComesWithinTheGrace() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer)  // the product and the store; the customer not yet
        try producer.send(
            topic: Entity.sales.topic, key: Array("SAL-0000000001".utf8),
            value: SilverEvents.sale(1, customer: "CUS-00000001"), timestampMs: SilverEvents.saleTimeMs)
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        var config = silverConfiguration(broker, grace: .seconds(30))
        config.idleExit = nil
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)

        // The customer is published a second after the sink has read the sale and parked it.
        var parkedAt: ContinuousClock.Instant?
        var customerSent = false
        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(shouldStop: {
            let s = sink.statistics
            if parkedAt == nil && s.waited == 1 { parkedAt = .now }
            if let parkedAt, !customerSent, ContinuousClock.now - parkedAt >= .seconds(1) {
                try? producer.send(
                    topic: Entity.customers.topic, key: Array("CUS-00000001".utf8),
                    value: SilverEvents.customer("CUS-00000001"), timestampMs: SilverEvents.dimensionTimeMs)
                try? producer.flush()
                customerSent = true
            }
            return s.rows[.sales] == 1 || s.totalRejects > 0 || ContinuousClock.now > deadline
        })

        let s = sink.statistics
        XCTAssertNotNil(parkedAt, "the sale waited for its customer")
        XCTAssertTrue(customerSent, "the customer was published only after the sale was parked")
        XCTAssertEqual(s.waited, 1)
        XCTAssertEqual(s.rows[.sales], 1, "the sale landed once its customer came")
        XCTAssertEqual(s.rows[.customers], 1)
        XCTAssertEqual(s.rejects, [:], "nothing rejected")
        XCTAssertEqual(try column(warehouse, "SELECT customer_id FROM silver.sales"), ["CUS-00000001"])
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.rejects"), ["0"])
    }

    func testASaleWhoseCustomerNeverComesIsRejectedForItsReferenceOnceTheGraceIsOver() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer)
        // Other customers, one in each partition, published after the sale's time: the customers
        // topic is read past the sale, so its customer is not merely late in a backlog.
        let customerPartitions = try XCTUnwrap(silverCatalog.definitions.first { $0.name == Entity.customers.topic }?.partitions)
        for p in 0..<customerPartitions {
            let id = "CUS-0000010\(p)"
            try producer.send(
                topic: Entity.customers.topic, key: Array(id.utf8), value: SilverEvents.customer(id),
                timestampMs: SilverEvents.saleTimeMs + 1000, partition: Int32(p))
        }
        let sale = SilverEvents.sale(7, customer: "CUS-00000099")
        let headers = [KafkaHeader("trace", "t-7")]
        try producer.send(
            topic: Entity.sales.topic, key: Array("SAL-0000000007".utf8), value: sale, headers: headers,
            timestampMs: SilverEvents.saleTimeMs, partition: 2)
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        let grace: Duration = .seconds(2)
        var config = silverConfiguration(broker, grace: grace)
        config.idleExit = nil
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)

        // `notYetParked` is the last moment the sale was seen not waiting: it was parked after it,
        // so it cannot be rejected before notYetParked + grace.
        var notYetParked = ContinuousClock.now
        var rejectedSeen: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(shouldStop: {
            let s = sink.statistics
            if s.waited == 0 { notYetParked = .now }
            if rejectedSeen == nil && s.totalRejects > 0 { rejectedSeen = .now }
            return rejectedSeen != nil || ContinuousClock.now > deadline
        })

        let s = sink.statistics
        XCTAssertEqual(s.waited, 1)
        XCTAssertEqual(s.rejects, ["reference": 1])
        XCTAssertNil(s.rows[.sales], "the sale is not in silver.sales")
        let rejected = try XCTUnwrap(rejectedSeen)
        XCTAssertGreaterThanOrEqual(rejected - notYetParked, grace, "rejected only once the grace was over")

        let rows = try warehouse.query("SELECT source_topic, source_partition, source_offset, field, reason FROM silver.rejects").rows
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first.map { Array($0[0...3]) }, ["shop.sales", "2", "0", "customer_id"])
        XCTAssertEqual(rows.first?[4], "customer_id: unknown customers id CUS-00000099 (not seen within 2.0 seconds)")
        let letters = try drain(broker.bootstrapServers, topics: [Entity.deadLetterTopic], expected: 1, timeout: .seconds(30))
        XCTAssertEqual(letters.count, 1)
        XCTAssertEqual(letters.first?.headers, headers + [KafkaHeader("shopstream-reason", "reference")])
    }

    func testOnAQuietStreamTheGraceIsTheGraceTheUserSet() throws {
        // Nothing at all on shop.customers: it is read to its end from the start, so the sale's
        // customer cannot be on the way. The sale is rejected after the grace, not after ten
        // graces (which is how long a fact may wait while a topic is still being read up to it).
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer)
        try producer.send(
            topic: Entity.sales.topic, key: Array("SAL-0000000009".utf8),
            value: SilverEvents.sale(9, customer: "CUS-00000009"), timestampMs: SilverEvents.saleTimeMs, partition: 1)
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        let grace: Duration = .seconds(3)
        var config = silverConfiguration(broker, grace: grace)
        config.idleExit = nil
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)

        var parkedAt: ContinuousClock.Instant?
        var rejectedAt: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + grace * 10 + .seconds(20)
        try sink.run(shouldStop: {
            let s = sink.statistics
            if parkedAt == nil && s.waited == 1 { parkedAt = .now }
            if rejectedAt == nil && s.totalRejects > 0 { rejectedAt = .now }
            return rejectedAt != nil || ContinuousClock.now > deadline
        })

        XCTAssertEqual(sink.statistics.rejects, ["reference": 1])
        let waited = try XCTUnwrap(rejectedAt) - XCTUnwrap(parkedAt)
        XCTAssertGreaterThanOrEqual(waited, grace - .milliseconds(100), "the grace is given in full")
        XCTAssertLessThan(
            waited, grace * 5, "rejected after about the grace (\(waited)), not after up to ten graces as for a topic still being read")
    }

    func testASaleStillWaitingWhenTheSinkStopsHoldsItsPartitionsCommitAndIsReadAgain() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        // Partition 0 of shop.sales: offset 0 lands, offset 1 waits for CUS-00000002, offset 2 lands.
        for (n, customer) in [(1, "CUS-00000001"), (2, "CUS-00000002"), (3, "CUS-00000001")] {
            try producer.send(
                topic: Entity.sales.topic, key: Array(SilverEvents.saleId(n).utf8), value: SilverEvents.sale(n, customer: customer),
                timestampMs: SilverEvents.saleTimeMs, partition: 0)
        }
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        var config = silverConfiguration(broker, grace: .seconds(60))
        config.idleExit = nil
        // When a member leaves, librdkafka's mock cluster answers the next join only after a
        // rebalance of the session timeout less a second: a short session keeps the restart quick.
        config.connection.properties["session.timeout.ms"] = "4000"
        config.connection.properties["heartbeat.interval.ms"] = "500"
        let sales0 = TopicPartition(Entity.sales.topic, 0)

        // First run: stopped once sales 1 and 3 are in the table; sale 2 can only be waiting.
        let first = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        let deadline = ContinuousClock.now + .seconds(60)
        try first.run(shouldStop: {
            first.statistics.rows[.sales] == 2 || ContinuousClock.now > deadline
        })
        XCTAssertEqual(first.statistics.rows[.sales], 2)
        XCTAssertEqual(first.statistics.totalRejects, 0)
        XCTAssertEqual(try column(warehouse, "SELECT sale_id FROM silver.sales ORDER BY sale_id"), ["SAL-0000000001", "SAL-0000000003"])
        let committed = try Consumer.committed([sales0], groupId: config.groupId, connection: config.connection)
        XCTAssertEqual(committed[sales0], 1, "committed at the waiting sale (offset 1), not past it, though offset 2 is in the table")

        // Second run, same group, once the customer exists: it reads sale 2 again, and sale 3 after it.
        try producer.send(
            topic: Entity.customers.topic, key: Array("CUS-00000002".utf8), value: SilverEvents.customer("CUS-00000002"),
            timestampMs: SilverEvents.dimensionTimeMs)
        try producer.flush()
        config.idleExit = .seconds(2)
        let second = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try second.run()
        XCTAssertEqual(
            second.statistics.rows[.sales], 1, "sale 2 read again from the committed offset, and inserted: \(second.statistics.rows)")
        XCTAssertEqual(second.statistics.alreadyHeld, 1, "sale 3 read again after it, and found in silver")
        XCTAssertEqual(second.statistics.totalRejects, 0, "\(second.statistics.rejects)")
        XCTAssertEqual(
            try column(warehouse, "SELECT sale_id FROM silver.sales_dedup ORDER BY sale_id"),
            ["SAL-0000000001", "SAL-0000000002", "SAL-0000000003"])
        // Sale 3, past the commit, is in the raw table once: the second run did not insert it again.
        XCTAssertEqual(
            try column(
                warehouse, "SELECT COUNT(DISTINCT _insert_id) || '/' || COUNT(*) FROM silver.sales WHERE sale_id = 'SAL-0000000003'"),
            ["1/1"])
        XCTAssertEqual(try Consumer.committed([sales0], groupId: config.groupId, connection: config.connection)[sales0], 3)
    }

    /// A payment waits for its sale, and the sale for its customer. The customer arrives just as
    /// the payment's grace runs out: in one pass the sale is released and accepted, and the
    /// payment expires; it must see its sale as known then and land, not wait on for a sale that
    /// can no longer wake it (the sink crashed on an empty list of missing references there).
    func testAFactWhoseGraceEndsAsItsDimensionIsReleasedLands() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer)
        // The payment's record time is past every sale, so shop.sales is never "read up to" it.
        try producer.send(
            topic: Entity.payments.topic, key: Array("SAL-0000000100".utf8), value: SilverEvents.payment(100, sale: "SAL-0000000100"),
            timestampMs: SilverEvents.saleTimeMs + 60_000)
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        let grace: Duration = .seconds(5)
        var config = silverConfiguration(broker, grace: grace)
        config.idleExit = nil
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)

        var paymentParked: ContinuousClock.Instant?
        var salePublished: ContinuousClock.Instant?
        var customerPublished = false
        var setUpInTime = true
        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(shouldStop: {
            let s = sink.statistics
            let now = ContinuousClock.now
            if paymentParked == nil && s.waited == 1 { paymentParked = now }
            if let paymentParked, salePublished == nil, now - paymentParked >= .milliseconds(500) {
                // The sale comes half a second after the payment waits, so its own grace ends later.
                try? producer.send(
                    topic: Entity.sales.topic, key: Array("SAL-0000000100".utf8),
                    value: SilverEvents.sale(100, customer: "CUS-00000002"), timestampMs: SilverEvents.saleTimeMs)
                try? producer.flush()
                salePublished = now
            }
            if let paymentParked, salePublished != nil, !customerPublished, s.waited == 2 {
                try? producer.send(
                    topic: Entity.customers.topic, key: Array("CUS-00000002".utf8), value: SilverEvents.customer("CUS-00000002"),
                    timestampMs: SilverEvents.dimensionTimeMs)
                try? producer.flush()
                customerPublished = true
                // Hold the sink until the payment's grace is over (the sale's is not): its next
                // pass reads the customer, releases the sale and expires the payment together.
                let resume = paymentParked + grace + .milliseconds(200)
                if now < resume { Thread.sleep(forTimeInterval: (resume - now).timeInterval) } else { setUpInTime = false }
            }
            return s.rows[.payments] == 1 || s.totalRejects > 0 || now > deadline
        })

        let s = sink.statistics
        XCTAssertTrue(customerPublished && setUpInTime, "the sale was parked before the payment's grace ran out (set-up)")
        XCTAssertEqual(s.waited, 2, "the payment and the sale waited")
        XCTAssertEqual(s.rejects, [:], "nothing rejected")
        XCTAssertEqual(s.rows[.sales], 1)
        XCTAssertEqual(s.rows[.payments], 1, "the payment landed with its sale")
    }

    /// A payment waits for its sale while the sale waits for its customer. The payment must wait as
    /// long as its sale does, not be rejected when its own grace ends because shop.sales has been
    /// read to its end: its sale was read, it is waiting too. (The payment is read first, then the
    /// sale, then the customer comes after the payment's grace and within the sale's.)
    func testAPaymentWaitsAsLongAsItsSaleWaitsForItsCustomer() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        try producer.send(
            topic: Entity.payments.topic, key: Array("SAL-0000000100".utf8), value: SilverEvents.payment(100, sale: "SAL-0000000100"),
            timestampMs: SilverEvents.saleTimeMs + 60_000)
        try producer.flush()
        let warehouse = try freshSQLiteWarehouse()
        let grace: Duration = .seconds(4)
        var config = silverConfiguration(broker, grace: grace)
        config.idleExit = nil
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)

        var paymentParked: ContinuousClock.Instant?, saleParked: ContinuousClock.Instant?
        var saleSent = false, customerSentAt: ContinuousClock.Instant?
        var setUpInTime = true
        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(shouldStop: {
            let s = sink.statistics
            let now = ContinuousClock.now
            if paymentParked == nil && s.waited == 1 { paymentParked = now }
            if let paymentParked, !saleSent, now - paymentParked >= .seconds(1) {
                try? producer.send(
                    topic: Entity.sales.topic, key: Array("SAL-0000000100".utf8), value: SilverEvents.sale(100, customer: "CUS-00000002"),
                    timestampMs: SilverEvents.saleTimeMs)
                try? producer.flush()
                saleSent = true
            }
            if saleParked == nil && s.waited == 2 { saleParked = now }
            if let paymentParked, let saleParked, customerSentAt == nil, now >= paymentParked + grace + .milliseconds(300) {
                if now > saleParked + grace - .milliseconds(300) { setUpInTime = false }
                try? producer.send(
                    topic: Entity.customers.topic, key: Array("CUS-00000002".utf8), value: SilverEvents.customer("CUS-00000002"),
                    timestampMs: SilverEvents.dimensionTimeMs)
                try? producer.flush()
                customerSentAt = now
            }
            return s.rows[.payments] == 1 || s.totalRejects > 0 || now > deadline
        })

        let s = sink.statistics
        XCTAssertNotNil(customerSentAt, "the customer came after the payment's grace")
        XCTAssertTrue(setUpInTime, "the customer came within the sale's grace (set-up)")
        XCTAssertEqual(s.waited, 2, "the payment and the sale waited")
        XCTAssertEqual(s.rejects, [:], "nothing rejected")
        XCTAssertEqual(s.rows[.sales], 1)
        XCTAssertEqual(s.rows[.payments], 1, "the payment landed once its sale did")
    }
}

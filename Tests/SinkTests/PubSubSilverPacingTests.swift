import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamPubSub
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// On Pub/Sub the facts that wait for their dimensions are bounded as on Kafka (`SilverPacingTests`),
/// by not pulling their subscriptions until half of them got in (a private Pub/Sub emulator).
final class PubSubSilverPacingTests: XCTestCase {
    override class func tearDown() { PrivatePubSubEmulator.stop(for: self) }

    /// 2,000 payments whose sales come only after 3,000 other sales, both subscriptions pulled at
    /// once: unbounded, most of the payments would wait together (pulled as fast as the sales). With a bound
    /// of 200 the payments' subscription is not pulled while 200 wait: a few hundred at most wait
    /// (the bursts read before the count is checked, and what was pulled ahead), every row lands,
    /// nothing is rejected, and reading was paused.
    func testFactsWaitingForTheirSalesAreBoundedByNotPullingTheirSubscription() throws {
        let emulator = try PrivatePubSubEmulator.shared(by: Self.self)
        let project = "pacing-" + UUID().uuidString.prefix(8).lowercased()
        let client = try PubSubClient(project: project, environment: ["PUBSUB_EMULATOR_HOST": emulator.host])
        let entities: [Entity] = [.customers, .products, .stores, .sales, .payments]
        _ = try client.createTopic(TopicResource(id: Entity.deadLetterTopic))
        for e in entities {
            _ = try client.createTopic(TopicResource(id: e.topic))
            _ = try client.createSubscription(
                SubscriptionResource(
                    id: PubSubTopology.subscription(e, .silver), topic: e.topic, ackDeadlineSeconds: 60, enableMessageOrdering: false))
        }
        func publish(_ entity: Entity, _ events: [(key: String, value: [UInt8], timeMs: Int64)]) throws {
            let messages = events.map {
                OutgoingMessage(data: $0.value, attributes: [EventAttributes.eventTimeMs: String($0.timeMs)], orderingKey: $0.key)
            }
            for start in stride(from: 0, to: messages.count, by: 500) {
                _ = try client.publish(topic: entity.topic, messages: Array(messages[start..<min(start + 500, messages.count)]))
            }
        }
        var config = SilverConfiguration.pubSub()
        config.topics = entities.map(\.topic)
        config.idleExit = .seconds(2)
        config.referenceGrace = .seconds(60)
        config.maxWaitingFacts = 200
        let warehouse = try freshSQLiteWarehouse()

        // The dimensions first, landed by a run of their own: the sales never wait for them.
        try publish(.customers, [("CUS-00000001", SilverEvents.customer("CUS-00000001"), SilverEvents.dimensionTimeMs)])
        try publish(.products, [("PRD-0001", SilverEvents.product("PRD-0001"), SilverEvents.dimensionTimeMs)])
        try publish(.stores, [("STR-01", SilverEvents.store("STR-01"), SilverEvents.dimensionTimeMs)])
        try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog, pubSub: client).run()
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["1"])

        let early = 3000, paid = 2000
        try publish(
            .sales,
            (1...(early + paid)).map {
                (SilverEvents.saleId($0), SilverEvents.sale($0, customer: "CUS-00000001"), SilverEvents.saleTimeMs)
            })
        try publish(
            .payments,
            (1...paid).map { k in
                let sale = SilverEvents.saleId(early + k)
                return (sale, SilverEvents.payment(k, sale: sale), SilverEvents.saleTimeMs)
            })

        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog, pubSub: client)
        try sink.run()
        let s = sink.statistics
        XCTAssertEqual(s.rows[.sales], early + paid)
        XCTAssertEqual(s.rows[.payments], paid, "every payment landed")
        XCTAssertEqual(s.rejects, [:], "nothing rejected")
        XCTAssertGreaterThan(s.pausedReading, 0, "pulling payments was paused")
        XCTAssertGreaterThanOrEqual(s.mostWaiting, 200, "the bound was reached")
        XCTAssertLessThanOrEqual(s.mostWaiting, 3 * 200, "at most a few hundred waited at once, not all \(paid)")
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.payments"), ["\(paid)"])
    }
}

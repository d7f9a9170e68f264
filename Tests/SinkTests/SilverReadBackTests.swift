import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// A sink that reads again what silver already holds (a run inserted or dead-lettered it and died
/// before committing) asks silver first, when its partitions are assigned, and settles those
/// messages without inserting or dead-lettering them again: each message once in the raw tables,
/// once in silver.rejects and once on shop.dlq.
///
/// A second consumer group over the same warehouse stands in for the crashed run's restart: it has
/// nothing committed, so it reads everything the first group landed again, the widest case of
/// "past the committed offset".
final class SilverReadBackTests: XCTestCase {
    func testMessagesSilverAlreadyHoldsAreSettledNotInsertedOrDeadLetteredAgain() throws {
        try checkReadBack(into: try freshSQLiteWarehouse())
    }

    func testMessagesSilverAlreadyHoldsAreSettledNotInsertedOrDeadLetteredAgainInTheBigQueryEmulator() throws {
        try checkReadBack(into: try emptiedEmulatorWarehouse())
    }

    private func checkReadBack(into warehouse: any Warehouse, file: StaticString = #filePath, line: UInt = #line) throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        try publishSales(producer, 1...4, broken: "not json, first run")

        let first = try SilverSink(configuration: configuration(broker), warehouse: warehouse, catalog: silverCatalog)
        try first.run()
        XCTAssertEqual(first.statistics.totalRows, 3 + 4, "the dimensions and four sales", file: file, line: line)
        XCTAssertEqual(first.statistics.rejects, ["json": 1], file: file, line: line)

        // More comes after the first run; the second reads everything from the beginning.
        try publishSales(producer, 5...6, broken: "not json, second run")
        let second = try SilverSink(configuration: configuration(broker), warehouse: warehouse, catalog: silverCatalog)
        try second.run()
        let s = second.statistics
        XCTAssertEqual(s.alreadyHeld, 3 + 4 + 1, "what the first run inserted or dead-lettered is settled as held", file: file, line: line)
        XCTAssertEqual(s.totalRows, 2, "only the two new sales are inserted", file: file, line: line)
        XCTAssertEqual(s.rejects, ["json": 1], "only the new broken message is dead-lettered", file: file, line: line)

        // The raw tables: every message once.
        for entity in Entity.allCases {
            let repeated = try warehouse.query(
                """
                SELECT _source_topic, _source_partition, _source_offset, COUNT(*) FROM silver.\(entity.rawValue)
                GROUP BY _source_topic, _source_partition, _source_offset HAVING COUNT(*) > 1
                """
            ).rows
            XCTAssertEqual(repeated, [], "silver.\(entity.rawValue): no message twice in the raw table", file: file, line: line)
        }
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.sales"), ["6"], file: file, line: line)
        XCTAssertEqual(
            try column(
                warehouse,
                "SELECT COUNT(*) FROM (SELECT source_partition, source_offset FROM silver.rejects GROUP BY source_partition, source_offset HAVING COUNT(*) > 1) AS t"
            ), ["0"], "silver.rejects: each rejected message once", file: file, line: line)
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.rejects"), ["2"], file: file, line: line)
        let dlqPartitions = try XCTUnwrap(silverCatalog.definitions.first { $0.name == Entity.deadLetterTopic }?.partitions)
        let letters = try TopicAdmin(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
            .messageCounts(Entity.deadLetterTopic, partitions: dlqPartitions).reduce(0, +)
        XCTAssertEqual(letters, 2, "shop.dlq: each rejected message once", file: file, line: line)

        // Settled, the held messages are committed like any other: the second group is at the end.
        let admin = try TopicAdmin(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
        let sales = try XCTUnwrap(silverCatalog.definitions.first { $0.name == Entity.sales.topic }?.partitions)
        let lanes = (0..<sales).map { TopicPartition(Entity.sales.topic, Int32($0)) }
        let committed = try Consumer.committed(
            lanes, groupId: second.configuration.groupId, connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
        let ends = try admin.watermarks(Entity.sales.topic, partitions: sales).map(\.high)
        XCTAssertEqual(lanes.map { (committed[$0] ?? nil) ?? 0 }, ends, "shop.sales committed to its end", file: file, line: line)
    }

    private func configuration(_ broker: EmbeddedBroker) -> SilverConfiguration {
        silverConfiguration(broker, grace: .seconds(5))
    }

    /// Sales of customer CUS-00000001, and one message on shop.sales that is not JSON.
    private func publishSales(_ producer: Producer, _ numbers: ClosedRange<Int>, broken: String) throws {
        for n in numbers {
            try producer.send(
                topic: Entity.sales.topic, key: Array(SilverEvents.saleId(n).utf8), value: SilverEvents.sale(n, customer: "CUS-00000001"),
                timestampMs: SilverEvents.saleTimeMs)
        }
        try producer.send(
            topic: Entity.sales.topic, key: Array("SAL-BROKEN".utf8), value: Array(broken.utf8), timestampMs: SilverEvents.saleTimeMs)
        try producer.flush()
    }
}

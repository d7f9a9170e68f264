import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import TestSupport
import XCTest

/// Publishes through a producer and keeps a copy of what was published.
private struct TeeSink: EventSink {
    let producer: Producer
    var copy = EventCollector()
    let limit: Int

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        _ = try producer.emit(entity, key: key, value: value, timestampMs: timestampMs)
        _ = try copy.emit(entity, key: key, value: value, timestampMs: timestampMs)
        return copy.events.count < limit
    }
}

final class GeneratorToKafkaTests: XCTestCase {
    func testALargeRunArrivesWhole_ByteForByte_AndReferencesOnlyPublishedDimensions() throws {
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        let broker = try EmbeddedBroker(topics: catalog.definitions)
        let producer = try Producer(
            configuration: ProducerConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers)))
        let total = 120_000
        var sink = TeeSink(producer: producer, limit: total)
        let simulator = Simulator(config: SimulationConfig())
        while try simulator.emitNextDay(into: &sink) {}
        try producer.flush()
        XCTAssertEqual(producer.statistics.delivered, total)

        let received = try drain(broker.bootstrapServers, topics: Entity.allCases.map(\.topic), expected: total, timeout: .seconds(120))
        XCTAssertEqual(received.count, total, "every published event is on the broker")

        // The same bytes, keys and business timestamps came back, in the order they were
        // published: a key lives in one partition, and each partition's log, by offset, is the
        // published sequence of the events whose keys it holds.
        let sent = Dictionary(grouping: sink.copy.events, by: { $0.entity.topic })
        let byTopic = Dictionary(grouping: received, by: \.topic)
        for (topic, events) in sent {
            let got = byTopic[topic] ?? []
            XCTAssertEqual(got.count, events.count, topic)
            var partitionOfKey: [[UInt8]: Int32] = [:]
            for m in got
            where partitionOfKey.updateValue(m.partition, forKey: m.key ?? [])
                .map({ $0 != m.partition }) ?? false
            {
                XCTFail("\(topic): key \(String(decoding: m.key ?? [], as: UTF8.self)) is in two partitions")
            }
            let logs = Dictionary(grouping: got, by: \.partition).mapValues {
                $0.sorted { $0.offset < $1.offset }.map { KeyValue(key: $0.key ?? [], value: $0.value, ts: $0.timestampMs ?? -1) }
            }
            let published = Dictionary(grouping: events, by: { partitionOfKey[$0.key] ?? -1 }).mapValues {
                $0.map { KeyValue(key: $0.key, value: $0.value, ts: $0.timestampMs) }
            }
            XCTAssertEqual(Set(logs.keys), Set(published.keys), "\(topic): partitions written")
            for (partition, log) in logs.sorted(by: { $0.key < $1.key }) {
                let expected = published[partition] ?? []
                let differs =
                    log.indices.first { $0 >= expected.count || log[$0] != expected[$0] }
                    ?? (log.count < expected.count ? log.count : nil)
                if let i = differs {
                    XCTFail(
                        "\(topic)[\(partition)]: the log's message #\(i) is not the #\(i) event published to it (\(log.count) in the log, \(expected.count) published)"
                    )
                }
            }
        }

        // Referential integrity over what Kafka holds: every reference resolves.
        func ids(_ topic: String, _ field: String) -> Set<String> {
            Set((byTopic[topic] ?? []).compactMap { json($0.value)[field] as? String })
        }
        let customers = ids("shop.customers", "customer_id"), products = ids("shop.products", "product_id")
        let stores = ids("shop.stores", "store_id"), sales = ids("shop.sales", "sale_id")
        XCTAssertFalse(sales.isEmpty)
        for m in byTopic["shop.sales"] ?? [] {
            let o = json(m.value)
            XCTAssertTrue(customers.contains(o["customer_id"] as! String), "sale references an unknown customer: \(o)")
            XCTAssertTrue(products.contains(o["product_id"] as! String))
            XCTAssertTrue(stores.contains(o["store_id"] as! String))
        }
        for topic in ["shop.payments", "shop.shipping"] {
            for m in byTopic[topic] ?? [] {
                XCTAssertTrue(sales.contains(json(m.value)["sale_id"] as! String), "\(topic) references an unknown sale")
            }
        }
        // A sale, its payments and its shipment share a key, so the same partition number.
        let salePartition = Dictionary((byTopic["shop.sales"] ?? []).map { ($0.key!, $0.partition) }, uniquingKeysWith: { a, _ in a })
        for m in (byTopic["shop.payments"] ?? []) + (byTopic["shop.shipping"] ?? []) {
            XCTAssertEqual(salePartition[m.key!], m.partition, "\(m.topic) offset \(m.offset) is not in its sale's partition")
        }
    }
}

private struct KeyValue: Hashable { let key: [UInt8]; let value: [UInt8]; let ts: Int64 }

private func json(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}

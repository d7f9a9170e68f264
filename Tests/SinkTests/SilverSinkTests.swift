import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// The silver sink against both warehouses: the embedded SQLite file and the
/// BigQuery emulator (BIGQUERY_EMULATOR_HOST), through a real Kafka-protocol broker.
final class SilverSinkTests: XCTestCase {
    /// A broker holding `events` generated events (seed 42).
    private func brokerWithGeneratedEvents(_ events: Int) throws -> EmbeddedBroker {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        var sink = LimitedSink(producer: producer, limit: events)
        let simulator = Simulator(config: SimulationConfig())
        while try simulator.emitNextDay(into: &sink) {}
        try producer.flush()
        return broker
    }

    /// The emulator's warehouse, emptied; skipped without the emulator, except under CI=true.
    private func emulatorWarehouse() throws -> any Warehouse {
        _ = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")
        let warehouse = try makeWarehouse(url: "bigquery://shopstream")
        try initialiseSilver(warehouse)
        // The emulator lives for the whole test run: start each test from empty tables.
        for table in try SilverSchema(catalog: silverCatalog).allTables {
            try warehouse.execute("DELETE FROM \(table.name) WHERE TRUE;")
        }
        return warehouse
    }

    private func runSink(_ broker: EmbeddedBroker, into warehouse: any Warehouse) throws -> SilverSink.Statistics {
        try initialiseSilver(warehouse)
        let sink = try SilverSink(configuration: silverConfiguration(broker, grace: .seconds(5)), warehouse: warehouse, catalog: silverCatalog)
        try sink.run()
        return sink.statistics
    }

    /// Every de-duplicated view, as sorted text rows without ingest times.
    private func snapshot(_ warehouse: any Warehouse) throws -> [String: [[String?]]] {
        var out: [String: [[String?]]] = [:]
        let schema = try SilverSchema(catalog: silverCatalog)
        for entity in Entity.allCases {
            let columns = schema.table(for: entity).columns.map(\.name).filter { $0 != SilverSchema.ingestedAtColumn }
            let result = try warehouse.query("SELECT \(columns.joined(separator: ", ")) FROM \(schema.table(for: entity).name) ORDER BY \(SilverSchema.insertIdColumn)")
            out[entity.rawValue] = result.rows
        }
        return out
    }

    func testTheSameStreamLandsIdenticallyInSQLiteAndTheBigQueryEmulator() throws {
        let bigquery = try emulatorWarehouse()
        let broker = try brokerWithGeneratedEvents(12_000)
        let sqlite = try freshSQLiteWarehouse()

        let a = try runSink(broker, into: sqlite)
        let b = try runSink(broker, into: bigquery)
        XCTAssertEqual(a.totalRows, 12_000, "zero rows lost")
        XCTAssertEqual(a.totalRejects, 0, "\(a.rejects)")
        XCTAssertEqual(b.totalRows, 12_000)
        let left = try snapshot(sqlite), right = try snapshot(bigquery)
        for entity in Entity.allCases {
            XCTAssertEqual(left[entity.rawValue]?.count, right[entity.rawValue]?.count, entity.rawValue)
            XCTAssertEqual(left[entity.rawValue], right[entity.rawValue], "\(entity.rawValue): same values in both warehouses")
        }

        // The seed's join: one row per sale, every sale with its customer, product and store.
        let join = try String(contentsOf: TopicCatalog.sourceDirectory.deletingLastPathComponent().appendingPathComponent("sql/joins.sql"), encoding: .utf8)
        for warehouse in [sqlite, bigquery] {
            let sales = try warehouse.query("SELECT COUNT(*) FROM silver.sales_dedup").rows[0][0]
            let rows = try warehouse.query(join.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";")))
            XCTAssertEqual(String(rows.rows.count), sales, "\(warehouse.url): one row per sale")
            XCTAssertEqual(Set(rows.rows.map { $0[0] }).count, rows.rows.count)
            let c = rows.columns
            for row in rows.rows {
                XCTAssertNotNil(row[c.firstIndex(of: "customer_name")!])
                XCTAssertNotNil(row[c.firstIndex(of: "product")!])
                XCTAssertNotNil(row[c.firstIndex(of: "store_name")!])
            }
        }
    }

    /// README: rejects go to shop.dlq (original bytes and headers, coordinates, reason) and
    /// silver.rejects, with a reason that names the field. Each broken message is sent to a known
    /// partition and offset, and its reject is found there, in the table and on the topic.
    func testEachBrokenEventIsDeadLetteredWithItsCoordinatesBytesHeadersAndAReasonNamingItsField() throws {
        let broker = try brokerWithGeneratedEvents(6_000)
        let producer = try silverProducer(broker)
        // A good sale to break in many ways; the corpus goes to its partition.
        let good = try XCTUnwrap(drain(broker.bootstrapServers, topics: [Entity.sales.topic], expected: 1).first)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(good.value)) as? [String: Any])
        func variant(_ change: (inout [String: Any]) -> Void) -> [UInt8] {
            var o = object
            change(&o)
            o["event_id"] = UUID().uuidString.lowercased()
            return Array(try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]))
        }
        struct Item {
            var value: [UInt8]
            var field: String?   // nil: the message as a whole
            var rule: String
        }
        let corpus: [Item] = [
            Item(value: Array("{\"sale_id\": ".utf8), field: nil, rule: "json"),
            Item(value: [0xFF, 0xFE, 0x7B], field: nil, rule: "utf8"),
            Item(value: variant { $0["quantity"] = "two" }, field: "quantity", rule: "type"),
            Item(value: variant { $0.removeValue(forKey: "customer_id") }, field: "customer_id", rule: "required"),
            Item(value: variant { $0["quantity"] = 0 }, field: "quantity", rule: "minimum"),
            Item(value: variant { $0["unit_price"] = -5 }, field: "unit_price", rule: "minimum"),
            Item(value: variant { $0["channel"] = "Carrier Pigeon" }, field: "channel", rule: "enum"),
            Item(value: variant { $0["customer_id"] = "CUS-99999999"; $0["sale_id"] = "SAL-9999999999" }, field: "customer_id", rule: "reference"),
            Item(value: good.value, field: "event_id", rule: "duplicate"),   // the same event again, after it landed
            Item(value: variant { $0["promotion"] = String(repeating: "x", count: 200_000) }, field: nil, rule: "size"),
        ]
        // Every header kind: repeated names, and a value that is not UTF-8.
        func headers(_ i: Int) -> [KafkaHeader] {
            [KafkaHeader("corpus-item", "\(i)"), KafkaHeader("trace", "t-\(i)"), KafkaHeader("trace", "again"), KafkaHeader("raw", [0xFF, 0x00, 0x7F])]
        }

        let warehouse = try freshSQLiteWarehouse()
        var config = silverConfiguration(broker, grace: .seconds(2))
        config.idleExit = nil
        config.maxMessageBytes = 100_000   // so the oversized message is refused by the sink, not by Kafka
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        let partition = TopicPartition(Entity.sales.topic, good.partition)
        var firstOffset: Int64?
        var publishError: Error?
        let deadline = ContinuousClock.now + .seconds(120)
        try sink.run(shouldStop: {
            // Once the generated events are in, the corpus is published to the good sale's
            // partition, after all it holds: item i is at firstOffset + i, and the copy of the good
            // sale comes after the original was accepted, so the copy is the duplicate.
            if firstOffset == nil && sink.statistics.totalRows == 6_000 {
                do {
                    let admin = try TopicAdmin(connection: config.connection)
                    let partitions = try XCTUnwrap(silverCatalog.definitions.first { $0.name == partition.topic }?.partitions)
                    func high() throws -> Int64 { try admin.watermarks(partition.topic, partitions: partitions)[Int(partition.partition)].high }
                    let before = try high()
                    for (i, item) in corpus.enumerated() {
                        try producer.send(topic: partition.topic, key: Array("bad".utf8), value: item.value, headers: headers(i),
                                          timestampMs: good.timestampMs, partition: partition.partition)
                    }
                    try producer.flush()
                    XCTAssertEqual(try high(), before + Int64(corpus.count), "the corpus alone was added to \(partition)")
                    firstOffset = before
                } catch {
                    publishError = error
                }
            }
            return publishError != nil || sink.statistics.totalRejects == corpus.count || ContinuousClock.now > deadline
        })
        if let publishError { throw publishError }
        let base = try XCTUnwrap(firstOffset, "the generated events landed: \(sink.statistics.totalRows) rows, \(sink.statistics.rejects), waited \(sink.statistics.waited)")

        let stats = sink.statistics
        XCTAssertEqual(stats.totalRows, 6_000, "the good events land")
        XCTAssertEqual(stats.rejects, Dictionary(corpus.map { ($0.rule, 1) }, uniquingKeysWith: +), "one reject per broken message, by rule")

        // silver.rejects: one row at each item's coordinates, its field, its bytes.
        let table = try warehouse.query("SELECT source_topic, source_partition, source_offset, field, reason, payload, payload_encoding FROM silver.rejects")
        XCTAssertEqual(table.rows.count, corpus.count)
        let rows = Dictionary(table.rows.map { ("\($0[0] ?? "")+\($0[1] ?? "")+\($0[2] ?? "")", $0) }, uniquingKeysWith: { a, _ in a })
        var reasons: [Int: String] = [:]
        for (i, item) in corpus.enumerated() {
            let key = "\(partition.topic)+\(partition.partition)+\(base + Int64(i))"
            guard let row = rows[key] else { XCTFail("item \(i) (\(item.rule)): no row of silver.rejects at \(key); rows at \(rows.keys.sorted())"); continue }
            XCTAssertEqual(row[3], item.field, "item \(i): the field")
            let reason = row[4] ?? ""
            XCTAssertTrue(reason.hasPrefix("\(item.field ?? "(root)"): "), "item \(i): the reason names the field: \(reason)")
            XCTAssertEqual(try decoded(row[5], encoding: row[6]), item.value, "item \(i): the payload is the bytes sent")
            reasons[i] = reason
        }

        // shop.dlq: one letter per item, keyed by its coordinates, with the original bytes and
        // headers, the same reason, and the rule as the shopstream-reason header.
        let letters = try drain(broker.bootstrapServers, topics: [Entity.deadLetterTopic], expected: corpus.count, timeout: .seconds(30))
        XCTAssertEqual(letters.count, corpus.count, "every reject is on shop.dlq")
        let byKey = Dictionary(letters.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) }, uniquingKeysWith: { a, _ in a })
        for (i, item) in corpus.enumerated() {
            let key = "\(partition.topic)+\(partition.partition)+\(base + Int64(i))"
            guard let letter = byKey[key] else { XCTFail("item \(i) (\(item.rule)): no letter keyed \(key); keys \(byKey.keys.sorted())"); continue }
            XCTAssertEqual(letter.headers, headers(i) + [KafkaHeader("shopstream-reason", item.rule)], "item \(i): the original headers, then the rule")
            let envelope = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(letter.value)) as? [String: Any], "item \(i)")
            XCTAssertEqual(Set(envelope.keys), ["source_topic", "source_partition", "source_offset", "reason", "field", "payload", "payload_encoding", "headers", "rejected_at"])
            XCTAssertEqual(envelope["source_topic"] as? String, partition.topic)
            XCTAssertEqual(envelope["source_partition"] as? Int, Int(partition.partition))
            XCTAssertEqual(envelope["source_offset"] as? Int, Int(base) + i)
            XCTAssertEqual(envelope["reason"] as? String, reasons[i], "item \(i): the reason silver.rejects holds")
            XCTAssertEqual(envelope["field"] as? String, item.field, "item \(i)")
            XCTAssertEqual(try decoded(envelope["payload"] as? String, encoding: envelope["payload_encoding"] as? String), item.value, "item \(i): the bytes sent")
            let sentHeaders = (envelope["headers"] as? [[String: Any]] ?? []).map { "\($0["key"] as? String ?? "?")=\($0["value"] as? String ?? "null")" }
            XCTAssertEqual(sentHeaders, ["corpus-item=\(i)", "trace=t-\(i)", "trace=again", "raw=/wB/"],
                           "item \(i): the headers in order, a value that is not UTF-8 as base64 (topics/dlq.json)")
            XCTAssertNotNil((envelope["rejected_at"] as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) },
                            "item \(i): rejected_at is an RFC 3339 time: \(envelope["rejected_at"] ?? "nil")")
        }
    }

    /// A payload as the dead-letter schema stores it: UTF-8 text, or base64.
    private func decoded(_ text: String?, encoding: String?) throws -> [UInt8] {
        let text = try XCTUnwrap(text, "no payload")
        switch encoding {
        case "utf-8": return Array(text.utf8)
        case "base64": return Array(try XCTUnwrap(Data(base64Encoded: text), "not base64: \(text.prefix(40))"))
        default:
            XCTFail("payload_encoding \(encoding ?? "nil") is neither utf-8 nor base64")
            return []
        }
    }
}

/// Publishes generated events, stopping after `limit`.
private struct LimitedSink: EventSink {
    let producer: Producer
    let limit: Int
    var count = 0
    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        try producer.send(topic: entity.topic, key: key, value: value, timestampMs: timestampMs)
        count += 1
        return count < limit
    }
}

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

    private func runSink(_ broker: EmbeddedBroker, into warehouse: any Warehouse) throws -> SilverSink.Statistics {
        try initialiseSilver(warehouse)
        let sink = try SilverSink(
            configuration: silverConfiguration(broker, grace: .seconds(5)), warehouse: warehouse, catalog: silverCatalog)
        try sink.run()
        return sink.statistics
    }

    /// Every de-duplicated view, as sorted text rows without ingest times.
    private func snapshot(_ warehouse: any Warehouse) throws -> [String: [[String?]]] {
        var out: [String: [[String?]]] = [:]
        let schema = try SilverSchema(catalog: silverCatalog)
        for entity in Entity.allCases {
            let columns = schema.table(for: entity).columns.map(\.name).filter { $0 != SilverSchema.ingestedAtColumn }
            let result = try warehouse.query(
                "SELECT \(columns.joined(separator: ", ")) FROM \(schema.table(for: entity).name) ORDER BY \(SilverSchema.insertIdColumn)")
            out[entity.rawValue] = result.rows
        }
        return out
    }

    func testTheSameStreamLandsIdenticallyInSQLiteAndTheBigQueryEmulator() throws {
        let bigquery = try emptiedEmulatorWarehouse()
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
        let join = try String(
            contentsOf: TopicCatalog.sourceDirectory.deletingLastPathComponent().appendingPathComponent("sql/joins.sql"), encoding: .utf8)
        for warehouse in [sqlite, bigquery] {
            let sales = try warehouse.query("SELECT COUNT(*) FROM silver.sales_dedup").rows[0][0]
            let rows = try warehouse.query(
                join.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";")))
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
    /// silver.rejects, with a reason that names the field. The bad-input corpus (BadInputCorpus:
    /// at least forty kinds, and every wrong JSON type in every field of a sale) is published after
    /// a generated stream has landed, each broken message followed by a good one on the same
    /// partition (several at a bound of the contract). Each reject is found at its own
    /// coordinates, in the table and on the topic; every good event lands; rows and rejects add
    /// up to what was published.
    func testEachBrokenEventIsDeadLetteredWithItsCoordinatesBytesHeadersAndAReasonNamingItsField() throws {
        let broker = try brokerWithGeneratedEvents(6_000)
        // A producer that can publish the 10 MB message (librdkafka's default limit is 1,000,000 bytes).
        // Compressed (lz4, the default): the mock cluster keeps at most 5 MB of message sets per
        // partition and drops the oldest beyond that, which an uncompressed 10 MB set would make
        // it do to the corpus before the sink reads it.
        let producer = try Producer(
            configuration: ProducerConfiguration(
                connection: KafkaConnection(bootstrapServers: broker.bootstrapServers, properties: ["message.max.bytes": "16000000"])))
        // A good event of each entity to break in many ways; the corpus goes to its partition.
        let admin = try TopicAdmin(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
        func partitions(_ entity: Entity) throws -> Int {
            try XCTUnwrap(silverCatalog.definitions.first { $0.name == entity.topic }?.partitions)
        }
        let generated = try Entity.allCases.map { try admin.messageCounts($0.topic, partitions: partitions($0)).reduce(0, +) }.reduce(0, +)
        var good: [Entity: ConsumedMessage] = [:]
        for m in try drain(broker.bootstrapServers, topics: Entity.allCases.map(\.topic), expected: Int(generated)) {
            if let entity = Entity(topic: m.topic), good[entity] == nil { good[entity] = m }
        }
        XCTAssertEqual(Set(good.keys), Set(Entity.allCases), "a generated event of every entity")
        let corpus = BadInputCorpus(
            good: good.mapValues { String(decoding: $0.value, as: UTF8.self) }, goodKey: good.mapValues { $0.key ?? [] }, now: Date())
        let kinds = corpus.kinds()
        XCTAssertGreaterThanOrEqual(Set(kinds.map(\.kind)).count, 40, "at least forty kinds of bad input")
        let salesDefinition = try XCTUnwrap(silverCatalog.definitions.first { $0.name == Entity.sales.topic })
        let items = kinds + corpus.wrongTypes(salesDefinition)
        XCTAssertEqual(Set(items.map(\.kind)).count, items.count, "each kind once")

        // Every header kind: repeated names, and a value that is not UTF-8.
        func headers(_ i: Int) -> [KafkaHeader] {
            [
                KafkaHeader("corpus-item", "\(i)"), KafkaHeader("trace", "t-\(i)"), KafkaHeader("trace", "again"),
                KafkaHeader("raw", [0xFF, 0x00, 0x7F]),
            ]
                + items[i].headers
        }
        func key(_ item: BadInput) -> [UInt8]? {
            if let key = item.key { return key }
            // As the generator keys it: the value's key field.
            let field = silverCatalog.definitions.first { $0.name == item.entity.topic }!.key.field
            let object = (try? JSONSerialization.jsonObject(with: Data(item.value))) as? [String: Any]
            return (object?[field] as? String).map { Array($0.utf8) } ?? good[item.entity]!.key
        }
        /// What was published where: per partition, in order, a bad item (its index) or a good event (nil).
        var published: [TopicPartition: [Int?]] = [:]
        var goodsPublished: [Entity: Int] = [:]
        /// Good events published to partitions the corpus does not use.
        var elsewhere = 0

        let warehouse = try freshSQLiteWarehouse()
        var config = silverConfiguration(broker, grace: .seconds(2))
        config.idleExit = nil
        // One of the corpus's good sales is dated 2025-03-20, eleven weeks after the generated days:
        // past a 30-day window from it, the copy of the first sale would rightly land again. The
        // duplicate rule is met here as such, without a window (SilverWindowTests holds the window).
        config.dedupWindow = nil
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        var base: [TopicPartition: Int64] = [:]
        var publishError: Error?
        let deadline = ContinuousClock.now + .seconds(180)
        var finished: Bool {
            sink.statistics.totalRejects >= items.count && sink.statistics.totalRows >= 6_000 + goodsPublished.values.reduce(0, +)
        }
        try sink.run(shouldStop: {
            // Once the generated events are in, the corpus is published to each good event's
            // partition, after all it holds: its offsets follow from the high watermark before. The
            // copy of a good sale comes after the original was accepted, so the copy is the duplicate.
            if base.isEmpty && sink.statistics.totalRows == 6_000 {
                do {
                    for (entity, m) in good {
                        base[m.topicPartition] = try admin.watermarks(entity.topic, partitions: partitions(entity))[Int(m.partition)].high
                    }
                    for (i, item) in items.enumerated() {
                        let to = good[item.entity]!
                        try producer.send(
                            topic: to.topic, key: key(item), value: item.value, headers: headers(i), timestampMs: to.timestampMs,
                            partition: to.partition)
                        published[to.topicPartition, default: []].append(i)
                        // A good event after each bad one: the stream flows around them.
                        let goods = corpus.goods(item.entity)
                        let next = goods[i % goods.count]
                        try producer.send(
                            topic: to.topic, key: to.key, value: next.value, headers: next.headers, timestampMs: to.timestampMs,
                            partition: to.partition)
                        published[to.topicPartition, default: []].append(nil)
                        goodsPublished[item.entity, default: 0] += 1
                    }
                    // The referenced topics move on past the corpus, a later event on every partition:
                    // read up to the corpus' time, an unknown id is missing after one grace, not ten.
                    let after = items.map { good[$0.entity]!.timestampMs ?? 0 }.max()! + 1
                    for entity in [Entity.customers, .products, .stores, .sales] {
                        for p in 0..<Int32(try partitions(entity)) {
                            let tp = TopicPartition(entity.topic, p)
                            try producer.send(
                                topic: entity.topic, key: good[entity]!.key, value: corpus.bytes(entity), timestampMs: after, partition: p)
                            if base[tp] != nil { published[tp, default: []].append(nil) } else { elsewhere += 1 }
                            goodsPublished[entity, default: 0] += 1
                        }
                    }
                    try producer.flush()
                    for (tp, first) in base {
                        XCTAssertEqual(
                            try admin.watermarks(tp.topic, partitions: partitions(Entity(topic: tp.topic)!))[Int(tp.partition)].high,
                            first + Int64(published[tp]?.count ?? 0), "the corpus alone was added to \(tp)")
                    }
                } catch {
                    publishError = error
                }
            }
            return publishError != nil || (!base.isEmpty && finished) || ContinuousClock.now > deadline
        })
        if let publishError { throw publishError }
        XCTAssertFalse(
            base.isEmpty,
            "the generated events landed: \(sink.statistics.totalRows) rows, \(sink.statistics.rejects), waited \(sink.statistics.waited)")
        var coordinates: [Int: String] = [:]
        var goodCoordinates: [Entity: Set<String>] = [:]
        for (tp, sent) in published {
            for (k, item) in sent.enumerated() {
                let at = "\(tp.topic)+\(tp.partition)+\(base[tp]! + Int64(k))"
                if let item { coordinates[item] = at } else { goodCoordinates[Entity(topic: tp.topic)!, default: []].insert(at) }
            }
        }

        // The counts add up: every good event is a row, every bad one a reject, nothing else.
        let stats = sink.statistics
        let goodCount = goodsPublished.values.reduce(0, +)
        XCTAssertEqual(stats.totalRows, 6_000 + goodCount, "the good events land, the generated and those between the bad")
        XCTAssertEqual(stats.totalRejects, items.count, "one reject per broken message")
        XCTAssertEqual(
            stats.totalRows + stats.totalRejects, 6_000 + published.values.map(\.count).reduce(0, +) + elsewhere,
            "rows + rejects = published")
        XCTAssertEqual(stats.rejects, Dictionary(items.map { ($0.rule, 1) }, uniquingKeysWith: +), "one reject per broken message, by rule")
        for (entity, expected) in goodCoordinates {
            let rows = Set(
                try column(warehouse, "SELECT _insert_id FROM silver.\(entity.rawValue)").compactMap { $0 }.map {
                    $0.replacingOccurrences(of: ":", with: "+")
                })
            XCTAssertEqual(expected.subtracting(rows), [], "\(entity.rawValue): every good event between the bad ones is a row")
        }

        // silver.rejects: one row at each item's coordinates, its field, its bytes.
        let table = try warehouse.query(
            "SELECT source_topic, source_partition, source_offset, field, reason, payload, payload_encoding FROM silver.rejects")
        XCTAssertEqual(table.rows.count, items.count)
        let rows = Dictionary(table.rows.map { ("\($0[0] ?? "")+\($0[1] ?? "")+\($0[2] ?? "")", $0) }, uniquingKeysWith: { a, _ in a })
        var reasons: [Int: String] = [:]
        for (i, item) in items.enumerated() {
            let what = "item \(i) (\(item.kind))"
            guard let at = coordinates[i], let row = rows[at] else {
                XCTFail("\(what): no row of silver.rejects at \(coordinates[i] ?? "?")"); continue
            }
            XCTAssertEqual(row[3], item.field, "\(what): the field; reason \(row[4] ?? "")")
            let reason = row[4] ?? ""
            XCTAssertTrue(
                reason.hasPrefix("\(item.field ?? "(root)"): \(item.says ?? "")"),
                "\(what): the reason names the field and says why: \(reason)")
            XCTAssertLessThanOrEqual(reason.count, 1000, "\(what): topics/dlq.json allows 1000 characters")
            if item.value.count > 100_000 {
                let kept = NumberText.grouped(expectedPayload(item.value).count), whole = NumberText.grouped(item.value.count)
                XCTAssert(
                    reason.hasSuffix(" [payload cut to its first \(kept) of \(whole) bytes; the record is whole at \(at)]"),
                    "\(what): \(reason)")
            }
            XCTAssertEqual(try decoded(row[5], encoding: row[6]), expectedPayload(item.value), "\(what): the payload is the bytes sent")
            reasons[i] = reason
        }

        // shop.dlq: one letter per item, keyed by its coordinates, with the original bytes and
        // headers, the same reason, and the rule as the shopstream-reason header.
        let letters = try drain(broker.bootstrapServers, topics: [Entity.deadLetterTopic], expected: items.count, timeout: .seconds(30))
        XCTAssertEqual(letters.count, items.count, "every reject is on shop.dlq")
        let byKey = Dictionary(letters.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) }, uniquingKeysWith: { a, _ in a })
        for (i, item) in items.enumerated() {
            let what = "item \(i) (\(item.kind))"
            guard let at = coordinates[i], let letter = byKey[at] else {
                XCTFail("\(what): no letter keyed \(coordinates[i] ?? "?")"); continue
            }
            XCTAssertLessThanOrEqual(letter.value.count, 1_000_000, "\(what): the letter fits a Kafka message of the default size")
            XCTAssertEqual(
                letter.headers, headers(i) + [KafkaHeader("shopstream-reason", item.rule)], "\(what): the original headers, then the rule")
            let envelope = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(letter.value)) as? [String: Any], what)
            XCTAssertEqual(
                Set(envelope.keys),
                [
                    "source_topic", "source_partition", "source_offset", "source_message_id", "source_delivery_attempt", "reason",
                    "field", "payload", "payload_encoding", "headers", "rejected_at",
                ])
            XCTAssertEqual(
                envelope["source_message_id"] as? String,
                "\(envelope["source_partition"] as? Int ?? -1):\(envelope["source_offset"] as? Int ?? -1)",
                what)
            XCTAssert(envelope["source_delivery_attempt"] is NSNull, "\(what): no delivery attempt on Kafka")
            XCTAssertEqual(
                "\(envelope["source_topic"] as? String ?? "")+\(envelope["source_partition"] as? Int ?? -1)+\(envelope["source_offset"] as? Int ?? -1)",
                at, what)
            XCTAssertEqual(envelope["reason"] as? String, reasons[i], "\(what): the reason silver.rejects holds")
            XCTAssertEqual(envelope["field"] as? String, item.field, what)
            let payload = expectedPayload(item.value)
            if let text = String(validating: payload, as: UTF8.self) {
                // Compared as written: JSONSerialization on Linux drops a leading U+FEFF from a string.
                XCTAssertEqual(envelope["payload_encoding"] as? String, "utf-8", what)
                XCTAssertNotNil(
                    letter.value.firstRange(of: Array(("\"payload\":" + JSONText.quoted(text) + ",").utf8)),
                    "\(what): the bytes sent, as JSON text")
            } else {
                XCTAssertEqual(
                    try decoded(envelope["payload"] as? String, encoding: envelope["payload_encoding"] as? String), payload,
                    "\(what): the bytes sent")
            }
            let sentHeaders = (envelope["headers"] as? [[String: Any]] ?? []).map {
                "\($0["key"] as? String ?? "?")=\($0["value"] as? String ?? "null")"
            }
            XCTAssertEqual(
                sentHeaders,
                headers(i).map { "\($0.name)=\(String(validating: $0.value, as: UTF8.self) ?? Data($0.value).base64EncodedString())" },
                "\(what): the headers in order, a value that is not UTF-8 as base64 (topics/dlq.json)")
            XCTAssertNotNil(
                (envelope["rejected_at"] as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) },
                "\(what): rejected_at is an RFC 3339 time: \(envelope["rejected_at"] ?? "nil")")
        }
    }

    /// The payload a dead letter keeps of `value`: all of it, or its first 100,000 bytes (whole
    /// characters) when longer, so the letter fits a Kafka message.
    private func expectedPayload(_ value: [UInt8]) -> [UInt8] {
        guard value.count > 100_000 else { return value }
        XCTAssertNotNil(String(validating: value, as: UTF8.self), "the corpus' long values are text")
        var end = 100_000
        while value[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(value[..<end])
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

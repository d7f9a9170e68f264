import ShopStreamCore
import ShopStreamGenerator
import XCTest

final class TopicSchemaTests: XCTestCase {
    func testEveryEventOfEveryEntityMatchesItsTopicsValueSchema() throws {
        let topics = try loadEntityTopics()
        let checker = SchemaChecker()
        // The first days at defaults (the dimension snapshot, tier upgrades), then
        // November at the small config: 11.11, White Friday, shipments settling.
        var events = try collect(events: 20_000)
        events += try collect(smallConfig(start: SimDate(year: 2025, month: 11, day: 8)), days: 25)
        var perEntity: [Entity: Int] = [:]
        var failures: [String] = []
        for event in events {
            perEntity[event.entity, default: 0] += 1
            let value = try event.json
            let errors = checker.errors(value, topics[event.entity]!.valueSchema)
            if !errors.isEmpty && failures.count < 10 {
                failures.append("\(event.entity): \(errors) in \(String(decoding: event.value, as: UTF8.self))")
            }
        }
        XCTAssertEqual(failures, [])
        for entity in Entity.allCases { XCTAssertGreaterThan(perEntity[entity] ?? 0, 0, "no \(entity) events checked") }
    }

    func testTheSchemaCheckerRejectsWhatTheSchemasForbid() throws {
        let sales = try loadTopic("sales").valueSchema
        let checker = SchemaChecker()
        let good = try collect(events: 40_000).first { $0.entity == .sales }!
        var text = String(decoding: good.value, as: UTF8.self)
        XCTAssertEqual(checker.errors(try JSON.parse(Array(text.utf8)), sales), [])

        func errors(_ edit: (String) -> String) throws -> [String] {
            checker.errors(try JSON.parse(Array(edit(text).utf8)), sales)
        }
        XCTAssertFalse(try errors { $0.replacingOccurrences(of: "\"quantity\":", with: "\"quantity\":0,\"q\":") }.isEmpty)
        XCTAssertFalse(try errors { $0.replacingOccurrences(of: "\"channel\":\"", with: "\"channel\":\"X") }.isEmpty)
        XCTAssertFalse(try errors { $0.replacingOccurrences(of: ".00,\"discount\"", with: ".005,\"discount\"") }.isEmpty)
        XCTAssertFalse(try errors { $0.replacingOccurrences(of: "\"sale_id\":\"SAL-", with: "\"sale_id\":\"S-") }.isEmpty)
        XCTAssertFalse(try errors { $0.replacingOccurrences(of: "\"sale_date\":\"2025-01-0", with: "\"sale_date\":\"2025-13-0") }.isEmpty)
        text = text.replacingOccurrences(of: ",\"promotion\":null", with: "")
        XCTAssertEqual(try errors { $0 }, [], "a nullable field may be absent")
        XCTAssertFalse(try errors { $0.replacingOccurrences(of: ",\"salesperson\":", with: ",\"x\":") }.isEmpty)
    }

    func testTopicDefinitionsDeclareTheAgreedPoliciesAndKeys() throws {
        let keys: [Entity: String] = [
            .customers: "customer_id", .products: "product_id", .stores: "store_id", .inventory: "inventory_id",
            .sales: "sale_id", .payments: "sale_id", .shipping: "sale_id",
        ]
        for entity in Entity.allCases {
            let t = try loadTopic(entity.rawValue)
            XCTAssertEqual(t.name, entity.topic)
            XCTAssertEqual(t.replicationFactor, 3)
            XCTAssertEqual(t.key.field, keys[entity])
            XCTAssertEqual(t.valueSchema["$schema"]?.stringValue, "https://json-schema.org/draft/2020-12/schema")
            XCTAssertEqual(t.valueSchema["additionalProperties"], .bool(false))
            if entity.isDimension {
                XCTAssertEqual(t.partitions, 3)
                XCTAssertEqual(t.config, ["cleanup.policy": "compact"])
            } else {
                XCTAssertEqual(t.partitions, 6)
                XCTAssertEqual(t.config, ["cleanup.policy": "delete", "retention.ms": "-1"])
            }
            // Everything is required except the fields that can be null.
            let properties = t.valueSchema["properties"]!.objectValue!
            let required = Set(t.valueSchema["required"]!.arrayValue!.compactMap(\.stringValue))
            for (name, p) in properties {
                let nullable = p["type"]?.arrayValue?.contains(.string("null")) ?? false
                XCTAssertEqual(required.contains(name), !nullable, "\(entity).\(name)")
            }
        }
        let dlq = try loadTopic("dlq")
        XCTAssertEqual(dlq.name, Entity.deadLetterTopic)
        XCTAssertEqual(dlq.partitions, 3)
        XCTAssertEqual(dlq.config, ["cleanup.policy": "delete", "retention.ms": String(30 * 24 * 3600 * 1000)])
        XCTAssertEqual(
            Set(dlq.valueSchema["properties"]!.objectValue!.keys),
            [
                "source_topic", "source_partition", "source_offset", "source_message_id", "source_delivery_attempt", "reason", "field",
                "payload", "payload_encoding", "headers", "rejected_at",
            ])
    }
}

import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSilver

final class SchemaTests: XCTestCase {
    func testTheEmailShapeCheck() {
        for good in [
            "umarsiddiqui1@gmail.com", "danish.hussain700@hotmail.com", "a+b!#$%&'*/=?^_`{|}~-@x-y.pk", "a@b.c",
            String(repeating: "a", count: 64) + "@" + String(repeating: "d", count: 63) + ".pk",
        ] {
            XCTAssertTrue(SchemaNode.isEmail(good), good)
        }
        for bad in [
            "umar at gmail", "a@b", "@b.pk", "a@", "a@@b.pk", "a@b@c.pk", ".a@b.pk", "a.@b.pk", "a..b@c.pk", "a b@c.pk",
            "a@-b.pk", "a@b-.pk", "a@b..pk", "a@b_c.pk", "é@b.pk", "a@bé.pk", "a(b)@c.pk", "a@b.pk.",
            String(repeating: "a", count: 65) + "@b.pk", "a@" + String(repeating: "d", count: 64) + ".pk",
            String(repeating: "a", count: 60) + "@" + String(repeating: "d.", count: 100) + "pk",
        ] {
            XCTAssertFalse(SchemaNode.isEmail(bad), bad)
        }
    }

    func testColumnsFollowTheTopicSchemas() {
        let sales = silverSchema.table(for: .sales)
        XCTAssertEqual(sales.name.description, "silver.sales")
        XCTAssertEqual(
            sales.columns.map(\.name),
            [
                "event_id", "event_time", "sale_id", "sale_date", "customer_id", "product_id", "store_id", "salesperson", "channel",
                "quantity", "unit_price", "discount", "total_price", "promotion",
                "_source_topic", "_source_partition", "_source_offset", "_source_message_id", "_source_publish_time",
                "_source_delivery_attempt", "_insert_id", "_ingested_at",
            ])
        XCTAssertEqual(sales.column("event_time"), Column("event_time", .timestamp))
        XCTAssertEqual(sales.column("sale_date"), Column("sale_date", .date))
        XCTAssertEqual(sales.column("quantity"), Column("quantity", .int64))
        XCTAssertEqual(sales.column("total_price"), Column("total_price", .numeric))
        XCTAssertEqual(sales.column("promotion"), Column("promotion", .string, nullable: true))
        XCTAssertEqual(silverSchema.table(for: .payments).column("paid_at"), Column("paid_at", .timestamp, nullable: true))
        XCTAssertEqual(silverSchema.table(for: .shipping).column("damaged"), Column("damaged", .bool))
        XCTAssertEqual(silverSchema.table(for: .shipping).column("delivered_date"), Column("delivered_date", .date, nullable: true))
        for entity in Entity.allCases {
            XCTAssertEqual(Array(silverSchema.table(for: entity).columns.suffix(8)), SilverSchema.metadataColumns)
        }
    }

    func testPartitioningAndClustering() {
        let layout = Dictionary(
            uniqueKeysWithValues: silverSchema.allTables.map {
                ($0.name.table, "\($0.partitionExpression ?? "-") | \($0.clusterBy.joined(separator: ","))")
            })
        XCTAssertEqual(
            layout,
            [
                "customers": "- | customer_id",
                "products": "- | product_id",
                "stores": "- | store_id",
                "inventory": "DATE(event_time) | store_id,product_id",
                "sales": "sale_date | store_id,product_id,customer_id",
                "payments": "DATE(event_time) | payment_method,status,sale_id",
                "shipping": "shipped_date | carrier,delivery_status,sale_id",
                "rejects": "DATE(rejected_at) | source_topic,field",
            ])
        for t in silverSchema.allTables {
            XCTAssertLessThanOrEqual(t.clusterBy.count, 4, "BigQuery clusters by at most four columns")
            for c in t.columns {
                XCTAssertFalse(c.name.uppercased().hasPrefix("_PARTITION"), "BigQuery reserves the _PARTITION prefix: \(c.name)")
            }
        }
        XCTAssertEqual(SilverSchema.view(for: .customers).description, "silver.customers_current")
        XCTAssertEqual(SilverSchema.view(for: .payments).description, "silver.payments_dedup")
    }

    // MARK: Failing loudly on what the validator does not implement

    /// The topic definitions with one property schema of sales replaced.
    func definitions(salesProperty name: String, _ schema: JSONValue?, required: [String]? = nil, root: [String: JSONValue] = [:])
        -> [TopicDefinition]
    {
        catalog.definitions.map { def in
            guard def.name == "shop.sales", case .object(var object) = def.valueSchema,
                case .object(var properties)? = object["properties"]
            else { return def }
            properties[name] = schema
            object["properties"] = .object(properties)
            if let required { object["required"] = .array(required.map { .string($0) }) }
            for (k, v) in root { object[k] = v }
            var copy = def
            copy.valueSchema = .object(object)
            return copy
        }
    }

    func assertRefused(
        _ defs: [TopicDefinition], _ code: SilverError.Code, mentioning text: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            _ = try SilverSchema(definitions: defs)
            XCTFail("accepted a schema it should refuse", file: file, line: line)
        } catch {
            XCTAssertEqual(error.code, code, file: file, line: line)
            XCTAssert(error.message.contains(text), error.message, file: file, line: line)
        }
    }

    func testAnUnsupportedKeywordFailsAtLoad() {
        assertRefused(
            definitions(salesProperty: "channel", .object(["type": .string("string"), "oneOf": .array([])])),
            .unsupportedSchema, mentioning: "shop.sales value_schema/properties/channel: the keyword \"oneOf\" is not supported")
        assertRefused(
            definitions(salesProperty: "channel", .object(["type": .string("string"), "format": .string("uuid")])),
            .unsupportedSchema, mentioning: "format \"uuid\" is not supported")
        assertRefused(
            definitions(salesProperty: "channel", .object(["type": .string("string"), "pattern": .string("([")])),
            .invalidSchema, mentioning: "does not compile")
        assertRefused(
            definitions(salesProperty: "channel", .object(["type": .string("string"), "minLength": .number(-1)])),
            .invalidSchema, mentioning: "minLength must be a non-negative integer")
        assertRefused(
            definitions(salesProperty: "channel", nil, root: ["$schema": .string("http://json-schema.org/draft-07/schema#")]),
            .unsupportedSchema, mentioning: "$schema must be https://json-schema.org/draft/2020-12/schema")
    }

    func testAFieldWithoutAColumnTypeFailsAtLoad() {
        assertRefused(
            definitions(salesProperty: "basket", .object(["type": .string("array")])),
            .schemaMismatch, mentioning: "field basket is of type array, which has no silver column type")
        assertRefused(
            definitions(salesProperty: "basket", .object(["type": .array([.string("string"), .string("integer")])])),
            .schemaMismatch, mentioning: "field basket needs exactly one type besides null")
        assertRefused(
            definitions(salesProperty: "channel", nil, root: ["additionalProperties": .bool(true)]),
            .schemaMismatch, mentioning: "additionalProperties false")
    }

    func testReferencesMustBeRequiredStrings() {
        let sales = catalog[.sales]
        guard case .array(let required)? = sales.valueSchema["required"] else { return XCTFail("no required list") }
        let withoutStore = required.compactMap(\.stringValue).filter { $0 != "store_id" }
        assertRefused(
            definitions(salesProperty: "channel", nil, required: withoutStore),
            .schemaMismatch, mentioning: "store_id (the reference sales.store_id → stores) must be a required string field")
    }

    /// The dead-letter schema uses `items` and nested objects; the compiler handles them too.
    func testTheDeadLetterSchemaCompilesAndValidates() throws {
        let node = try SchemaNode(catalog["shop.dlq"]!.valueSchema, location: "shop.dlq value_schema", isRoot: true)
        func violations(_ json: String) throws -> [String] {
            let bytes = Array(json.utf8)
            let doc = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
            var out: [Violation] = []
            node.validate(doc, at: nil, into: &out)
            return out.map(\.description)
        }
        let good =
            #"{"source_topic":"shop.sales","source_partition":3,"source_offset":1024,"source_message_id":"3:1024","reason":"quantity: 0 is below the minimum 1","field":"quantity","payload":"{}","payload_encoding":"utf-8","headers":[{"key":"k","value":null}],"rejected_at":"2025-06-01T00:00:00.000000Z"}"#
        XCTAssertEqual(try violations(good), [])
        XCTAssertEqual(
            try violations(with(good, "headers", #"[{"key":"k","value":5},{"value":"v"}]"#)),
            [
                "headers/0/value: 5 is not of type string or null",
                "headers/1/key: missing (required)",
            ])
        XCTAssertEqual(try violations(with(good, "source_offset", "-1")), ["source_offset: -1 is below the minimum 0"])
        // A Pub/Sub message has no partition or offset: its message id and delivery attempt instead.
        let pubSub = with(with(with(good, "source_partition", "null"), "source_offset", "null"), "source_message_id", #""4711""#)
        XCTAssertEqual(try violations(pubSub), [])
        XCTAssertEqual(try violations(with(pubSub, "source_delivery_attempt", "2")), [])
        XCTAssertEqual(
            try violations(with(pubSub, "source_message_id", #""""#)), ["source_message_id: \"\" is shorter than the minimum length 1"])
    }
}

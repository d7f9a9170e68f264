import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamLake
import ShopStreamWarehouse
import XCTest

/// What the pipeline stored, read back from the lake and the warehouse themselves (never from a
/// sink's counters): per topic, the event_id of every bronze line and of every silver row.
public struct Landed {
    public var bronze: [String: [String]] = [:]
    public var silver: [String: [String]] = [:]
    /// Each Kafka partition's bronze lines, in offset order (objects by their first offset, then
    /// line by line).
    public var bronzeLog: [TopicPartition: [[UInt8]]] = [:]

    /// Reads every object under bronze/ (its topic from its name, `…/<topic>+<partition>+<offset>.jsonl`
    /// from Kafka, `…/<topic>+<publish ms, 13 digits>+<message id>.jsonl` from Pub/Sub, which has no
    /// partition log) and every row of the silver tables (`silver.<entity>`).
    public init(lake: String, warehouse: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let store = try makeLake(url: lake)
        var objects: [TopicPartition: [(first: Int64, lines: [[UInt8]])]] = [:]
        for object in try store.list(prefix: "bronze/") {
            let fileName = object.name.split(separator: "/").last ?? ""
            let coordinates = fileName.dropLast(".jsonl".count).split(separator: "+")
            let kafka = coordinates.count == 3 ? Int32(coordinates[1]).flatMap { p in Int64(coordinates[2]).map { (p, $0) } } : nil
            let pubSub = coordinates.count == 3 && coordinates[1].count == 13 && Int64(coordinates[1]) != nil
            guard fileName.hasSuffix(".jsonl"), kafka != nil || pubSub else {
                XCTFail("unexpected object in the lake: \(object.name) (plain .jsonl expected)", file: file, line: line)
                continue
            }
            let topic = String(coordinates[0])
            let bytes = try store.get(object.name).bytes
            if let (partition, first) = kafka {
                objects[TopicPartition(topic, partition), default: []].append(
                    (first, bytes.split(separator: UInt8(ascii: "\n")).map(Array.init)))
            }
            for record in bytes.split(separator: UInt8(ascii: "\n")) {
                guard let id = eventID(record) else {
                    XCTFail(
                        "\(object.name): a line without an event_id: \(String(decoding: record.prefix(200), as: UTF8.self))", file: file,
                        line: line)
                    continue
                }
                bronze[topic, default: []].append(id)
            }
        }
        bronzeLog = objects.mapValues { $0.sorted { $0.first < $1.first }.flatMap(\.lines) }
        let tables = try makeWarehouse(url: warehouse)
        for entity in Entity.allCases {
            silver[entity.topic] = try tables.query("SELECT event_id FROM silver.\(entity.rawValue)").rows.map {
                $0.first.flatMap { $0 } ?? ""
            }
        }
    }
}

/// `shopstream run` landed exactly what was published: per topic, `published` events (count it
/// independently, e.g. from `--truth`), each in exactly one bronze line, each in silver; and its
/// report's columns say what the lake and the warehouse hold.
public func assertRunLanded(
    report: String, published: [String: Int], lake: String, warehouse: String,
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let landed = try Landed(lake: lake, warehouse: warehouse, file: file, line: line)
    let rows = report.split(separator: "\n").filter { $0.hasPrefix("shop.") }
    XCTAssertEqual(rows.count, Entity.allCases.count, report, file: file, line: line)
    XCTAssertEqual(Set(published.keys), Set(Entity.allCases.map(\.topic)), "a count for every topic", file: file, line: line)
    for entity in Entity.allCases {
        let topic = entity.topic, expected = published[topic] ?? -1
        let bronze = landed.bronze[topic] ?? [], silver = landed.silver[topic] ?? []
        XCTAssertEqual(bronze.count, expected, "\(topic): lines in bronze = events published", file: file, line: line)
        XCTAssertEqual(Set(bronze).count, bronze.count, "\(topic): no event twice in bronze", file: file, line: line)
        XCTAssertEqual(Set(silver).count, expected, "\(topic): distinct event_ids in silver = events published", file: file, line: line)
        let onlyBronze = Set(bronze).subtracting(silver), onlySilver = Set(silver).subtracting(bronze)
        XCTAssertTrue(
            onlyBronze.isEmpty && onlySilver.isEmpty,
            "\(topic): \(onlyBronze.count) events only in bronze (e.g. \(onlyBronze.prefix(3).sorted())), \(onlySilver.count) only in silver (e.g. \(onlySilver.prefix(3).sorted()))",
            file: file, line: line)
        // topic  published  bronze  silver
        let cells =
            rows.first { $0.split(separator: " ").first.map(String.init) == topic }?.split(separator: " ")
            .map { Int($0.replacingOccurrences(of: ",", with: "")) } ?? []
        XCTAssertEqual(
            cells.dropFirst().map { $0 ?? -1 }, [expected, bronze.count, silver.count],
            "\(topic): the report's published, bronze and silver columns", file: file, line: line)
    }
}

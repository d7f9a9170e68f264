import Foundation
import ShopStreamCore
import XCTest

/// How a message's topic names its entity, and entities as keys: asked several times for every
/// message the sinks read, so done without building or hashing the entity's name.
final class EntityTests: XCTestCase {
    func testEveryEntityIsFoundByItsTopicAndNothingElseIs() {
        for entity in Entity.allCases {
            XCTAssertEqual(Entity(topic: entity.topic), entity)
            XCTAssertEqual(Entity(topic: "shop.\(entity.rawValue)"), entity)
            XCTAssertNil(Entity(topic: entity.rawValue), "the bare name is not a topic")
            XCTAssertNil(Entity(topic: entity.topic.uppercased()))
            XCTAssertNil(Entity(topic: entity.topic + " "))
            XCTAssertNil(Entity(topic: "x" + entity.topic))
        }
        XCTAssertNil(Entity(topic: Entity.deadLetterTopic))
        XCTAssertNil(Entity(topic: ""))
        XCTAssertNil(Entity(topic: "shop."))
    }

    func testEntitiesAreEqualAndHashedByCase() {
        XCTAssertEqual(Set(Entity.allCases).count, Entity.allCases.count)
        var counts: [Entity: Int] = [:]
        for (k, entity) in Entity.allCases.enumerated() {
            XCTAssertEqual(entity, Entity(rawValue: entity.rawValue))
            for other in Entity.allCases where other != entity { XCTAssertNotEqual(entity, other) }
            counts[entity] = k
        }
        for (k, entity) in Entity.allCases.enumerated() { XCTAssertEqual(counts[entity], k) }
        // Codable still writes and reads the name.
        let data = try! JSONEncoder().encode([Entity.sales, .shipping])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["sales","shipping"]"#)
        XCTAssertEqual(try! JSONDecoder().decode([Entity].self, from: data), [.sales, .shipping])
    }
}

import Foundation
import ShopStreamCore
import XCTest

@testable import ShopStreamBus

/// What the producer promises about how it publishes, read back from the librdkafka handle it
/// runs with (its configuration dump), not from ProducerConfiguration's own fields.
final class ProducerConfigurationTests: XCTestCase {
    func testTheProducerIsIdempotentAndCompressesWithLZ4() throws {
        let broker = try EmbeddedBroker(topics: [testTopic("t.config")])
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection(broker)))
        let (global, topic) = producer.effectiveProperties
        XCTAssertEqual(global["enable.idempotence"], "true", "no duplicates or reordering from librdkafka's retries")
        XCTAssertEqual(topic["request.required.acks"], "-1", "idempotence means acks from all in-sync replicas")
        XCTAssertEqual(global["compression.codec"], "lz4")
        XCTAssertEqual(topic["compression.codec"], "inherit", "topics take the producer's codec")
        XCTAssertEqual(topic["partitioner"], "murmur2_random", "a key lands where Java clients put it")
        XCTAssertEqual(global["metadata.broker.list"], broker.bootstrapServers)
    }

    func testAnXPropertyOverridesADefaultAndKeepsTheOthers() throws {
        let broker = try EmbeddedBroker(topics: [testTopic("t.config")])
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection(broker, ["compression.codec": "zstd"])))
        let (global, _) = producer.effectiveProperties
        XCTAssertEqual(global["compression.codec"], "zstd")
        XCTAssertEqual(global["enable.idempotence"], "true")
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import XCTest

/// A topic definition for tests.
func testTopic(_ name: String, partitions: Int = 3, config: [String: String] = ["cleanup.policy": "delete"]) -> TopicDefinition {
    TopicDefinition(
        name: name, description: "test topic", partitions: partitions, replicationFactor: 1,
        config: config, key: .init(field: "id", description: "id"), valueSchema: .object([:]))
}

/// The real topics/ of this repository.
func repositoryCatalog() throws -> TopicCatalog {
    try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
}

/// A fresh consumer group name, so tests never share offsets.
func uniqueGroup(_ prefix: String = "test") -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

func connection(_ broker: EmbeddedBroker, _ extra: [String: String] = [:]) -> KafkaConnection {
    KafkaConnection(bootstrapServers: broker.bootstrapServers, properties: extra, connectTimeout: .seconds(5))
}

/// Polls until `count` messages arrived or `timeout` passed.
func consume(_ consumer: Consumer, count: Int, timeout: Duration = .seconds(30)) throws -> [ConsumedMessage] {
    var out: [ConsumedMessage] = []
    let deadline = ContinuousClock.now + timeout
    while out.count < count && ContinuousClock.now < deadline {
        if let m = try consumer.poll(timeout: .milliseconds(100)) { out.append(m) }
    }
    return out
}

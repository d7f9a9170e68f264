import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamLake
import ShopStreamSinks
import XCTest

/// A fresh folder lake in a temporary directory.
func temporaryFolderLake() throws -> (any Lake, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lake-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (try makeLake(url: "file://\(dir.path)"), dir)
}

/// An embedded broker with one topic, and `count` JSON events published to it.
func brokerWithEvents(
    topic: String = "shop.sales", partitions: Int = 1, count: Int,
    value: (Int) -> [UInt8] = { Array(#"{"event_id":"e\#($0)","n":\#($0)}"#.utf8) },
    timestamp: (Int) -> Int64 = { _ in 1_735_700_000_000 }
) throws -> EmbeddedBroker {
    let def = TopicDefinition(
        name: topic, description: "test", partitions: partitions, replicationFactor: 1,
        config: [:], key: .init(field: "event_id", description: "id"), valueSchema: .object([:]))
    let broker = try EmbeddedBroker(topics: [def])
    let producer = try Producer(
        configuration: ProducerConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers)))
    for i in 0..<count {
        try producer.send(topic: topic, key: Array("k\(i)".utf8), value: value(i), timestampMs: timestamp(i))
    }
    try producer.flush()
    return broker
}

func bronzeConfig(_ broker: EmbeddedBroker, topics: [String] = ["shop.sales"], batchSize: Int = 100, gzip: Bool = false)
    -> BronzeConfiguration
{
    var c = BronzeConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
    c.groupId = "bronze-\(UUID().uuidString.prefix(8))"
    c.topics = topics
    c.batchSize = batchSize
    c.gzip = gzip
    c.maxBatchAge = .seconds(60)
    c.idleExit = .seconds(1)
    return c
}

/// Every line of every bronze object, in name order.
func allLines(_ lake: any Lake) throws -> [String] {
    try lake.list(prefix: "bronze/").flatMap { object -> [String] in
        let bytes = try BronzeFormat.plainBytes(lake.get(object.name).bytes, name: object.name)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// The offsets `group` has committed for `partitions` (nil: none).
func committedOffsets(_ broker: EmbeddedBroker, group: String, _ partitions: [TopicPartition]) throws -> [TopicPartition: Int64?] {
    let consumer = try Consumer(
        configuration: ConsumerConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers), groupId: group),
        topics: Array(Set(partitions.map(\.topic))))
    defer { consumer.close() }
    return try consumer.committed(partitions)
}

import Foundation
import ShopStreamBus
import ShopStreamLake
import ShopStreamSinks

/// Events per topic where reconciliation counts them outside the warehouse: the lake's bronze
/// objects and Kafka's partitions. `check` counts them here and hands them to the quality
/// checks as plain numbers (`StandardSuiteConfiguration`), which go into `Check.reconcile` as
/// literals, so the check itself stays one query and ShopStreamQuality needs neither the bus
/// nor the lake.
enum TopicCounts {
    /// Events per topic in the lake's bronze objects: the `count` each object's metadata records
    /// (one listing, no download). An object without that metadata is downloaded and its lines
    /// counted. Objects whose name is not a bronze name are not counted (`lake verify` reports
    /// them). Every topic of `topics` is in the answer, 0 when the lake has none of it.
    static func inLake(_ lake: any Lake, topics: [String]) throws -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: topics.map { ($0, 0) })
        let objects: [StoredObject]
        do {
            objects = try lake.list(prefix: "bronze/")
        } catch {
            throw CommandFailure("cannot list bronze/ in \(lake.url) to count its events: \(error); check --lake and its credentials")
        }
        for object in objects {
            // Kafka's names (<topic>+<partition>+<offset>) or Pub/Sub's (<topic>+<publish ms>+<message id>).
            guard let topic = BronzeFormat.parse(object.name)?.topic ?? BronzeFormat.parsePubSub(object.name)?.topic,
                counts[topic] != nil
            else { continue }
            if let count = object.metadata["count"].flatMap(Int.init) {
                counts[topic, default: 0] += count
                continue
            }
            do {
                let (bytes, _) = try lake.get(object.name)
                let plain = try BronzeFormat.plainBytes(bytes, name: object.name)
                counts[topic, default: 0] += plain.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            } catch {
                throw CommandFailure("\(lake.url)/\(object.name) has no count in its metadata and its lines could not be counted: \(error)")
            }
        }
        return counts
    }

    /// Records per topic on Kafka: high minus low watermark, summed over the topic's
    /// partitions. A topic the cluster does not have counts 0. Retention and compaction move
    /// the low watermark, so on a long-lived cluster Kafka may legitimately hold fewer records
    /// than the lake.
    static func onKafka(_ connection: KafkaConnection, topics: [String]) throws -> [String: Int] {
        let admin = try TopicAdmin(connection: connection)
        let metadata = try admin.metadata()
        var counts: [String: Int] = [:]
        for topic in topics {
            guard let described = metadata.topics[topic] else {
                counts[topic] = 0
                continue
            }
            counts[topic] = try admin.messageCounts(topic, partitions: described.partitions).reduce(0) { $0 + Int($1) }
        }
        return counts
    }
}

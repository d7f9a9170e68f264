import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake

/// Bronze objects of events read from Pub/Sub, where there are no offsets to name them by.
///
/// `bronze/<entity>/dt=<dt>/<topic>+<first publish time, ms, 13 digits>+<first message id>.jsonl[.gz]`:
/// sortable by time like the Kafka names by offset. "First" is the least (publish time, message id)
/// of the batch, so a retried upload of the same batch hits the same name. Metadata `message_ids`
/// lists every message the object holds: what recognises a batch stored before (adopted) and what
/// `lake verify` finds duplicates by.
extension BronzeFormat {
    /// The `bus` metadata value of objects read from Pub/Sub (Kafka's objects carry none).
    public static let pubSubBus = "pubsub"

    /// Metadata stays under GCS's 8 KiB for custom metadata: a batch closes before its message ids
    /// take more than this.
    static let maxMessageIdBytes = 6_000

    public static func pubSubObjectName(topic: String, firstPublishMs: Int64, firstMessageId: String, dt: String, gzip: Bool) -> String {
        name(topic: topic, fields: "\(zeroPadded(firstPublishMs, to: 13))+\(firstMessageId)", dt: dt, gzip: gzip)
    }

    /// What a Pub/Sub bronze object's name carries.
    public struct PubSubName: Sendable, Hashable {
        public var topic: String
        public var firstPublishMs: Int64
        public var firstMessageId: String
        public var dt: String
        public var gzip: Bool
    }

    public static func parsePubSub(_ name: String) -> PubSubName? {
        guard let (dt, fields, gzip) = nameParts(name), let ms = Int64(fields[1]) else { return nil }
        return PubSubName(topic: String(fields[0]), firstPublishMs: ms, firstMessageId: String(fields[2]), dt: dt, gzip: gzip)
    }

    /// The `event_id` of a line as the generator writes events (its first member), or nil.
    static func eventId(_ line: some Collection<UInt8>) -> String? {
        guard let text = String(bytes: line, encoding: .utf8), let range = text.range(of: "\"event_id\":\"") else { return nil }
        let rest = text[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Whether an object's metadata says it was read from Pub/Sub.
    public static func isPubSub(_ metadata: [String: String]) -> Bool { metadata["bus"] == pubSubBus }

    /// The message ids an object read from Pub/Sub holds, from its metadata, in line order.
    public static func messageIds(_ metadata: [String: String]) -> [String]? {
        metadata["message_ids"].map { $0.split(separator: ",").map(String.init) }
    }

    static func pubSubMetadata(
        topic: String, subscription: String, messageIds: [String], checksums: ObjectChecksums, gzip: Bool
    ) -> [String: String] {
        [
            "bus": pubSubBus,
            "topic": topic,
            "subscription": subscription,
            "message_ids": messageIds.joined(separator: ","),
            "count": String(messageIds.count),
            "crc32c": checksums.crc32c,
            "format": gzip ? "jsonl+gzip" : "jsonl",
        ]
    }
}

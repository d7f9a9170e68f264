import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake

/// Checks a lake's bronze objects against themselves and, given watermarks,
/// against the topics: every offset in exactly one object. Objects read from Pub/Sub (metadata
/// `bus=pubsub`) have no offsets: every message id in exactly one object, and with `deep` every
/// event id on one line.
public struct BronzeVerifier {
    public struct Report: Sendable {
        public var objects = 0
        public var events = 0
        /// One sentence per problem.
        public var problems: [String] = []
        /// Per partition: first and last offset covered, objects.
        public var partitions: [String: (first: Int64, last: Int64, objects: Int)] = [:]
        /// Objects read from Pub/Sub, per topic: objects and distinct messages.
        public var pubSubTopics: [String: (objects: Int, messages: Int)] = [:]
        /// Pub/Sub: each message id found in more than one object, with those objects' names.
        public var duplicateMessages: [String: [String]] = [:]
        /// Pub/Sub, with `deep`: each event id found on more than one line, and how often.
        public var duplicateEvents: [String: Int] = [:]
        public var isClean: Bool { problems.isEmpty }
    }

    public let lake: any Lake
    public init(lake: any Lake) { self.lake = lake }

    /// - Parameters:
    ///   - watermarks: per topic-partition `(low, high)` offsets from Kafka, to find what
    ///     the lake is missing; nil checks the lake alone.
    ///   - deep: download every object and check its checksum and line count.
    public func verify(watermarks: [String: [(low: Int64, high: Int64)]]?, deep: Bool) throws -> Report {
        var report = Report()
        var byPartition: [String: [(first: Int64, last: Int64, name: String)]] = [:]
        var pubSub = PubSubObjects()
        for object in try lake.list(prefix: "bronze/") {
            if BronzeFormat.isPubSub(object.metadata) {
                report.objects += 1
                try pubSub.check(object, lake: lake, deep: deep, report: &report)
                continue
            }
            guard let parsed = BronzeFormat.parse(object.name) else {
                report.problems.append(
                    "\(object.name): not a bronze object name (bronze/<entity>/dt=…/<topic>+<partition>+<offset>.jsonl[.gz])")
                continue
            }
            report.objects += 1
            let m = object.metadata
            guard let first = m["first_offset"].flatMap(Int64.init), let last = m["last_offset"].flatMap(Int64.init),
                let count = m["count"].flatMap(Int.init)
            else {
                report.problems.append("\(object.name): metadata lacks first_offset, last_offset or count")
                continue
            }
            if first != parsed.firstOffset {
                report.problems.append("\(object.name): metadata first_offset \(first) differs from the name's \(parsed.firstOffset)")
            }
            if count > last - first + 1 || count < 1 {
                report.problems.append("\(object.name): count \(count) does not fit offsets \(first)–\(last)")
            }
            report.events += count
            if deep {
                let (bytes, _) = try lake.get(object.name)
                if let crc = m["crc32c"], crc != CRC32C.base64(bytes) {
                    report.problems.append("\(object.name): checksum mismatch (crc32c \(CRC32C.base64(bytes)), metadata says \(crc))")
                }
                let plain = try BronzeFormat.plainBytes(bytes, name: object.name)
                let lines = plain.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                if lines != count {
                    report.problems.append("\(object.name): \(lines) lines, metadata says \(count)")
                }
            }
            byPartition["\(parsed.topic)+\(parsed.partition)", default: []].append((first, last, object.name))
        }
        for (key, objects) in byPartition.sorted(by: { $0.key < $1.key }) {
            let sorted = objects.sorted { $0.first < $1.first }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                if b.first <= a.last {
                    report.problems.append("\(key): overlap: \(a.name) holds through \(a.last), \(b.name) starts at \(b.first)")
                } else if b.first > a.last + 1 {
                    report.problems.append("\(key): gap: offsets \(a.last + 1)–\(b.first - 1) are in no object")
                }
            }
            report.partitions[key] = (sorted.first!.first, sorted.map(\.last).max()!, sorted.count)
        }
        pubSub.finish(&report)
        if let watermarks {
            for (topic, parts) in watermarks.sorted(by: { $0.key < $1.key }) {
                for (p, w) in parts.enumerated() where w.high > w.low {
                    let key = "\(topic)+\(p)"
                    guard let covered = report.partitions[key] else {
                        report.problems.append("\(key): offsets \(w.low)–\(w.high - 1) are on Kafka but in no object")
                        continue
                    }
                    if covered.first > w.low {
                        report.problems.append("\(key): offsets \(w.low)–\(covered.first - 1) are on Kafka but in no object")
                    }
                    if covered.last < w.high - 1 {
                        report.problems.append("\(key): offsets \(covered.last + 1)–\(w.high - 1) are on Kafka but in no object (yet?)")
                    }
                    if covered.last >= w.high {
                        report.problems.append("\(key): objects hold offsets through \(covered.last), past Kafka's end \(w.high - 1)")
                    }
                }
            }
        }
        return report
    }
}

/// What `verify` gathers from objects read from Pub/Sub: where each message and event is.
private struct PubSubObjects {
    var objectsOf: [String: [String]] = [:]
    var topicOf: [String: String] = [:]
    var objectsPerTopic: [String: Int] = [:]
    var eventCounts: [String: Int] = [:]

    mutating func check(_ object: StoredObject, lake: any Lake, deep: Bool, report: inout BronzeVerifier.Report) throws {
        let m = object.metadata
        guard let ids = BronzeFormat.messageIds(m), let count = m["count"].flatMap(Int.init), let topic = m["topic"] else {
            report.problems.append("\(object.name): metadata lacks message_ids, count or topic")
            return
        }
        guard let parsed = BronzeFormat.parsePubSub(object.name), parsed.topic == topic, ids.contains(parsed.firstMessageId) else {
            report.problems.append(
                "\(object.name): not named by its topic and one of its messages (bronze/<entity>/dt=…/<topic>+<publish ms>+<message id>.jsonl[.gz])"
            )
            return
        }
        if count != ids.count { report.problems.append("\(object.name): count \(count), but \(ids.count) message ids") }
        if Set(ids).count != ids.count { report.problems.append("\(object.name): a message id is listed twice") }
        report.events += count
        objectsPerTopic[topic, default: 0] += 1
        for id in Set(ids) {
            objectsOf[id, default: []].append(object.name)
            topicOf[id] = topic
        }
        guard deep else { return }
        let (bytes, _) = try lake.get(object.name)
        if let crc = m["crc32c"], crc != CRC32C.base64(bytes) {
            report.problems.append("\(object.name): checksum mismatch (crc32c \(CRC32C.base64(bytes)), metadata says \(crc))")
        }
        let plain = try BronzeFormat.plainBytes(bytes, name: object.name)
        let lines = plain.split(separator: 0x0A)
        if lines.count != count { report.problems.append("\(object.name): \(lines.count) lines, metadata says \(count)") }
        for line in lines { if let id = BronzeFormat.eventId(line) { eventCounts[id, default: 0] += 1 } }
    }

    func finish(_ report: inout BronzeVerifier.Report) {
        for (topic, objects) in objectsPerTopic {
            report.pubSubTopics[topic] = (objects, topicOf.values.filter { $0 == topic }.count)
        }
        for (id, names) in objectsOf where names.count > 1 {
            report.duplicateMessages[id] = names.sorted()
        }
        for (id, names) in report.duplicateMessages.sorted(by: { $0.key < $1.key }) {
            report.problems.append(
                "duplicate: message \(id) of \(topicOf[id] ?? "?") is in \(names.count) objects: \(names.joined(separator: ", "))")
        }
        for (id, n) in eventCounts where n > 1 { report.duplicateEvents[id] = n }
        for (id, n) in report.duplicateEvents.sorted(by: { $0.key < $1.key }) {
            report.problems.append("duplicate: event \(id) is on \(n) lines")
        }
    }
}

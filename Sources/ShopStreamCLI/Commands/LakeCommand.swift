import ArgumentParser
import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamLake
import ShopStreamSinks

extension ShopStreamCommand {
    struct LakeCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lake",
            abstract: "Look into the lake: list, print and verify objects.",
            subcommands: [List.self, Cat.self, Verify.self])
    }
}

extension ShopStreamCommand.LakeCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List objects (name and size) under a prefix.")
        @OptionGroup var lakeOptions: LakeOptions
        @Argument(help: "Name prefix, e.g. bronze/sales/dt=2025-01-01/") var prefix = ""

        func run() throws {
            try reportingErrors {
                for object in try lakeOptions.open().list(prefix: prefix) {
                    print("\(String(object.size).leftPadded(10))  \(object.name)")
                }
            }
        }
    }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an object's content (decompressed), or its metadata.")
        @OptionGroup var lakeOptions: LakeOptions
        @Argument(help: "Object name, as `lake ls` shows it.") var name: String
        @Flag(help: "Print the object's metadata instead of its content.") var metadata = false

        func run() throws {
            try reportingErrors {
                let lake = try lakeOptions.open()
                let (bytes, object) = try lake.get(name)
                if metadata {
                    for (k, v) in object.metadata.sorted(by: { $0.key < $1.key }) { print("\(k): \(v)") }
                    print("size: \(object.size)\nmd5: \(object.md5 ?? "-")\ncontent-type: \(object.contentType)")
                    return
                }
                FileHandle.standardOutput.write(try BronzeFormat.plainBytes(bytes, name: name))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every offset (or Pub/Sub message) is in exactly one bronze object, and (with Kafka) none is missing.",
            discussion: """
                Objects from Kafka, per partition: overlaps, gaps, counts that do not fit the offsets, and \
                (with --brokers) offsets on Kafka that no object holds. Objects from Pub/Sub (metadata \
                bus=pubsub): every message id listed in more than one object's message_ids, named with \
                those objects (a message delivered again after a crash lands twice), and counts that do \
                not fit the ids. --deep also downloads every object and checks its crc32c and line count, \
                and on Pub/Sub objects reports every event_id found on more than one line (an event \
                published twice has two message ids). Exits 1 when a problem is found.
                """)
        @OptionGroup var lakeOptions: LakeOptions
        @Option(help: ArgumentHelp("Kafka to compare with; without it the lake is checked against itself.", valueName: "host:port"))
        var brokers: String?
        @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property (repeatable).", valueName: "key=value"))
        var properties: [String] = []
        @Flag(help: "Download every object and check checksums and line counts.") var deep = false

        func run() throws {
            let clean = try reportingErrors { () -> Bool in
                let lake = try lakeOptions.open()
                var watermarks: [String: [(low: Int64, high: Int64)]]?
                if let brokers {
                    let admin = try TopicAdmin(
                        connection: KafkaConnection(bootstrapServers: brokers, properties: try KafkaConnection.parseProperties(properties)))
                    let md = try admin.metadata()
                    watermarks = [:]
                    for entity in Entity.allCases {
                        guard let t = md.topics[entity.topic] else { continue }
                        watermarks![entity.topic] = try admin.watermarks(entity.topic, partitions: t.partitions)
                    }
                }
                let report = try BronzeVerifier(lake: lake).verify(watermarks: watermarks, deep: deep)
                for (key, p) in report.partitions.sorted(by: { $0.key < $1.key }) {
                    print(
                        "  \(key.padding(toLength: 20, withPad: " ", startingAt: 0)) offsets \(p.first)–\(p.last) in \(p.objects) objects")
                }
                for (topic, p) in report.pubSubTopics.sorted(by: { $0.key < $1.key }) {
                    print(
                        "  \(topic.padding(toLength: 20, withPad: " ", startingAt: 0)) \(p.messages) messages in \(p.objects) objects (Pub/Sub)"
                    )
                }
                for problem in report.problems { print("problem: \(problem)") }
                if !report.duplicateMessages.isEmpty {
                    print("duplicates: \(report.duplicateMessages.count) messages are in more than one object")
                }
                if report.isClean {
                    print("verify: OK (\(report.objects) objects, \(report.events) events)")
                } else {
                    print("verify: FAILED (\(report.problems.count) problems)")
                }
                return report.isClean
            }
            if !clean { throw ExitCode(1) }
        }
    }
}

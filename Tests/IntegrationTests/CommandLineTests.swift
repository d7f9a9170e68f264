import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import TestSupport
import XCTest

/// The `shopstream` command as a user runs it, against real Kafka-protocol peers.
final class CommandLineTests: XCTestCase {
    func testKcatReadsTheGeneratorsEventsFromTheBrokerCommand() throws {
        let kcat = try requiredTool("kcat")
        let broker = try BrokerProcess()
        defer { broker.stop() }

        let generated = try shopstream(["generate", "--brokers", broker.bootstrap, "--events", "20000", "-q"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let salesCount = try XCTUnwrap(generatedCounts(generated.stdout)["shop.sales"], generated.stdout)
        XCTAssertGreaterThan(salesCount, 0)

        // An independent Kafka client reads the same topic.
        let read = try runProgram(kcat, ["-b", broker.bootstrap, "-C", "-t", "shop.sales", "-e", "-q", "-f", "%k\t%s\n"])
        XCTAssertEqual(read.status, 0, read.stderr)
        let lines = read.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, salesCount)
        for line in lines.prefix(50) {
            let parts = line.split(separator: "\t", maxSplits: 1)
            let sale = try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as! [String: Any]
            XCTAssertEqual(sale["sale_id"] as? String, String(parts[0]), "the key is the sale_id")
            XCTAssertNotNil(sale["total_price"])
        }
    }

    func testTopicsApplyAgainstTheBrokerCommandFindsEverythingPresentTwice() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        for _ in 0..<2 {
            let result = try shopstream(["topics", "apply", "--brokers", broker.bootstrap])
            XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
            XCTAssertEqual(
                result.stdout.split(separator: "\n").filter { $0.hasPrefix("shop.") && $0.hasSuffix("  ok") }.count, 8, result.stdout)
        }
    }

    func testTopicsApplyOnAClusterThatCannotCreateTheMissingTopicSaysSoAndFails() throws {
        // librdkafka's mock cluster cannot create topics over the wire (BusTests'
        // TopicReconcilerTests check what apply asks of a cluster that can): apply must not
        // pass for having done it.
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        let partial = try EmbeddedBroker(topics: catalog.definitions.filter { $0.name != "shop.shipping" })
        let r = try shopstream(["topics", "apply", "--brokers", partial.bootstrapServers], timeout: 60)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot create topics"), r.stderr)
        XCTAssertTrue(r.stderr.contains("missing: shop.shipping."), r.stderr)
        XCTAssertFalse(r.stdout.contains("created"), r.stdout)
        let topics = try TopicAdmin(connection: KafkaConnection(bootstrapServers: partial.bootstrapServers)).metadata().topics
        XCTAssertEqual(Set(topics.keys), Set(catalog.definitions.map(\.name)).subtracting(["shop.shipping"]), "the cluster is as it was")
    }

    func testTheSameSeedPublishesTheSameBytesAndAnotherSeedOtherBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (run, seed) in [("a", "7"), ("b", "7"), ("c", "8")] {
            let r = try shopstream([
                "generate", "--events", "20000", "--seed", seed, "--output", dir.appendingPathComponent(run).path, "-q",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        for entity in Entity.allCases {
            let a = try Data(contentsOf: dir.appendingPathComponent("a/\(entity.topic).tsv"))
            let b = try Data(contentsOf: dir.appendingPathComponent("b/\(entity.topic).tsv"))
            let c = try Data(contentsOf: dir.appendingPathComponent("c/\(entity.topic).tsv"))
            XCTAssertFalse(a.isEmpty, entity.topic)
            XCTAssertEqual(a, b, "\(entity.topic): seed 7 twice gives the same bytes")
            // Every topic draws from the generator's randomness (even the 17 stores' details),
            // so a --seed that was ignored would leave some topic unchanged.
            XCTAssertNotEqual(a, c, "\(entity.topic): seed 8 gives other bytes than seed 7")
        }
    }

    func testGenerateWritesTheGroundTruthOfWhatItPublished() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try shopstream(["generate", "--dry-run", "--days", "2", "--truth", file.path, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let truth = try GroundTruth.read(from: file)
        XCTAssertEqual(truth.days, 2)
        XCTAssertGreaterThan(truth.totals.orders, 0)
        XCTAssertEqual(generatedCounts(r.stdout)["shop.sales"], truth.events.sales, "the truth counts what the summary says was published")
        XCTAssertTrue(r.stdout.contains("written to \(file.path)"), r.stdout)
    }

    func testCtrlCStopsALiveRunWhoseSummaryAndTruthCountExactlyWhatIsOnTheBroker() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let dir = NSTemporaryDirectory() + "ctrl-c-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let generator = try Child(
            try shopstreamBinary(),
            [
                "generate", "--brokers", broker.bootstrap, "--rate", "4000", "--truth", dir + "/truth.json", "-q",
            ], directory: dir, label: "generate")

        // Stop it mid-stream: once sales (published after the first customers, products,
        // stores and stock) are arriving.
        let admin = try TopicAdmin(connection: KafkaConnection(bootstrapServers: broker.bootstrap))
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        func onBroker(_ entity: Entity) throws -> Int {
            Int(try admin.messageCounts(entity.topic, partitions: catalog[entity].partitions).reduce(0, +))
        }
        let deadline = Date().addingTimeInterval(60)
        while try onBroker(.sales) < 200 && generator.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertTrue(generator.isRunning, "a live run goes on until Ctrl-C: \(generator.stderr)")
        XCTAssertGreaterThanOrEqual(try onBroker(.sales), 200, "sales were arriving")

        generator.send(SIGINT)
        let stopped = Date()
        let status = generator.wait(timeout: 30)
        print("generate stopped \(String(format: "%.2f", Date().timeIntervalSince(stopped))) s after SIGINT")
        XCTAssertEqual(status, 0, "Ctrl-C is a clean stop: \(generator.stderr)")

        // Its summary, its truth file and the broker agree, topic by topic: nothing it counts
        // is missing, nothing is there that it did not count.
        let summary = generator.stdout
        let counted = generatedCounts(summary)
        let total = counted.values.reduce(0, +)
        XCTAssertEqual(counted.count, 7, summary)
        XCTAssertTrue(summary.contains("published \(NumberText.grouped(total)) events"), summary)
        XCTAssertTrue(summary.contains("delivered: \(NumberText.grouped(total)) of \(NumberText.grouped(total)), failed: 0"), summary)
        let truth = try GroundTruth.read(from: URL(fileURLWithPath: dir + "/truth.json"))
        XCTAssertEqual(truth.events.total, total, "the truth covers what was published")
        for entity in Entity.allCases {
            XCTAssertEqual(try onBroker(entity), counted[entity.topic], "\(entity.topic): on the broker = in the summary")
            XCTAssertEqual(truth.events[entity], counted[entity.topic], "\(entity.topic): in the truth = in the summary")
        }
        let drained = try drain(broker.bootstrap, topics: Entity.allCases.map(\.topic), expected: total)
        XCTAssertEqual(drained.count, total)
        XCTAssertEqual(Set(drained.compactMap { eventID($0.value) }).count, total, "every event once")
    }

    // MARK: Bad input: one clear sentence, non-zero exit, no hang.

    func testAnUnreachableBrokerIsOneSentenceAndAFailingExit() throws {
        let start = Date()
        let r = try shopstream(
            ["generate", "--brokers", "127.0.0.1:\(freePort())", "--connect-timeout", "2s", "--events", "10"], timeout: 30)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("error: Kafka at 127.0.0.1:"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    func testAMissingTopicNamesTheTopicAndTheFix() throws {
        // A cluster with only some of the topics.
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        let partial = try EmbeddedBroker(topics: catalog.definitions.filter { $0.name != "shop.shipping" })
        let r = try shopstream(["generate", "--brokers", partial.bootstrapServers, "--events", "10"], timeout: 60)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("topic shop.shipping does not exist"), r.stderr)
        XCTAssertTrue(r.stderr.contains("shopstream topics apply"), r.stderr)
    }

    func testABadLibrdkafkaPropertyIsRejectedByName() throws {
        let r = try shopstream(["generate", "--brokers", "127.0.0.1:9", "-X", "no.such.thing=1", "--events", "10"], timeout: 30)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("no.such.thing=1"), r.stderr)

        let malformed = try shopstream(["generate", "-X", "justakey", "--events", "10"], timeout: 30)
        XCTAssertNotEqual(malformed.status, 0)
        XCTAssertTrue(malformed.stderr.contains("expected key=value"), malformed.stderr)
    }

    func testABadRateIsRejectedBeforeAnythingRuns() throws {
        for bad in ["fast", "0", "-5", "nan"] {
            let r = try shopstream(["generate", "--rate=\(bad)", "--events", "10"], timeout: 30)
            XCTAssertNotEqual(r.status, 0, bad)
            XCTAssertTrue(r.stderr.contains("--rate \(bad): expected a positive number of events per second"), r.stderr)
        }
    }

    func testLiveModeSendsEachEventAtItsOwnTimeAtAboutTheRate() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let launched = SentAt.nowMilliseconds()
        // The first ~3,900 events are the business's first day (2,000 customers, 17 stores, its
        // products and their stock), all dated at the start: a burst. At least 800 follow at the rate.
        let r = try shopstream(["generate", "--brokers", broker.bootstrap, "--rate", "400", "--events", "5000", "-q"], timeout: 120)
        let finished = SentAt.nowMilliseconds()
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("published 5,000 events"), r.stdout)

        let received = try drain(broker.bootstrap, topics: Entity.allCases.map(\.topic), expected: 5000)
        XCTAssertEqual(received.count, 5000)
        // A live event's record time is its business time, and it carries when it was sent.
        XCTAssertEqual(received.filter { $0.timestampMs == nil || sentAt($0) == nil }.count, 0, "every event has both times")
        guard let start = received.compactMap(\.timestampMs).min() else { return }
        XCTAssertTrue((launched...finished).contains(start), "the business's time starts at the launch")
        let early = received.filter { sentAt($0)! < $0.timestampMs! }
        XCTAssertEqual(early.count, 0, "held until its time: \(early.prefix(3).map { "sent \(sentAt($0)!) for \($0.timestampMs!)" })")
        for partition in Set(received.map(\.topicPartition)) {
            let times = received.filter { $0.topicPartition == partition }.sorted { $0.offset < $1.offset }.map { $0.timestampMs! }
            XCTAssertEqual(times, times.sorted(), "\(partition): in time order")
        }

        // The burst: the first day's dimensions, all at the start (with any order that falls
        // in that very millisecond).
        let burst = received.filter { $0.timestampMs == start }
        XCTAssertTrue(Set(burst.map(\.topic)).isSuperset(of: ["shop.stores", "shop.products", "shop.customers", "shop.inventory"]))
        XCTAssertGreaterThanOrEqual(burst.filter { $0.topic == "shop.customers" }.count, 2000)
        // The rest at the rate: their own times (the simulation's, not the machine's) spread over
        // about their count / 400 s. Slower in the first minutes, as the first orders' payments
        // (20 s to 8 min after their sale) are not yet due: about half the rate. A rate read as
        // 4,000/s would fit them in a tenth of that, one read as 40/s would take ten times as long.
        let paced = received.filter { $0.timestampMs! > start }
        XCTAssertGreaterThanOrEqual(paced.count, 800)
        let span = Double(paced.map { $0.timestampMs! }.max()! - start) / 1000
        let atRate = Double(paced.count) / 400
        print(
            "\(burst.count) events at the start, then \(paced.count) over \(span) s (\(String(format: "%.2f", span / atRate)) x count / rate)"
        )
        XCTAssertGreaterThan(span, 0.75 * atRate, "\(paced.count) events after the start")
        XCTAssertLessThan(span, 4 * atRate, "\(paced.count) events after the start")
    }

    func testCtrlCWhileAnEventWaitsForItsTimeStopsAtOnceAndNothingGoesOutEarly() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let dir = NSTemporaryDirectory() + "ctrl-c-held-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // After the burst at the start, an event every couple of minutes: Ctrl-C comes while
        // the next one is held, and must not wait for it (nor send it early).
        let generator = try Child(
            try shopstreamBinary(),
            [
                "generate", "--brokers", broker.bootstrap, "--rate", "0.01", "--truth", dir + "/truth.json", "-q",
            ], directory: dir, label: "generate")
        let admin = try TopicAdmin(connection: KafkaConnection(bootstrapServers: broker.bootstrap))
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        func onBroker(_ entity: Entity) throws -> Int {
            Int(try admin.messageCounts(entity.topic, partitions: catalog[entity].partitions).reduce(0, +))
        }
        let deadline = Date().addingTimeInterval(60)
        while try onBroker(.customers) < 2000 && generator.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertTrue(generator.isRunning, "a live run goes on until Ctrl-C: \(generator.stderr)")
        XCTAssertGreaterThanOrEqual(try onBroker(.customers), 2000, "the first day's customers went out at the start")

        generator.send(SIGINT)
        let stopped = Date()
        // Generous: the next event may be minutes away, and a run that waited for it would not stop in time.
        let status = generator.wait(timeout: 30)
        print("generate stopped \(String(format: "%.2f", Date().timeIntervalSince(stopped))) s after SIGINT")
        XCTAssertEqual(status, 0, "Ctrl-C is a clean stop: \(generator.stderr)")

        let counted = generatedCounts(generator.stdout)
        let total = counted.values.reduce(0, +)
        let truth = try GroundTruth.read(from: URL(fileURLWithPath: dir + "/truth.json"))
        XCTAssertEqual(truth.events.total, total, "the truth covers what was published")
        for entity in Entity.allCases {
            XCTAssertEqual(try onBroker(entity), counted[entity.topic], "\(entity.topic): on the broker = in the summary")
        }
        let drained = try drain(broker.bootstrap, topics: Entity.allCases.map(\.topic), expected: total)
        XCTAssertEqual(drained.count, total)
        XCTAssertEqual(drained.filter { m in sentAt(m).map { $0 < m.timestampMs! } ?? true }.count, 0, "nothing was sent before its time")
    }

    /// The wall-clock time a live generator sent a message (its shopstream-sent-at header).
    private func sentAt(_ m: ConsumedMessage) -> Int64? {
        m.headers.first { $0.name == SentAt.header }.flatMap { Int64(String(decoding: $0.value, as: UTF8.self)) }
    }
}

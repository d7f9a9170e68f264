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
            XCTAssertEqual(result.stdout.split(separator: "\n").filter { $0.hasPrefix("shop.") && $0.hasSuffix("  ok") }.count, 8, result.stdout)
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
            let r = try shopstream(["generate", "--events", "20000", "--seed", seed, "--output", dir.appendingPathComponent(run).path, "-q"])
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
        let generator = try Child(try shopstreamBinary(), [
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
        let r = try shopstream(["generate", "--brokers", "127.0.0.1:\(freePort())", "--connect-timeout", "2s", "--events", "10"], timeout: 30)
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

    func testLiveModeHoldsTheRate() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let launched = SentAt.nowMilliseconds()
        let r = try shopstream(["generate", "--brokers", broker.bootstrap, "--rate", "400", "--events", "800", "-q"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("published 800 events"), r.stdout)

        // A live event carries the wall-clock time it was sent (shopstream-sent-at).
        let received = try drain(broker.bootstrap, topics: Entity.allCases.map(\.topic), expected: 800)
        let sent = received.compactMap { m in
            m.headers.first { $0.name == SentAt.header }.flatMap { Int64(String(decoding: $0.value, as: UTF8.self)) }
        }.sorted()
        XCTAssertEqual(sent.count, 800, "every live event is on the broker with its send time")
        guard let first = sent.first, let last = sent.last else { return }
        // The pacer holds event n+1 until n/400 s after it started, which was after `launched`:
        // the 800th goes out at least 1.9975 s after launch, however loaded the machine. A rate
        // read as 4,000/s would send it within about 0.2 s.
        XCTAssertGreaterThanOrEqual(last - launched, 1_990, "800 events at 400/s take two seconds")
        // And not ten times as long: a rate read as 40/s spreads them over 20 s. The bound is 5x
        // the expected 2 s and counts only sending (not start-up), so load alone does not reach it.
        XCTAssertLessThan(last - first, 10_000, "800 events at 400/s are sent within 10 s")
    }
}

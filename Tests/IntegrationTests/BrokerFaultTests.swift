import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import TestSupport
import XCTest

/// The broker fails while the generator and both sinks run, each as its own process against a
/// three-broker `shopstream broker`, the faults injected through its fault control (`POST /faults/…`).
/// Each test first proves that its fault reached the clients, then that nothing was lost and nothing
/// doubled: every published event (the generator's `--truth`) is once in Kafka, once in the lake
/// (`lake verify` clean) and in silver, each key's events in the order they happened. An error that
/// retrying cannot fix stops the command with one sentence that names it.
///
/// What the mock cluster cannot show: it checks an idempotent producer's sequence numbers only for a
/// transactional producer (rdkafka_mock.c, `rd_kafka_mock_validate_records`), so a produce request it
/// appended but answered after the client's timeout is appended again on the retry, where Kafka would
/// drop the copy. The slow-broker test therefore delays answers past the sinks' request timeouts and
/// keeps the generator's own (60 s) above the delay.
final class BrokerFaultTests: XCTestCase {
    /// Broker 2 goes away for six seconds (its partitions keep it as leader, as on a real restart)
    /// and comes back.
    func testABrokerDownForSecondsAndBackLosesAndDoublesNothing() throws {
        let run = try FaultRun(name: "down")
        try run.startAndWaitUntilLanding()
        let listener = try run.listener(of: 2)
        XCTAssertTrue(canConnect(listener), "broker 2 takes connections at \(listener)")
        XCTAssertEqual(run.broker.fault("brokers/2/down").status, 200)
        // The fault is real for a client: broker 2 refuses connections. (Not asked through librdkafka:
        // its rd_kafka_query_watermark_offsets waits past its timeout while a leader is down.)
        XCTAssertTrue(eventually(timeout: 5) { !canConnect(listener) }, "broker 2 refuses connections while down")
        Thread.sleep(forTimeInterval: 6)
        XCTAssertTrue(run.generator.isRunning, "the generator waits for the broker instead of giving up\n\(run.generator.stderr.suffix(1500))")
        XCTAssertEqual(run.broker.fault("brokers/2/up").status, 200)
        try run.finishAndCheckEveryEventExactlyOnce()
    }

    /// Every partition's leader moves to the next broker three times while events flow; each time
    /// clients are told NOT_LEADER_FOR_PARTITION by the old leader and must find the new one.
    func testPartitionLeadersMovedMidStreamLoseAndDoubleNothing() throws {
        let run = try FaultRun(name: "leaders")
        try run.startAndWaitUntilLanding()
        for _ in 0..<3 {
            let before = try run.clusterLeaders()
            let moved = run.broker.fault("leaders/move")
            XCTAssertEqual(moved.status, 200, moved.body)
            // What a client learns from metadata is what the broker says it did, and every leader moved.
            XCTAssertEqual(try run.clusterLeaders(), try run.brokerLeaders(), "a client sees the new leaders")
            let after = try run.clusterLeaders()
            XCTAssertTrue(after.allSatisfy { before[$0.key] != $0.value }, "every partition has a new leader")
            Thread.sleep(forTimeInterval: 2.5)
        }
        try run.finishAndCheckEveryEventExactlyOnce()
    }

    /// Produce, fetch and offset-commit requests fail on every broker with errors a client must
    /// retry; the test waits until every injected error was answered to some request.
    ///
    /// The generator sends one request at a time to each broker here: when a batch fails while a later
    /// one of its partition is in flight and succeeds, the idempotent producer takes the failed batch
    /// for persisted (Kafka would have refused the later one as out of sequence had it not been); the
    /// mock does not check sequences, so there that batch would be lost though acknowledged.
    func testRetriableProduceFetchAndCommitErrorsLoseAndDoubleNothing() throws {
        let run = try FaultRun(name: "errors", generatorOptions: ["-X", "max.in.flight.requests.per.connection=1"])
        try run.startAndWaitUntilLanding()
        // Offset commits go to each group's coordinator: make it broker 3 (itself a fault: the old
        // one answers NOT_COORDINATOR), and fail commits there.
        for group in ["shopstream-bronze", "shopstream-silver"] {
            XCTAssertEqual(run.broker.fault("coordinator/\(group)/3").status, 200)
        }
        for (target, api, errors) in [
            ("all", "produce", "NOT_LEADER_FOR_PARTITION,REQUEST_TIMED_OUT,NOT_ENOUGH_REPLICAS,KAFKA_STORAGE_ERROR"),
            ("all", "fetch", "NOT_LEADER_FOR_PARTITION,REQUEST_TIMED_OUT,KAFKA_STORAGE_ERROR,UNKNOWN_TOPIC_OR_PART"),
            ("3", "offset-commit", "REQUEST_TIMED_OUT,COORDINATOR_NOT_AVAILABLE,NOT_COORDINATOR"),
        ] {
            let pushed = run.broker.fault("brokers/\(target)/errors/\(api)/\(errors)?count=3")
            XCTAssertEqual(pushed.status, 200, pushed.body)
        }
        var waiting: [String: Int] = [:]
        XCTAssertTrue(eventually(timeout: 60) {
            waiting = run.waitingErrors()
            return waiting.isEmpty
        }, "every injected error met a request (still waiting: \(waiting))")
        // librdkafka hands a fetch's REQUEST_TIMED_OUT to the application: the sinks count it and read on.
        XCTAssertGreaterThan(run.sinkMetric("shopstream_bus_errors_total", ["error": "REQUEST_TIMED_OUT"]), 0,
                             "the sinks saw the fetch errors (shopstream_bus_errors_total)")
        try run.finishAndCheckEveryEventExactlyOnce()
    }

    /// Every broker answers 3 s late for 8 s: past the sinks' request timeout (1.5 s here), so their
    /// fetches, commits and heartbeats time out and are retried; the generator's acks come late.
    func testAnswersSlowerThanTheSinksTimeoutsLoseAndDoubleNothing() throws {
        let run = try FaultRun(name: "rtt", sinkOptions: ["-X", "socket.timeout.ms=1500"])
        try run.startAndWaitUntilLanding()
        XCTAssertEqual(run.broker.fault("brokers/all/rtt/3s").status, 200)
        // The delay is real for a client: one metadata request takes the 3 s.
        let started = ContinuousClock.now
        _ = try run.admin.metadata()
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(2900), "a request is answered 3 s late")
        Thread.sleep(forTimeInterval: 5)
        XCTAssertEqual(run.broker.fault("brokers/all/rtt/0s").status, 200)
        try run.finishAndCheckEveryEventExactlyOnce()
    }

    /// TOPIC_AUTHORIZATION_FAILED (this client may not use the topic) cannot be retried away: the
    /// generator, told so on produce, and each sink, told so on fetch, exits 1 with one line that
    /// names the topic and the cause, promptly and on its own.
    func testANonRetriableErrorStopsEachCommandWithOneSentenceNamingTheCause() throws {
        // Live until stopped: only the error may end it.
        let run = try FaultRun(name: "fatal", events: nil)
        try run.startAndWaitUntilLanding()
        XCTAssertEqual(run.broker.fault("brokers/all/errors/produce/TOPIC_AUTHORIZATION_FAILED?count=10").status, 200)
        XCTAssertEqual(run.generator.wait(timeout: 30), 1, "the generator stops on its own\n\(run.generator.stderr.suffix(1500))")
        // Enough for both sinks, which fetch from every broker.
        XCTAssertEqual(run.broker.fault("brokers/all/errors/fetch/TOPIC_AUTHORIZATION_FAILED?count=10").status, 200)
        for sink in [run.bronze, run.silver] {
            XCTAssertEqual(sink.wait(timeout: 30), 1, "\(sink.label) stops on its own\n\(sink.stderr.suffix(1500))")
        }
        for child: Child in [run.generator, run.bronze, run.silver] {
            let said = child.stderr.split(separator: "\n").last.map(String.init) ?? ""
            print("\(child.label) said: \(said)")
            XCTAssertTrue(said.hasPrefix("error: ") && said.contains("shop.") && said.contains("Topic authorization failed"),
                          "\(child.label)'s last line names the topic and the cause: \(said)")
            XCTAssertEqual(child.stderr.components(separatedBy: "error: ").count, 2, "\(child.label) says it once:\n\(child.stderr.suffix(1500))")
        }
    }

    /// A broker down for longer than the generator may take to deliver a message: the messages for
    /// its partitions fail, and the generator stops at once, saying so, instead of publishing on
    /// (a live run would otherwise go on until its next check, 65,536 events later).
    func testAGeneratorWhoseBrokerStaysDownPastItsMessageTimeoutStopsSayingSo() throws {
        let broker = try BrokerProcess(port: 0, brokers: 3, http: true)
        defer { broker.stop() }
        let directory = NSTemporaryDirectory() + "broker-faults-timeout-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = freePort()
        let generator = try Child(try shopstreamBinary(), [
            "generate", "--brokers", broker.bootstrap, "--rate", "300", "-q", "--http", "127.0.0.1:\(port)", "-X", "message.timeout.ms=2000",
        ], directory: directory, label: "generate")
        defer { generator.send(SIGKILL) }
        XCTAssertTrue(eventually(timeout: 30) {
            PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics", timeout: 2)?.body ?? "").sum("shopstream_events_published_total") > 0
        }, "the generator publishes\n\(generator.stderr)")
        XCTAssertEqual(broker.fault("brokers/2/down").status, 200)
        XCTAssertEqual(generator.wait(timeout: 20), 1, "the generator stops on its own\n\(generator.stderr.suffix(1500))")
        let said = generator.stderr.split(separator: "\n").last.map(String.init) ?? ""
        print("generate said: \(said)")
        XCTAssertTrue(said.hasPrefix("error: ") && said.contains("messages were not delivered; first: delivery to shop.")
                      && said.hasSuffix("failed: Local: Message timed out"), said)
    }

    /// A request the fault control cannot do is answered with why and what it takes.
    func testTheFaultControlAnswersBadRequestsWithWhatToDo() throws {
        let broker = try BrokerProcess(port: 0, brokers: 3, http: true)
        defer { broker.stop() }
        for (path, method, status, says) in [
            ("brokers/4/down", "POST", 400, "broker 4: this cluster has brokers 1 to 3 (or all)"),
            ("brokers/2/rtt/soon", "POST", 400, "rtt soon: expected a duration such as 500ms, 3s or 1m"),
            ("leaders/shop.sale/0/2", "POST", 400, "topic shop.sale is not on this broker; its topics are shop.customers,"),
            ("leaders/shop.sales/9/2", "POST", 400, "shop.sales has partitions 0 to 5, not 9"),
            ("errors/produce/NOT_A_REAL_ERROR", "POST", 400, "error NOT_A_REAL_ERROR is not one librdkafka knows"),
            ("errors/produse/REQUEST_TIMED_OUT", "POST", 400, "request type produse is unknown; use one of Produce, Fetch,"),
            ("errors/produce/REQUEST_TIMED_OUT?count=0", "POST", 400, "count=0: expected 1 to 100,000"),
            ("brokers/2/sideways", "POST", 404, "/faults/brokers/2/sideways is not a fault; the fault control takes:"),
            ("clear", "GET", 405, "GET /faults/clear: faults are changed with POST (GET /faults shows them)"),
        ] {
            let answer = broker.fault(path, method: method)
            XCTAssertEqual(answer.status, status, "\(method) \(path): \(answer.body)")
            XCTAssertTrue(answer.body.hasPrefix(says), "\(method) \(path): \(answer.body)")
        }
        XCTAssertEqual(broker.fault("brokers/3/down").body, "broker 3 is down\n")
        XCTAssertTrue(broker.fault("", method: "GET").body.contains("  3: down, leads 11 partitions"), broker.fault("", method: "GET").body)
    }
}

/// One test's pipeline: a three-broker `shopstream broker` with its fault control, the bronze sink
/// (folder lake) and the silver sink (SQLite), then the generator, live, each a process of its own.
private final class FaultRun {
    let broker: BrokerProcess
    let directory: String
    let lake: String
    let warehouse: String
    let truth: String
    let bronze: Child
    let silver: Child
    private(set) var generator: Child!
    let admin: Admin
    private let events: Int?
    private let bronzeStatus = freePort(), silverStatus = freePort()

    /// `events`: the generator stops after that many (a live run of about 3 history days at full
    /// speed, then some 10 s at 300 a second); nil: it runs until stopped.
    private let generatorOptions: [String]

    init(name: String, events: Int? = 11_000, generatorOptions: [String] = [], sinkOptions: [String] = []) throws {
        self.generatorOptions = generatorOptions
        directory = NSTemporaryDirectory() + "broker-faults-\(name)-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        lake = "file://\(directory)/lake"
        warehouse = "sqlite://\(directory)/warehouse.db"
        truth = "\(directory)/truth.json"
        self.events = events
        broker = try BrokerProcess(port: 0, brokers: 3, http: true)
        admin = try Admin(bootstrap: broker.bootstrap)
        bronze = try Child(try shopstreamBinary(), [
            "sink", "bronze", "--brokers", broker.bootstrap, "--lake", lake, "--max-batch-age", "1s",
            "--http", "127.0.0.1:\(bronzeStatus)",
        ] + sinkOptions, directory: directory, label: "bronze")
        silver = try Child(try shopstreamBinary(), [
            "sink", "silver", "--brokers", broker.bootstrap, "--warehouse", warehouse, "--max-delay", "200ms",
            "--http", "127.0.0.1:\(silverStatus)",
        ] + sinkOptions, directory: directory, label: "silver")
    }

    deinit {
        for child in [generator, bronze, silver].compactMap({ $0 }) { child.send(SIGKILL) }
        broker.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the generator once both sinks hold their partitions; returns once both land events.
    func startAndWaitUntilLanding(file: StaticString = #filePath, line: UInt = #line) throws {
        for (sink, port) in [(bronze, bronzeStatus), (silver, silverStatus)] {
            guard eventually(timeout: 60, { httpGet("http://127.0.0.1:\(port)/readyz", timeout: 2)?.status == 200 }) else {
                XCTFail("\(sink.label) did not get its partitions within 60 s\n\(sink.stderr.suffix(1500))", file: file, line: line)
                throw CommandFailure()
            }
        }
        generator = try Child(try shopstreamBinary(), [
            "generate", "--brokers", broker.bootstrap, "--rate", "300", "--history", "3", "--seed", "11", "--truth", truth, "-q",
        ] + (events.map { ["--events", String($0)] } ?? []) + generatorOptions, directory: directory, label: "generate")
        for (sink, port) in [(bronze, bronzeStatus), (silver, silverStatus)] {
            guard eventually(timeout: 60, { landed(port) > 0 }) else {
                XCTFail("\(sink.label) landed nothing within 60 s\n\(sink.stderr.suffix(1500))", file: file, line: line)
                throw CommandFailure()
            }
        }
    }

    /// A metric summed over both sinks' `/metrics`.
    func sinkMetric(_ name: String, _ labels: [String: String] = [:]) -> Double {
        [bronzeStatus, silverStatus].map {
            PrometheusSamples(httpGet("http://127.0.0.1:\($0)/metrics", timeout: 5)?.body ?? "").sum(name, labels)
        }.reduce(0, +)
    }

    private func landed(_ port: Int) -> Double {
        PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics", timeout: 5)?.body ?? "").sum("shopstream_sink_records_landed_total")
    }

    // MARK: What the broker and a client see

    /// Where broker `id` listens, as metadata says.
    func listener(of id: Int32) throws -> (host: String, port: Int) {
        guard let b = try admin.metadata().brokers.first(where: { $0.id == id }) else { throw CommandFailure() }
        return (b.host, b.port)
    }

    /// The leaders the broker says it set (`GET /faults?format=json`).
    func brokerLeaders() throws -> [TopicPartition: Int32] {
        let state = try faultState()
        var out: [TopicPartition: Int32] = [:]
        for leader in state["leaders"] as? [[String: Any]] ?? [] {
            guard let topic = leader["topic"] as? String, let p = leader["partition"] as? Int, let b = leader["broker"] as? Int else { continue }
            out[TopicPartition(topic, Int32(p))] = Int32(b)
        }
        return out
    }

    /// The leaders a client learns from metadata.
    func clusterLeaders() throws -> [TopicPartition: Int32] {
        var out: [TopicPartition: Int32] = [:]
        for (topic, t) in try admin.metadata().topics {
            for (p, leader) in t.leaders.enumerated() { out[TopicPartition(topic, Int32(p))] = leader }
        }
        return out
    }

    /// Injected errors no request met yet, per broker and request type (`2 Fetch`: 3).
    func waitingErrors() -> [String: Int] {
        var out: [String: Int] = [:]
        for b in (try? faultState())?["brokers"] as? [[String: Any]] ?? [] {
            for (api, n) in b["waiting"] as? [String: Int] ?? [:] { out["\(b["id"] ?? "?") \(api)"] = n }
        }
        return out
    }

    private func faultState() throws -> [String: Any] {
        let answer = broker.fault("?format=json", method: "GET")
        guard answer.status == 200, let state = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else {
            XCTFail("GET /faults?format=json: \(answer.status) \(answer.body)")
            throw CommandFailure()
        }
        return state
    }

    // MARK: The end

    /// Waits for the generator to finish and for both sinks to commit every partition to its end,
    /// stops them (SIGTERM: exit 0), and checks that every published event is exactly once in Kafka,
    /// in the lake and in silver.
    func finishAndCheckEveryEventExactlyOnce(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(generator.wait(timeout: 120), 0, "the generator finished\n\(generator.stderr.suffix(2000))", file: file, line: line)
        let published = try GroundTruth.read(from: URL(fileURLWithPath: truth)).events
        XCTAssertEqual(published.total, events, "the truth covers every event", file: file, line: line)

        // Kafka holds each published event once: per topic, offsets = events published.
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        var high: [TopicPartition: Int64] = [:]
        for d in catalog.definitions {
            for (p, mark) in try admin.watermarks(d.name, partitions: d.partitions).enumerated() { high[TopicPartition(d.name, Int32(p))] = mark.high }
        }
        for entity in Entity.allCases {
            let offsets = high.filter { $0.key.topic == entity.topic }.values.reduce(0, +)
            XCTAssertEqual(offsets, Int64(published[entity]), "\(entity.topic): offsets on the broker = events published (no duplicate, none lost)", file: file, line: line)
        }
        XCTAssertEqual(high.filter { $0.key.topic == Entity.deadLetterTopic }.values.reduce(0, +), 0, "nothing dead-lettered", file: file, line: line)

        // Both sinks catch up on their own: each group committed every partition to its end.
        let partitions = high.keys.filter { $0.topic != Entity.deadLetterTopic }
        for (sink, group) in [(bronze, "shopstream-bronze"), (silver, "shopstream-silver")] {
            var behind: [TopicPartition] = []
            let caughtUp = eventually(timeout: 90) {
                guard sink.isRunning else { return true }
                let committed = (try? Consumer.committed(partitions, groupId: group, connection: admin.connection)) ?? [:]
                behind = partitions.filter { ((committed[$0] ?? nil) ?? 0) < high[$0]! }.sorted()
                return behind.isEmpty
            }
            guard sink.isRunning else {
                XCTFail("\(sink.label) stopped before it caught up\n\(sink.stderr.suffix(2000))", file: file, line: line)
                throw CommandFailure()
            }
            XCTAssertTrue(caughtUp, "\(group) committed every partition to its end; behind: \(behind.prefix(5))…\n\(sink.stderr.suffix(2000))", file: file, line: line)
        }
        for sink in [bronze, silver] {
            sink.send(SIGTERM)
            XCTAssertEqual(sink.wait(timeout: 60), 0, "\(sink.label) stops cleanly\n\(sink.stderr.suffix(2000))", file: file, line: line)
        }

        // The lake: every offset in exactly one object, none missing (lake verify against Kafka).
        let verify = try shopstream(["lake", "verify", "--lake", lake, "--brokers", broker.bootstrap])
        XCTAssertEqual(verify.status, 0, "lake verify is clean\n\(verify.stdout.suffix(2000))\(verify.stderr)", file: file, line: line)
        XCTAssertTrue(verify.stdout.contains("verify: OK (") && verify.stdout.contains(" objects, \(published.total) events)"), verify.stdout.suffix(500).description, file: file, line: line)

        // Each event once in bronze and in silver, the same events in both, each key's in order.
        let landed = try Landed(lake: lake, warehouse: warehouse, file: file, line: line)
        for entity in Entity.allCases {
            let topic = entity.topic, bronzeIDs = landed.bronze[topic] ?? [], silverIDs = landed.silver[topic] ?? []
            XCTAssertEqual(bronzeIDs.count, published[entity], "\(topic): bronze lines = events published", file: file, line: line)
            XCTAssertEqual(Set(bronzeIDs).count, bronzeIDs.count, "\(topic): no event twice in bronze", file: file, line: line)
            XCTAssertEqual(Set(silverIDs).count, published[entity], "\(topic): distinct events in silver = events published", file: file, line: line)
            let onlyBronze = Set(bronzeIDs).subtracting(silverIDs), onlySilver = Set(silverIDs).subtracting(bronzeIDs)
            XCTAssertTrue(onlyBronze.isEmpty && onlySilver.isEmpty,
                          "\(topic): \(onlyBronze.count) events only in bronze (e.g. \(onlyBronze.sorted().prefix(3))), \(onlySilver.count) only in silver (e.g. \(onlySilver.sorted().prefix(3)))",
                          file: file, line: line)
        }
        for (tp, log) in landed.bronzeLog {
            XCTAssertEqual(Int64(log.count), high[tp], "\(tp): bronze lines = offsets on the broker", file: file, line: line)
        }
        try checkEachKeyInOrder(landed, catalog: catalog, file: file, line: line)
        let rows = try query("SELECT (SELECT COUNT(*) FROM silver.rejects), " + Entity.allCases.map {
            "(SELECT COUNT(*) FROM (SELECT event_id FROM silver.\($0.rawValue) GROUP BY event_id HAVING COUNT(DISTINCT _insert_id) > 1))"
        }.joined(separator: " + "))
        XCTAssertEqual(rows, ["0", "0"], "silver rejected nothing and holds no event under two Kafka coordinates", file: file, line: line)
    }

    /// Per key, the events in each partition's log (by offset) are in the order they happened: the
    /// idempotent producer keeps the order through its retries.
    private func checkEachKeyInOrder(_ landed: Landed, catalog: TopicCatalog, file: StaticString, line: UInt) throws {
        var outOfOrder: [String] = []
        for (tp, log) in landed.bronzeLog {
            guard let keyField = catalog.definitions.first(where: { $0.name == tp.topic })?.key.field else { continue }
            var last: [String: String] = [:]
            for record in log {
                guard let event = try JSONSerialization.jsonObject(with: Data(record)) as? [String: Any],
                      let key = event[keyField] as? String, let time = event["event_time"] as? String else { continue }
                if let before = last[key], time < before { outOfOrder.append("\(tp) \(key): \(time) after \(before)") }
                last[key] = time
            }
        }
        XCTAssertTrue(outOfOrder.isEmpty, "each key's events in the order they happened: \(outOfOrder.prefix(5))", file: file, line: line)
    }

    /// One row of `shopstream warehouse query`.
    private func query(_ sql: String) throws -> [String] {
        let r = try shopstream(["warehouse", "query", "--warehouse", warehouse, sql])
        guard r.status == 0, let row = r.stdout.split(separator: "\n").dropFirst().first else {
            XCTFail("warehouse query failed: \(r.stderr)\n\(sql)")
            throw CommandFailure()
        }
        return row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
}

/// A client of the test's own: metadata and watermarks, as any Kafka client sees them.
private struct Admin {
    let connection: KafkaConnection
    private let admin: TopicAdmin

    init(bootstrap: String) throws {
        connection = KafkaConnection(bootstrapServers: bootstrap, connectTimeout: .seconds(10))
        admin = try TopicAdmin(connection: connection)
    }

    func metadata() throws -> ClusterMetadata { try admin.metadata() }

    func watermarks(_ topic: String, partitions: Int) throws -> [(low: Int64, high: Int64)] {
        try admin.watermarks(topic, partitions: partitions)
    }

}

/// Whether a TCP connection to `address` is accepted within a second.
private func canConnect(_ address: (host: String, port: Int)) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(address.port).bigEndian)
    addr.sin_addr.s_addr = inet_addr(address.host)
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

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
        let run = try PipelineRun(name: "down")
        try run.startAndWaitUntilLanding()
        let listener = try run.listener(of: 2)
        XCTAssertTrue(canConnect(listener), "broker 2 takes connections at \(listener)")
        XCTAssertEqual(run.broker.fault("brokers/2/down").status, 200)
        // The fault is real for a client: broker 2 refuses connections. (Not asked through librdkafka:
        // its rd_kafka_query_watermark_offsets waits past its timeout while a leader is down.)
        XCTAssertTrue(eventually(timeout: 5) { !canConnect(listener) }, "broker 2 refuses connections while down")
        Thread.sleep(forTimeInterval: 6)
        XCTAssertTrue(
            run.generator.isRunning, "the generator waits for the broker instead of giving up\n\(run.generator.stderr.suffix(1500))")
        XCTAssertEqual(run.broker.fault("brokers/2/up").status, 200)
        try run.finishAndCheckEveryEventExactlyOnce()
    }

    /// The leaders of the inventory, payments and shipping partitions move to the next broker three
    /// times while events flow; each time clients are told NOT_LEADER_FOR_PARTITION by the old
    /// leader and must find the new one.
    ///
    /// One request in flight a broker, for the reason given at the retriable-errors test below. That
    /// does not stop two in flight for one partition while its leader moves (one to the old leader,
    /// the next to the new), and then the mock may lose a batch that librdkafka acknowledges
    /// implicitly, where Kafka would not (`MockLoss`; seen in CI: 3,870 of 3,871 sales on the
    /// broker). The generator logs those acks (`debug=eos`) and the check allows exactly them; the
    /// sinks must still land every event the broker holds, once. The topics moved are those no other
    /// event refers to: a sale lost that way would leave its payment waiting for it, then
    /// dead-lettered, which is right but not what this test is about.
    func testPartitionLeadersMovedMidStreamLoseAndDoubleNothing() throws {
        let run = try PipelineRun(
            name: "leaders", generatorOptions: ["-X", "max.in.flight.requests.per.connection=1", "-X", "debug=eos"])
        try run.startAndWaitUntilLanding()
        let moving: Set<String> = [Entity.inventory.topic, Entity.payments.topic, Entity.shipping.topic]
        for _ in 0..<3 {
            let before = try run.clusterLeaders()
            for topic in moving.sorted() {
                let moved = run.broker.fault("leaders/move?topic=\(topic)")
                XCTAssertEqual(moved.status, 200, moved.body)
            }
            // What a client learns from metadata is what the broker says it did, and every leader moved.
            XCTAssertEqual(try run.clusterLeaders(), try run.brokerLeaders(), "a client sees the new leaders")
            let after = try run.clusterLeaders()
            XCTAssertTrue(
                after.allSatisfy { moving.contains($0.key.topic) == (before[$0.key] != $0.value) },
                "every partition of \(moving.sorted()) has a new leader, and only those")
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
        let run = try PipelineRun(
            name: "errors", generatorOptions: ["-X", "max.in.flight.requests.per.connection=1", "-X", "debug=eos"])
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
        XCTAssertTrue(
            eventually(timeout: 60) {
                waiting = run.waitingErrors()
                return waiting.isEmpty
            }, "every injected error met a request (still waiting: \(waiting))")
        // librdkafka hands a fetch's REQUEST_TIMED_OUT to the application: the sinks count it and read on.
        XCTAssertGreaterThan(
            run.sinkMetric("shopstream_bus_errors_total", ["error": "REQUEST_TIMED_OUT"]), 0,
            "the sinks saw the fetch errors (shopstream_bus_errors_total)")
        try run.finishAndCheckEveryEventExactlyOnce()
    }

    /// Every broker answers 3 s late for 8 s: past the sinks' request timeout (1.5 s here), so their
    /// fetches, commits and heartbeats time out and are retried; the generator's acks come late.
    func testAnswersSlowerThanTheSinksTimeoutsLoseAndDoubleNothing() throws {
        let run = try PipelineRun(name: "rtt", sinkOptions: ["-X", "socket.timeout.ms=1500"])
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
        let run = try PipelineRun(name: "fatal", events: nil)
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
            XCTAssertTrue(
                said.hasPrefix("error: ") && said.contains("shop.") && said.contains("Topic authorization failed"),
                "\(child.label)'s last line names the topic and the cause: \(said)")
            XCTAssertEqual(
                child.stderr.components(separatedBy: "error: ").count, 2, "\(child.label) says it once:\n\(child.stderr.suffix(1500))")
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
        let generator = try Child(
            try shopstreamBinary(),
            [
                "generate", "--brokers", broker.bootstrap, "--rate", "300", "-q", "--http", "127.0.0.1:\(port)", "-X",
                "message.timeout.ms=2000",
            ], directory: directory, label: "generate")
        defer { generator.send(SIGKILL) }
        XCTAssertTrue(
            eventually(timeout: 30) {
                PrometheusSamples(httpGet("http://127.0.0.1:\(port)/metrics", timeout: 2)?.body ?? "").sum(
                    "shopstream_events_published_total") > 0
            }, "the generator publishes\n\(generator.stderr)")
        XCTAssertEqual(broker.fault("brokers/2/down").status, 200)
        XCTAssertEqual(generator.wait(timeout: 20), 1, "the generator stops on its own\n\(generator.stderr.suffix(1500))")
        let said = generator.stderr.split(separator: "\n").last.map(String.init) ?? ""
        print("generate said: \(said)")
        XCTAssertTrue(
            said.hasPrefix("error: ") && said.contains("messages were not delivered; first: delivery to shop.")
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

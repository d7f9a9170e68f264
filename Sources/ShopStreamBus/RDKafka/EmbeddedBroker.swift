import Crdkafka
import Foundation
import ShopStreamCore
import Synchronization

/// A Kafka-protocol cluster inside this process: librdkafka's mock cluster.
///
/// It listens on loopback TCP ports like a real broker, so any Kafka client
/// (kcat, Java, this project's own producer and consumer) can use it. It keeps
/// messages in memory and lives as long as this object.
///
/// The mock cluster does not answer CreateTopics or DescribeConfigs over the
/// wire, and would auto-create unknown topics with 4 partitions, so the broker
/// creates the defined topics itself, with their partition counts, at start.
///
/// Faults (for tests and chaos drills): brokers go down and come back, answer late, partitions
/// change leader, requests fail with the error asked for. Brokers are numbered 1 to `brokerCount`.
///
/// `@unchecked Sendable`: every mock call is handed to the cluster's own thread by librdkafka, and
/// the fault bookkeeping here is only touched under `lock`.
public final class EmbeddedBroker: @unchecked Sendable {
    /// `host:port,…` of the cluster's own listeners.
    public let bootstrapServers: String
    public let brokerCount: Int
    /// Partitions per topic, as created.
    public let partitions: [String: Int]

    private let client: RDKafkaClient
    private let cluster: OpaquePointer
    private let lock = NSLock()
    private var state: Faults
    /// A client of the cluster's own, made on the first `droppedMessages()` (under `lock`).
    private var watermarkReader: TopicAdmin?

    /// What a partition holds at most: librdkafka's mock cluster keeps 5 MiB of stored batches
    /// (compressed, as produced) and 100,000 batches a partition, and past either deletes the
    /// oldest batches, moving the partition's first offset on. Fixed in rd_kafka_mock_partition_init;
    /// no setting or API changes it, so a reader that had not read those messages never will.
    public static let partitionCapacityBytes = 5 * 1024 * 1024

    /// Messages the cluster deleted to stay within `partitionCapacityBytes`, per partition that
    /// lost any (its low watermark: every message before it is gone); empty when none was lost.
    public func droppedMessages(timeout: Duration = .seconds(10)) throws -> [TopicPartition: Int64] {
        let admin = try lock.withLock {
            if let admin = watermarkReader { return admin }
            let admin = try TopicAdmin(connection: KafkaConnection(bootstrapServers: bootstrapServers))
            watermarkReader = admin
            return admin
        }
        var dropped: [TopicPartition: Int64] = [:]
        for (topic, count) in partitions {
            for (p, marks) in try admin.watermarks(topic, partitions: count, timeout: timeout).enumerated() where marks.low > 0 {
                dropped[TopicPartition(topic, Int32(p))] = marks.low
            }
        }
        return dropped
    }

    public init(brokerCount: Int = 1, topics: [TopicDefinition]) throws {
        guard (1...16).contains(brokerCount) else {
            throw KafkaError(.invalidArgument, "--brokers \(brokerCount): the embedded cluster takes 1 to 16 brokers")
        }
        self.brokerCount = brokerCount
        client = try RDKafkaClient.make(.producer, properties: [("log_level", "2")])
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokerCount)) else {
            throw KafkaError(.broker, "the embedded Kafka cluster could not start (no free loopback port?)")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        partitions = Dictionary(topics.map { ($0.name, $0.partitions) }, uniquingKeysWith: { a, _ in a })
        state = Faults(brokers: Array(1...Int32(brokerCount)))
        // Each mock call waits for the cluster's thread. librdkafka 2.0.2's thread drains its wake-up
        // pipe after serving what it found queued, so a call queued meanwhile waits for its next
        // poll timeout (1 s): made one after another, the 41 calls for topics/ took 3 to 19 s
        // (strace: a wake-up written, the poll timing out). Made at once, they are served together.
        let handle = MockCluster(pointer: cluster)
        let created = Self.concurrently(
            topics.map { t in
                { rd_kafka_mock_topic_create(handle.pointer, t.name, Int32(t.partitions), Int32(min(t.replicationFactor, brokerCount))) }
            }, bootstrap: bootstrapServers)
        if let (t, err) = zip(topics, created).first(where: { $0.1 != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            // Every property is set: `deinit` runs on this throw and destroys the cluster.
            throw KafkaError(.broker, "the embedded cluster could not create \(t.name): \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
        // The mock picks each leader at random; spread them over the brokers instead, so a fault on
        // one broker hits a known share of every topic, and leaders can be moved on. With one
        // broker, it leads every partition already.
        var leaders: [(TopicPartition, Int32)] = []
        for (index, t) in topics.enumerated() {
            for p in 0..<Int32(t.partitions) {
                leaders.append((TopicPartition(t.name, p), Int32((Int(p) + index) % brokerCount + 1)))
                state.leaders[TopicPartition(t.name, p)] = leaders.last!.1
            }
        }
        if brokerCount > 1 {
            _ = Self.concurrently(
                leaders.map { tp, leader in { rd_kafka_mock_partition_set_leader(handle.pointer, tp.topic, tp.partition, leader) } },
                bootstrap: bootstrapServers)
        }
    }

    /// The cluster's pointer, handed to the threads of `concurrently`. `@unchecked Sendable`: every
    /// mock call only queues an operation for the cluster's own thread.
    private struct MockCluster: @unchecked Sendable { let pointer: OpaquePointer }

    /// Makes each call on a thread of its own, all at once, and returns their results in order.
    /// A call queued just while the cluster's thread drains its pipe would still wait the poll
    /// timeout (set-up took 1.0 s in most runs so); while any is outstanding, a connection to the
    /// cluster's listener every 20 ms wakes the thread instead: it accepts, serves what is queued,
    /// and drops the connection at its close.
    private static func concurrently(_ calls: [@Sendable () -> rd_kafka_resp_err_t], bootstrap: String) -> [rd_kafka_resp_err_t] {
        let results = Mutex([rd_kafka_resp_err_t](repeating: RD_KAFKA_RESP_ERR_NO_ERROR, count: calls.count))
        let group = DispatchGroup()
        for (i, call) in calls.enumerated() {
            group.enter()
            startThread(named: "broker-setup") {
                let err = call()
                results.withLock { $0[i] = err }
                group.leave()
            }
        }
        let port = bootstrap.split(separator: ",").first?.split(separator: ":").last.flatMap { Int($0) }
        while group.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if let port { connectAndClose(loopbackPort: port) }
        }
        return results.withLock { $0 }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Keeps this broker running until the process exits instead of destroying it with its last
    /// reference: for a command that exits as soon as it is done with it (`run`). The destroy waits
    /// for the cluster's thread, which in librdkafka 2.0.2 may first sleep out its 1 s poll (the
    /// race `concurrently` works around): a year's `run` spent a second past its report in about
    /// one run in four. At exit the system closes its sockets at once.
    public func keepUntilExit() {
        Self.keptUntilExit.withLock { $0.append(self) }
    }

    private static let keptUntilExit = Mutex<[EmbeddedBroker]>([])

    // MARK: Faults

    /// What is in force now: brokers down, delays, leaders, the errors injected so far and those
    /// still waiting on each broker.
    public var faults: Faults {
        var now = lock.withLock { state }
        for (b, apis) in now.stacked {
            for api in apis {
                if let n = try? waitingErrors(broker: b, api: api), n > 0 { now.waiting[b, default: [:]][api.name] = n }
            }
        }
        return now
    }

    /// Takes a broker off the network (`up: false`: it drops its connections and refuses new
    /// ones, its partitions keep it as leader) or brings it back; nil: every broker.
    public func setBroker(_ id: Int32?, up: Bool) throws {
        try check(broker: id)
        let err = up ? rd_kafka_mock_broker_set_up(cluster, id ?? -1) : rd_kafka_mock_broker_set_down(cluster, id ?? -1)
        try check(err, "setting broker \(id.map(String.init) ?? "all") \(up ? "up" : "down")")
        lock.withLock {
            for b in id.map({ [$0] }) ?? state.brokers {
                if up { state.down.remove(b) } else { state.down.insert(b) }
            }
        }
    }

    /// Delays every answer of a broker (nil: every broker) by `rtt`; `.zero` ends the delay.
    public func setRoundTripTime(_ rtt: Duration, broker id: Int32?) throws {
        try check(broker: id)
        let ms = rtt.milliseconds
        guard ms <= 3_600_000 else {
            throw KafkaError(.invalidArgument, "a round-trip time of \(rtt) is more than an hour; give at most 1h")
        }
        try check(rd_kafka_mock_broker_set_rtt(cluster, id ?? -1, Int32(ms)), "setting the round-trip time")
        lock.withLock {
            for b in id.map({ [$0] }) ?? state.brokers { state.rtt[b] = ms == 0 ? nil : rtt }
        }
    }

    /// Makes `broker` the leader of a partition: clients asking the old leader are told
    /// NOT_LEADER_FOR_PARTITION and look up the new one.
    public func setLeader(_ tp: TopicPartition, broker: Int32) throws {
        try check(broker: broker)
        guard let count = partitions[tp.topic] else {
            throw KafkaError(
                .invalidArgument,
                "topic \(tp.topic) is not on this broker; its topics are \(partitions.keys.sorted().joined(separator: ", "))")
        }
        guard (0..<Int32(count)).contains(tp.partition) else {
            throw KafkaError(.invalidArgument, "\(tp.topic) has partitions 0 to \(count - 1), not \(tp.partition)")
        }
        try check(rd_kafka_mock_partition_set_leader(cluster, tp.topic, tp.partition, broker), "moving the leader of \(tp)")
        lock.withLock { state.leaders[tp] = broker }
    }

    /// Moves the leader of every partition (of `topic`, or of every topic) to the next broker that
    /// is up; returns the partitions moved.
    @discardableResult
    public func moveLeaders(topic: String? = nil) throws -> [TopicPartition] {
        if let topic, partitions[topic] == nil {
            throw KafkaError(
                .invalidArgument, "topic \(topic) is not on this broker; its topics are \(partitions.keys.sorted().joined(separator: ", "))"
            )
        }
        let (leaders, down) = lock.withLock { (state.leaders, state.down) }
        var moved: [TopicPartition] = []
        for (tp, leader) in leaders.sorted(by: { $0.key < $1.key }) where topic == nil || tp.topic == topic {
            let next = (1..<Int32(brokerCount)).map { (leader - 1 + $0) % Int32(brokerCount) + 1 }.first { !down.contains($0) }
            guard let next else { continue }
            try setLeader(tp, broker: next)
            moved.append(tp)
        }
        return moved
    }

    /// Makes `broker` the coordinator of a consumer group (members find it with FindCoordinator).
    public func setCoordinator(group: String, broker: Int32) throws {
        try check(broker: broker)
        try check(rd_kafka_mock_coordinator_set(cluster, "group", group, broker), "moving the coordinator of group \(group)")
        lock.withLock { state.coordinators[group] = broker }
    }

    /// Makes the next `errors.count` requests of type `api`, to any broker and from any client,
    /// fail with these errors in turn (`_TRANSPORT`: the broker drops the connection instead).
    public func pushRequestErrors(_ errors: [KafkaErrorCode], api: KafkaAPI) {
        guard !errors.isEmpty else { return }
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(cluster, api.key, $0.count, $0.baseAddress) }
        lock.withLock {
            let counted = Dictionary(grouping: errors, by: \.self).map { "\($0.value.count) × \($0.key.name)" }.sorted()
            state.injected.append("\(api.name): \(counted.joined(separator: ", "))")
            if state.injected.count > 100 { state.injected.removeFirst() }
        }
    }

    /// Forgets the errors still waiting for requests of type `api` (nil: of every type) on the whole
    /// cluster; those pushed onto one broker (`pushRequestErrors(_:api:broker:rtt:)`) stay until used.
    public func clearRequestErrors(api: KafkaAPI? = nil) {
        for key in api.map({ [$0.key] }) ?? (0...67).map(Int16.init) { rd_kafka_mock_clear_request_errors(cluster, key) }
        lock.withLock {
            state.injected.append("cleared: \(api?.name ?? "every request type") (the cluster's; each broker's run out by use)")
        }
    }

    /// Makes the next `errors.count` requests of type `api` to one broker (nil: to each broker) fail
    /// with these errors in turn, each answered `rtt` late. `.noError` answers normally, only late.
    /// Unlike the cluster's, these cannot be cleared: requests use them up, and `faults` counts
    /// what is left.
    public func pushRequestErrors(_ errors: [KafkaErrorCode], api: KafkaAPI, broker id: Int32?, rtt: Duration = .zero) throws {
        try check(broker: id)
        guard rtt.milliseconds <= 3_600_000 else {
            throw KafkaError(.invalidArgument, "a delay of \(rtt) is more than an hour; give at most 1h")
        }
        let brokers = id.map { [$0] } ?? Array(1...Int32(brokerCount))
        for b in brokers {
            for e in errors {
                let err = shopstream_mock_broker_push_request_error_rtt(
                    cluster, b, api.key, rd_kafka_resp_err_t(rawValue: e.rawValue), Int32(rtt.milliseconds))
                try check(err, "pushing an error onto broker \(b)")
            }
        }
        lock.withLock {
            for b in brokers { state.stacked[b, default: []].insert(api) }
            let counted = Dictionary(grouping: errors, by: \.self).map { "\($0.value.count) × \($0.key.name)" }.sorted()
            let late = rtt == .zero ? "" : ", \(rtt.milliseconds) ms late"
            state.injected.append("\(api.name) to \(id.map { "broker \($0)" } ?? "each broker"): \(counted.joined(separator: ", "))\(late)")
            if state.injected.count > 100 { state.injected.removeFirst() }
        }
    }

    /// Errors still waiting on a broker for requests of type `api`.
    public func waitingErrors(broker id: Int32, api: KafkaAPI) throws -> Int {
        try check(broker: id)
        var count = 0
        try check(rd_kafka_mock_broker_error_stack_cnt(cluster, id, api.key, &count), "counting broker \(id)'s errors")
        return count
    }

    /// Gives a topic an error in every metadata answer (`.noError` ends it): clients treat the topic
    /// as failing with it (e.g. TOPIC_AUTHORIZATION_FAILED: messages for it fail, consumers are told).
    public func setTopicError(_ topic: String, _ error: KafkaErrorCode) throws {
        guard partitions[topic] != nil else {
            throw KafkaError(
                .invalidArgument, "topic \(topic) is not on this broker; its topics are \(partitions.keys.sorted().joined(separator: ", "))"
            )
        }
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
        lock.withLock { state.topicErrors[topic] = error == .noError ? nil : error }
    }

    /// Ends every fault: all brokers up, no delays, no topic errors, no errors waiting for requests.
    /// Leaders and coordinators stay where they were moved.
    public func clearFaults() throws {
        try setBroker(nil, up: true)
        try setRoundTripTime(.zero, broker: nil)
        for topic in lock.withLock({ Array(state.topicErrors.keys) }) { try setTopicError(topic, .noError) }
        clearRequestErrors()
    }

    /// Faults in force, for `GET /faults` and tests.
    public struct Faults: Sendable, CustomStringConvertible {
        public let brokers: [Int32]
        public var down: Set<Int32> = []
        public var rtt: [Int32: Duration] = [:]
        public var leaders: [TopicPartition: Int32] = [:]
        public var coordinators: [String: Int32] = [:]
        public var topicErrors: [String: KafkaErrorCode] = [:]
        /// What was pushed onto the request error stacks, oldest first (the last 100).
        public var injected: [String] = []
        /// Errors still waiting on each broker, by request type (`Produce`): those pushed onto one broker.
        public var waiting: [Int32: [String: Int]] = [:]
        /// Request types that ever had errors pushed onto each broker.
        var stacked: [Int32: Set<KafkaAPI>] = [:]

        /// Partitions led by each broker.
        public var led: [Int32: Int] { Dictionary(grouping: leaders.values, by: { $0 }).mapValues(\.count) }

        public var description: String {
            var lines = ["brokers:"]
            for b in brokers {
                let delay = rtt[b].map { ", answers \($0.milliseconds) ms late" } ?? ""
                let left = (waiting[b] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                let pending = left.isEmpty ? "" : ", errors waiting: \(left.joined(separator: ", "))"
                lines.append("  \(b): \(down.contains(b) ? "down" : "up")\(delay), leads \(led[b] ?? 0) partitions\(pending)")
            }
            for (group, broker) in coordinators.sorted(by: { $0.key < $1.key }) {
                lines.append("coordinator of \(group): broker \(broker)")
            }
            for (topic, error) in topicErrors.sorted(by: { $0.key < $1.key }) { lines.append("topic \(topic): \(error.name) in metadata") }
            lines.append("errors injected:\(injected.isEmpty ? " none" : "")")
            lines += injected.map { "  \($0)" }
            return lines.joined(separator: "\n") + "\n"
        }

        init(brokers: [Int32]) { self.brokers = brokers }

        /// The same as JSON, for scripts: `{"brokers":[{"id":1,"up":true,"rttMs":0,"leads":11,"waiting":{"Produce":3}}],…}`.
        public var json: String {
            struct Broker: Encodable { var id: Int32; var up: Bool; var rttMs: Int; var leads: Int; var waiting: [String: Int] }
            struct Leader: Encodable { var topic: String; var partition: Int32; var broker: Int32 }
            struct All: Encodable {
                var brokers: [Broker]; var leaders: [Leader]; var coordinators: [String: Int32]; var topicErrors: [String: String];
                var injected: [String]
            }
            let all = All(
                brokers: brokers.map {
                    Broker(
                        id: $0, up: !down.contains($0), rttMs: rtt[$0]?.milliseconds ?? 0, leads: led[$0] ?? 0, waiting: waiting[$0] ?? [:])
                },
                leaders: leaders.sorted { $0.key < $1.key }.map {
                    Leader(topic: $0.key.topic, partition: $0.key.partition, broker: $0.value)
                },
                coordinators: coordinators, topicErrors: topicErrors.mapValues(\.name), injected: injected)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: (try? encoder.encode(all)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
        }
    }

    private func check(broker id: Int32?) throws {
        guard let id else { return }
        guard (1...Int32(brokerCount)).contains(id) else {
            throw KafkaError(.invalidArgument, "broker \(id): this cluster has brokers 1 to \(brokerCount)")
        }
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.broker, "\(what) failed: \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
    }
}

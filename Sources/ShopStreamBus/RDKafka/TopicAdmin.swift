import Crdkafka
import Foundation
import ShopStreamCore

/// Creates and describes topics.
public final class TopicAdmin {
    public let connection: KafkaConnection
    private let client: RDKafkaClient

    public init(connection: KafkaConnection) throws {
        self.connection = connection
        client = try RDKafkaClient.make(.producer, properties: connection.baseProperties(clientId: "shopstream-admin"))
    }

    /// Brokers and topics, or an `.unreachable` error after the connection's timeout.
    public func metadata() throws -> ClusterMetadata {
        try client.metadata(timeout: connection.connectTimeout, bootstrap: connection.bootstrapServers)
    }

    /// Low and high watermarks (first offset, next offset to be written) per partition.
    ///
    /// A partition whose leader is moving answers NOT_LEADER_FOR_PARTITION (or another error
    /// librdkafka calls retriable) until the client learns the new leader: each partition is asked
    /// again, after fresh metadata and a short pause, until `timeout` has passed since the first
    /// question. (The generator reports what the cluster holds after its last delivery; a leader
    /// moving just then must not turn a complete run into a failed one.)
    public func watermarks(_ topic: String, partitions: Int, timeout: Duration = .seconds(10)) throws -> [(low: Int64, high: Int64)] {
        let deadline = ContinuousClock.now + timeout
        return try (0..<partitions).map { p in
            var pause = Duration.milliseconds(50)
            while true {
                var low: Int64 = 0, high: Int64 = 0
                let left = max(deadline - ContinuousClock.now, .milliseconds(100))
                let err = rd_kafka_query_watermark_offsets(client.handle, topic, Int32(p), &low, &high, Int32(left.milliseconds))
                if err == RD_KAFKA_RESP_ERR_NO_ERROR { return (low, high) }
                let error = KafkaError(
                    .topic, "reading offsets of \(topic)[\(p)] failed: \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
                guard error.isTransient, ContinuousClock.now + pause < deadline else { throw error }
                // Fresh metadata tells librdkafka where the partition's leader is now.
                _ = try? client.metadata(
                    timeout: max(deadline - ContinuousClock.now, .milliseconds(100)), bootstrap: connection.bootstrapServers)
                Thread.sleep(forTimeInterval: Double(pause.milliseconds) / 1000)
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    /// Messages held per partition (high minus low watermark) of a topic.
    public func messageCounts(_ topic: String, partitions: Int, timeout: Duration = .seconds(10)) throws -> [Int64] {
        try watermarks(topic, partitions: partitions, timeout: timeout).map { $0.high - $0.low }
    }

    /// Creates topics as defined, with `replicationFactor` capped at `maxReplication`.
    public func createTopics(_ definitions: [TopicDefinition], maxReplication: Int, timeout: Duration = .seconds(30)) throws {
        guard !definitions.isEmpty else { return }
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for t in newTopics { rd_kafka_NewTopic_destroy(t) } }
        for d in definitions {
            guard
                let nt = rd_kafka_NewTopic_new(
                    d.name, Int32(d.partitions), Int32(min(d.replicationFactor, maxReplication)), &errstr, errstr.count)
            else {
                throw KafkaError(.admin, "topic \(d.name): \(errorText(errstr))")
            }
            newTopics.append(nt)
            for (k, v) in d.config.sorted(by: { $0.key < $1.key }) {
                let e = rd_kafka_NewTopic_set_config(nt, k, v)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(.admin, "topic \(d.name) config \(k)=\(v): \(rdkafkaMessage(e))") }
            }
        }
        let results = try runAdmin(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout) { options, queue in
            rd_kafka_CreateTopics(client.handle, &newTopics, newTopics.count, options, queue)
        } read: { event in
            var n = 0
            let res = rd_kafka_event_CreateTopics_result(event)
            let topics = rd_kafka_CreateTopics_result_topics(res, &n)
            return (0..<n).map { i -> (String, rd_kafka_resp_err_t, String?) in
                let t = topics![i]
                return (
                    String(cString: rd_kafka_topic_result_name(t)), rd_kafka_topic_result_error(t),
                    rd_kafka_topic_result_error_string(t).map { String(cString: $0) }
                )
            }
        }
        for (name, err, msg) in results where err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
            throw KafkaError(.admin, "creating topic \(name) failed: \(msg ?? rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
    }

    /// The configs of each topic as the cluster reports them, or nil when the
    /// cluster does not serve DescribeConfigs (librdkafka's mock cluster does not).
    public func describeConfigs(_ topics: [String], timeout: Duration = .seconds(5)) throws -> [String: [String: String]]? {
        guard !topics.isEmpty else { return [:] }
        var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
        defer { for r in resources { rd_kafka_ConfigResource_destroy(r) } }
        do {
            return try runAdmin(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout) { options, queue in
                rd_kafka_DescribeConfigs(client.handle, &resources, resources.count, options, queue)
            } read: { event in
                var n = 0
                let res = rd_kafka_event_DescribeConfigs_result(event)
                let rs = rd_kafka_DescribeConfigs_result_resources(res, &n)
                var out: [String: [String: String]] = [:]
                for i in 0..<n {
                    let r = rs![i]
                    guard rd_kafka_ConfigResource_error(r) == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                    var cn = 0
                    let entries = rd_kafka_ConfigResource_configs(r, &cn)
                    var configs: [String: String] = [:]
                    for j in 0..<cn {
                        let e = entries![j]
                        if let v = rd_kafka_ConfigEntry_value(e) {
                            configs[String(cString: rd_kafka_ConfigEntry_name(e))] = String(cString: v)
                        }
                    }
                    out[String(cString: rd_kafka_ConfigResource_name(r))] = configs
                }
                return out
            }
        } catch let error as KafkaError
            where error.rdkafkaCode == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
            || error.rdkafkaCode == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue
        {
            return nil
        }
    }

    /// Runs one admin request on a private queue and reads its result event.
    private func runAdmin<T>(
        _ op: rd_kafka_admin_op_t, timeout: Duration,
        start: (OpaquePointer?, OpaquePointer?) -> Void,
        read: (OpaquePointer) -> T
    ) throws -> T {
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, op)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errstr, errstr.count)
        rd_kafka_AdminOptions_set_operation_timeout(options, Int32(timeout.milliseconds), &errstr, errstr.count)
        start(options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds + 2000)) else {
            throw KafkaError(
                .admin, "the cluster at \(connection.bootstrapServers) did not answer an admin request in time",
                rdkafkaCode: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                .admin, "admin request to \(connection.bootstrapServers) failed: \(String(cString: rd_kafka_event_error_string(event)))",
                rdkafkaCode: err.rawValue)
        }
        return read(event)
    }
}

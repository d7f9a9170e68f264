import Crdkafka
import Foundation

/// Owns one `rd_kafka_t` and frees it. The only place a librdkafka handle is made.
final class RDKafkaClient {
    enum Kind { case producer, consumer }

    let handle: OpaquePointer

    private init(handle: OpaquePointer) { self.handle = handle }

    /// Builds a handle from properties; `configure` may set callbacks or events on
    /// the conf first. Checks every property where it is set.
    static func make(
        _ kind: Kind,
        properties: [(String, String)],
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws -> RDKafkaClient {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(.configuration, "librdkafka could not allocate a configuration")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(
                    .configuration,
                    "Kafka property \(key)=\(value) was rejected: \(errorText(errstr)). See librdkafka's CONFIGURATION.md for the properties -X accepts."
                )
            }
        }
        configure(conf)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        // On success rd_kafka_new owns conf; on failure the caller still does.
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(.configuration, "librdkafka could not create a client: \(errorText(errstr))")
        }
        return RDKafkaClient(handle: rk)
    }

    deinit { rd_kafka_destroy(handle) }

    /// The properties the live handle runs with, by librdkafka's canonical names: what was set,
    /// what it defaulted, and what it derived (idempotence sets acks=all). `topic` holds the
    /// default topic configuration, where "inherit" means the global value. For tests.
    func effectiveProperties() -> (global: [String: String], topic: [String: String]) {
        func read(_ dump: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ count: Int) -> [String: String] {
            guard let dump else { return [:] }
            defer { rd_kafka_conf_dump_free(dump, count) }
            var out: [String: String] = [:]
            for i in stride(from: 0, to: count - 1, by: 2) {
                if let name = dump[i], let value = dump[i + 1] { out[String(cString: name)] = String(cString: value) }
            }
            return out
        }
        var count = 0
        let global = read(rd_kafka_conf_dump(rd_kafka_conf(handle), &count), count)
        guard let topicConf = rd_kafka_default_topic_conf_dup(handle) else { return (global, [:]) }
        defer { rd_kafka_topic_conf_destroy(topicConf) }
        return (global, read(rd_kafka_topic_conf_dump(topicConf, &count), count))
    }

    /// Asks the cluster for metadata; the cheapest proof that it is reachable.
    func metadata(timeout: Duration, bootstrap: String) throws -> ClusterMetadata {
        var md: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &md, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else {
            throw KafkaError(
                .unreachable,
                "Kafka at \(bootstrap) did not answer within \(timeout.milliseconds / 1000)s (\(rdkafkaMessage(err))); check --brokers / KAFKA_BOOTSTRAP_SERVERS, or leave them out to use the embedded broker.",
                rdkafkaCode: err.rawValue)
        }
        defer { rd_kafka_metadata_destroy(md) }
        var result = ClusterMetadata()
        let controller = rd_kafka_controllerid(handle, 0)
        for i in 0..<Int(md.pointee.broker_cnt) {
            let b = md.pointee.brokers[i]
            result.brokers.append(.init(id: b.id, host: String(cString: b.host), port: Int(b.port)))
        }
        // Known from the metadata just fetched. librdkafka's mock cluster names a
        // controller (0) that is none of its brokers, and so cannot create topics
        // or serve configs: admin requests to it would only time out.
        result.controllerId = result.brokers.contains { $0.id == controller } ? controller : nil
        for i in 0..<Int(md.pointee.topic_cnt) {
            let t = md.pointee.topics[i]
            let name = String(cString: t.topic)
            if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { continue }
            var rf = 0
            var leaders = [Int32](repeating: -1, count: Int(t.partition_cnt))
            for p in 0..<Int(t.partition_cnt) {
                rf = max(rf, Int(t.partitions[p].replica_cnt))
                let id = Int(t.partitions[p].id)
                if leaders.indices.contains(id) { leaders[id] = t.partitions[p].leader }
            }
            result.topics[name] = .init(partitions: Int(t.partition_cnt), replicationFactor: rf, leaders: leaders)
        }
        return result
    }
}

/// librdkafka's text for an error code.
func rdkafkaMessage(_ err: rd_kafka_resp_err_t) -> String {
    String(cString: rd_kafka_err2str(err))
}

/// Takes and frees an `rd_kafka_error_t`, returning its text.
func consumeError(_ error: OpaquePointer) -> (code: rd_kafka_resp_err_t, message: String) {
    defer { rd_kafka_error_destroy(error) }
    return (rd_kafka_error_code(error), String(cString: rd_kafka_error_string(error)))
}

/// Builds a C topic-partition list; the caller destroys it.
func makePartitionList(_ entries: [(TopicPartition, Int64?)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(max(1, entries.count)))!
    for (tp, offset) in entries {
        let p = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
        if let offset { p.pointee.offset = offset }
    }
    return list
}

/// Reads a C topic-partition list.
func readPartitionList(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [(TopicPartition, Int64, rd_kafka_resp_err_t)] {
    (0..<Int(list.pointee.cnt)).map { i in
        let e = list.pointee.elems[i]
        return (TopicPartition(String(cString: e.topic), e.partition), e.offset, e.err)
    }
}

/// The text librdkafka wrote into an error buffer.
func errorText(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

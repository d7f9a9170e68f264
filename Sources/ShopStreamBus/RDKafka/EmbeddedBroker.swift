import Crdkafka
import ShopStreamCore

/// A Kafka-protocol cluster inside this process: librdkafka's mock cluster.
///
/// It listens on loopback TCP ports like a real broker, so any Kafka client
/// (kcat, Java, this project's own producer and consumer) can use it. It keeps
/// messages in memory and lives as long as this object.
///
/// The mock cluster does not answer CreateTopics or DescribeConfigs over the
/// wire, and would auto-create unknown topics with 4 partitions, so the broker
/// creates the defined topics itself, with their partition counts, at start.
public final class EmbeddedBroker {
    /// `host:port,…` of the cluster's own listeners.
    public let bootstrapServers: String
    public let brokerCount: Int

    private let client: RDKafkaClient
    private let cluster: OpaquePointer

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
        for t in topics {
            let err = rd_kafka_mock_topic_create(cluster, t.name, Int32(t.partitions), Int32(min(t.replicationFactor, brokerCount)))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                rd_kafka_mock_cluster_destroy(cluster)
                throw KafkaError(.broker, "the embedded cluster could not create \(t.name): \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
            }
        }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Makes every request of type `apiKey` (Kafka protocol ApiKey, e.g. 0 = Produce)
    /// fail with `errorCode` for the next `count` requests; for fault tests.
    public func injectErrors(apiKey: Int16, errorCode: Int32, count: Int) {
        let errs = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(rawValue: errorCode), count: count)
        errs.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, count, $0.baseAddress)
        }
    }

    /// Makes every produce to `topic` fail with `errorCode` (0 clears it); for fault tests.
    public func setTopicError(_ topic: String, errorCode: Int32) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: errorCode))
    }

    /// Takes a broker off the network (`up: false`) or brings it back.
    public func setBroker(_ id: Int32, up: Bool) {
        if up { rd_kafka_mock_broker_set_up(cluster, id) } else { rd_kafka_mock_broker_set_down(cluster, id) }
    }
}

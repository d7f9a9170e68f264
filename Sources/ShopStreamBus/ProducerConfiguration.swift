/// How the producer publishes. Defaults suit a high-rate, loss-intolerant stream.
public struct ProducerConfiguration: Sendable {
    public var connection: KafkaConnection
    public var clientId: String = "shopstream-producer"
    /// Idempotent producer: no duplicates or reordering from librdkafka's retries (implies acks=all).
    public var idempotent: Bool = true
    /// `none`, `gzip`, `snappy`, `lz4` or `zstd`.
    public var compression: String = "lz4"
    /// How long librdkafka waits to fill a batch.
    public var linger: Duration = .milliseconds(5)
    /// How long a message may take to be delivered, retries included, before it fails.
    public var messageTimeout: Duration = .seconds(30)
    /// Java-compatible key hashing, so any Kafka client puts a key in the same partition.
    public var partitioner: String = "murmur2_random"
    /// Messages librdkafka may hold before `send` waits for room (back-pressure).
    public var queueMaxMessages: Int = 200_000

    public init(connection: KafkaConnection) { self.connection = connection }

    func rdkafkaProperties() -> [(String, String)] {
        var props = [
            ("enable.idempotence", idempotent ? "true" : "false"),
            ("compression.codec", compression),
            ("linger.ms", String(linger.milliseconds)),
            ("message.timeout.ms", String(messageTimeout.milliseconds)),
            ("partitioner", partitioner),
            ("queue.buffering.max.messages", String(queueMaxMessages)),
            ("batch.num.messages", "10000"),
        ]
        // User properties come last, so `-X` overrides any default above.
        props = props.filter { connection.properties[$0.0] == nil }
        return props + connection.baseProperties(clientId: clientId)
    }
}

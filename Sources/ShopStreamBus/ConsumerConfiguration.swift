/// How a consumer in a consumer group reads. Offsets are committed only by the caller.
public struct ConsumerConfiguration: Sendable {
    public var connection: KafkaConnection
    public var groupId: String
    public var clientId: String = "shopstream-consumer"
    /// Where a partition with no committed offset starts: `earliest` or `latest`.
    public var autoOffsetReset: String = "earliest"
    /// A member that stops heartbeating for this long is removed from the group.
    public var sessionTimeout: Duration = .seconds(10)
    /// How long the broker may hold a fetch waiting for data: the floor of latency at low rates.
    public var fetchWait: Duration = .milliseconds(100)

    public init(connection: KafkaConnection, groupId: String) {
        self.connection = connection
        self.groupId = groupId
    }

    func rdkafkaProperties() -> [(String, String)] {
        var props = [
            ("group.id", groupId),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", autoOffsetReset),
            ("session.timeout.ms", String(sessionTimeout.milliseconds)),
            ("heartbeat.interval.ms", String(max(100, sessionTimeout.milliseconds / 5))),
            ("enable.partition.eof", "false"),
            ("fetch.wait.max.ms", String(fetchWait.milliseconds)),
        ]
        props = props.filter { connection.properties[$0.0] == nil }
        return props + connection.baseProperties(clientId: clientId)
    }
}

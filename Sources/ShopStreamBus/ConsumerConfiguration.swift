/// How a consumer in a consumer group reads. Offsets are committed only by the caller.
public struct ConsumerConfiguration: Sendable {
    /// How a consumer comes to hold partitions.
    public enum Membership: Sendable, Equatable {
        /// A member of the group: the broker hands it partitions and moves them between members as
        /// they come and go (scale-out, failover). A group's first join waits for more members: a
        /// broker holds it for `group.initial.rebalance.delay.ms` (3 s by default, and on the
        /// embedded broker).
        case group
        /// The only reader of its topics: it takes every partition itself at its first poll, joins
        /// no group and so waits for no rebalance. Offsets are still committed to, and read back
        /// from, `groupId`, so a later group member reads on from them. For a reader that knows it
        /// is alone, as `run` on the embedded broker it owns; never beside members of its group
        /// (a broker refuses commits from outside a group that has members).
        case sole
    }

    public var connection: KafkaConnection
    public var groupId: String
    public var clientId: String = "shopstream-consumer"
    /// Where a partition with no committed offset starts: `earliest` or `latest`.
    public var autoOffsetReset: String = "earliest"
    /// A member that stops heartbeating for this long is removed from the group.
    public var sessionTimeout: Duration = .seconds(10)
    /// How long the broker may hold a fetch waiting for data: the floor of latency at low rates.
    public var fetchWait: Duration = .milliseconds(100)
    public var membership: Membership = .group

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

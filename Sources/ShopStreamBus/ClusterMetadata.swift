/// What a cluster says about itself: its brokers and topics.
public struct ClusterMetadata: Sendable, Equatable {
    public struct Broker: Sendable, Equatable {
        public var id: Int32
        public var host: String
        public var port: Int
    }
    public struct Topic: Sendable, Equatable {
        public var partitions: Int
        public var replicationFactor: Int
        /// The leader's broker id per partition (-1: none), as the cluster said when asked.
        public var leaders: [Int32] = []
    }
    public var brokers: [Broker] = []
    /// The controller broker, nil when the cluster names none (as librdkafka's mock cluster).
    public var controllerId: Int32?
    public var topics: [String: Topic] = [:]
}

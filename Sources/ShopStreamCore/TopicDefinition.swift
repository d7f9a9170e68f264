import Foundation

/// One topic as declared in `topics/<name>.json`: the contract between the
/// generator, the cluster and the sinks.
public struct TopicDefinition: Codable, Sendable, Equatable {
    /// Kafka topic name, e.g. `shop.sales`.
    public var name: String
    /// What the topic carries, in a sentence.
    public var description: String
    public var partitions: Int
    /// Wanted replication factor; capped at the cluster's broker count when applied.
    public var replicationFactor: Int
    /// Topic-level configs (`cleanup.policy`, `retention.ms`, …), as Kafka spells them.
    public var config: [String: String]
    /// The message key.
    public var key: Key
    /// JSON Schema (draft 2020-12) of the message value, kept as raw JSON.
    public var valueSchema: JSONValue

    public struct Key: Codable, Sendable, Equatable {
        /// The value field whose text is the key, e.g. `sale_id`.
        public var field: String
        public var description: String

        public init(field: String, description: String) {
            self.field = field
            self.description = description
        }
    }

    public init(
        name: String, description: String, partitions: Int, replicationFactor: Int,
        config: [String: String], key: Key, valueSchema: JSONValue
    ) {
        self.name = name
        self.description = description
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
        self.key = key
        self.valueSchema = valueSchema
    }

    enum CodingKeys: String, CodingKey {
        case name, description, partitions, config, key
        case replicationFactor = "replication_factor"
        case valueSchema = "value_schema"
    }

    public var cleanupPolicy: String { config["cleanup.policy"] ?? "delete" }
}

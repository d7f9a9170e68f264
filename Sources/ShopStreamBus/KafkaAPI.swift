/// A Kafka protocol request type (its ApiKey): what a fault injected into the embedded broker applies to.
public struct KafkaAPI: Hashable, Sendable, CustomStringConvertible {
    /// The protocol's ApiKey, e.g. 0 for Produce.
    public let key: Int16

    public init(key: Int16) { self.key = key }

    /// `produce`, `Fetch`, `offset-commit`, `OffsetCommit`, `offset_commit` or the ApiKey's number.
    public init?(name: String) {
        if let key = Int16(name), key >= 0 {
            self.key = key
            return
        }
        let wanted = Self.folded(name)
        guard let known = Self.known.first(where: { Self.folded($0.name) == wanted }) else { return nil }
        key = known.key
    }

    /// The protocol's name for it (`OffsetCommit`), or `ApiKey 42` for one this table does not name.
    public var name: String { Self.known.first { $0.key == key }?.name ?? "ApiKey \(key)" }
    public var description: String { name }

    public static let produce = KafkaAPI(key: 0)
    public static let fetch = KafkaAPI(key: 1)
    public static let metadata = KafkaAPI(key: 3)
    public static let offsetCommit = KafkaAPI(key: 8)

    /// The request types a client of this project sends, by the protocol's names.
    public static let known: [(name: String, key: Int16)] = [
        ("Produce", 0), ("Fetch", 1), ("ListOffsets", 2), ("Metadata", 3), ("OffsetCommit", 8), ("OffsetFetch", 9),
        ("FindCoordinator", 10), ("JoinGroup", 11), ("Heartbeat", 12), ("LeaveGroup", 13), ("SyncGroup", 14),
        ("DescribeGroups", 15), ("ListGroups", 16), ("SaslHandshake", 17), ("ApiVersions", 18), ("CreateTopics", 19),
        ("DeleteTopics", 20), ("InitProducerId", 22), ("OffsetForLeaderEpoch", 23), ("DescribeConfigs", 32),
        ("SaslAuthenticate", 36),
    ]

    private static func folded(_ name: some StringProtocol) -> String {
        String(name.lowercased().filter { $0 != "-" && $0 != "_" })
    }
}

import Foundation
import ShopStreamCore

/// How a topic on the cluster compares with its definition in topics/.
public struct TopicStatus: Sendable, Equatable {
    public typealias State = ReconcileState
    public var name: String
    public var state: State
    public var definedPartitions: Int
    public var actualPartitions: Int?
    /// The replication factor wanted here: the definition's, capped at the broker count.
    public var expectedReplication: Int
    public var actualReplication: Int?
    /// False when the cluster does not report topic configs (the embedded broker).
    public var configsChecked: Bool
}

/// The cluster as the reconciler sees it: `TopicAdmin` on a real connection. A seam for tests,
/// which give an in-memory cluster, since librdkafka's mock cluster cannot create topics.
public protocol TopicCluster {
    var bootstrapServers: String { get }
    func metadata() throws -> ClusterMetadata
    /// Each topic's configs, or nil when the cluster does not report them.
    func topicConfigs(_ topics: [String]) throws -> [String: [String: String]]?
    /// Creates the topics as defined, replication capped at `maxReplication`.
    func create(_ definitions: [TopicDefinition], maxReplication: Int) throws
}

extension TopicAdmin: TopicCluster {
    public var bootstrapServers: String { connection.bootstrapServers }
    public func topicConfigs(_ topics: [String]) throws -> [String: [String: String]]? { try describeConfigs(topics) }
    public func create(_ definitions: [TopicDefinition], maxReplication: Int) throws {
        try createTopics(definitions, maxReplication: maxReplication)
    }
}

/// Compares topics/ with a cluster and creates what is missing; never alters a topic.
public struct TopicReconciler {
    public let admin: any TopicCluster

    public init(admin: any TopicCluster) { self.admin = admin }

    /// Each defined topic's state, without changing anything.
    public func compare(_ catalog: TopicCatalog) throws -> [TopicStatus] {
        let md = try admin.metadata()
        let brokers = max(1, md.brokers.count)
        let present = catalog.definitions.map(\.name).filter { md.topics[$0] != nil }
        // Admin requests go to the controller; without one they could only time out.
        let configs = md.controllerId == nil ? nil : try admin.topicConfigs(present)
        return catalog.definitions.map { d in
            let expectedRF = min(d.replicationFactor, brokers)
            guard let t = md.topics[d.name] else {
                return TopicStatus(
                    name: d.name, state: .missing, definedPartitions: d.partitions, actualPartitions: nil,
                    expectedReplication: expectedRF, actualReplication: nil, configsChecked: configs != nil)
            }
            var diffs: [String] = []
            if t.partitions != d.partitions {
                diffs.append("partition count \(t.partitions) differs from topics/ (\(d.partitions))")
            }
            if t.replicationFactor != expectedRF {
                diffs.append(
                    "replication factor \(t.replicationFactor) differs from topics/ (\(expectedRF) on \(brokers) broker\(brokers == 1 ? "" : "s"))"
                )
            }
            if let actual = configs?[d.name] {
                for (k, v) in d.config.sorted(by: { $0.key < $1.key }) where actual[k] != v {
                    diffs.append("\(k) is \(actual[k] ?? "unset"), topics/ says \(v)")
                }
            }
            return TopicStatus(
                name: d.name, state: diffs.isEmpty ? .matches : .drifted(diffs), definedPartitions: d.partitions,
                actualPartitions: t.partitions, expectedReplication: expectedRF,
                actualReplication: t.replicationFactor, configsChecked: configs?[d.name] != nil)
        }
    }

    /// Creates the missing topics, then compares again. Running it twice is a no-op.
    public func apply(_ catalog: TopicCatalog) throws -> [TopicStatus] {
        let before = try compare(catalog)
        let missing = before.filter { $0.state == .missing }.map(\.name)
        guard !missing.isEmpty else { return before }
        let md = try admin.metadata()
        guard md.controllerId != nil else {
            throw KafkaError(
                .admin,
                "the cluster at \(admin.bootstrapServers) names no controller, so it cannot create topics (librdkafka's mock cluster cannot); missing: \(missing.joined(separator: ", ")). Start `shopstream broker`, which creates them itself, or use a real cluster."
            )
        }
        let brokers = max(1, md.brokers.count)
        try admin.create(catalog.definitions.filter { missing.contains($0.name) }, maxReplication: brokers)
        // Creation is asynchronous on a real cluster: wait until metadata shows them.
        let deadline = ContinuousClock.now + .seconds(30)
        var after = try compare(catalog)
        while after.contains(where: { $0.state == .missing }) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            after = try compare(catalog)
        }
        return after.map { s in
            var s = s
            if missing.contains(s.name) && s.state == .matches { s.state = .created }
            return s
        }
    }
}

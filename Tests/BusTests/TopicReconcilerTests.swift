import Foundation
import ShopStreamCore
import XCTest

@testable import ShopStreamBus

final class TopicReconcilerTests: XCTestCase {
    func testTheEmbeddedBrokerServesEveryDefinedTopicWithItsPartitionCount() throws {
        let catalog = try repositoryCatalog()
        let broker = try EmbeddedBroker(topics: catalog.definitions)
        let md = try TopicAdmin(connection: connection(broker)).metadata()
        for d in catalog.definitions {
            XCTAssertEqual(md.topics[d.name]?.partitions, d.partitions, d.name)
        }
    }

    /// An admin that knows a partition's old leader is told NOT_LEADER_FOR_PARTITION by it; the
    /// watermarks are still answered, from the new leader, within the same call.
    func testWatermarksAreReadAcrossALeaderThatJustMoved() throws {
        let broker = try EmbeddedBroker(brokerCount: 3, topics: [testTopic("t.moving", partitions: 3)])
        let admin = try TopicAdmin(connection: connection(broker))
        XCTAssertEqual(try admin.watermarks("t.moving", partitions: 3).map(\.high), [0, 0, 0])
        XCTAssertEqual(try broker.moveLeaders(topic: "t.moving").count, 3)
        XCTAssertEqual(try admin.watermarks("t.moving", partitions: 3).map(\.high), [0, 0, 0])
    }

    func testApplyingTwiceChangesNothingAndReportsEveryTopicAsMatching() throws {
        let catalog = try repositoryCatalog()
        let broker = try EmbeddedBroker(topics: catalog.definitions)
        let reconciler = TopicReconciler(admin: try TopicAdmin(connection: connection(broker)))
        let first = try reconciler.apply(catalog)
        let second = try reconciler.apply(catalog)
        XCTAssertEqual(first, second)
        XCTAssertTrue(first.allSatisfy { $0.state == .matches }, "\(first)")
        XCTAssertEqual(first.count, 8)
    }

    func testATopicThatDiffersFromItsDefinitionIsReportedAndLeftAlone() throws {
        let catalog = try repositoryCatalog()
        var defs = catalog.definitions
        let i = defs.firstIndex { $0.name == "shop.sales" }!
        defs[i].partitions = 2  // the cluster has 2 partitions; topics/ says otherwise
        let broker = try EmbeddedBroker(topics: defs)
        let reconciler = TopicReconciler(admin: try TopicAdmin(connection: connection(broker)))
        let status = try reconciler.apply(catalog)
        let sales = status.first { $0.name == "shop.sales" }!
        guard case .drifted(let diffs) = sales.state else { return XCTFail("expected drift, got \(sales.state)") }
        XCTAssertEqual(diffs, ["partition count 2 differs from topics/ (\(catalog[.sales].partitions))"])
        XCTAssertEqual(
            try TopicAdmin(connection: connection(broker)).metadata().topics["shop.sales"]?.partitions, 2, "apply never alters a topic")
    }

    // librdkafka's mock cluster names no controller and cannot create topics over the wire
    // (CommandLineTests shows `topics apply` saying so). What apply asks a cluster that can is
    // checked against an in-memory one.

    func testApplyCreatesEachMissingTopicAsDefinedWithReplicationCappedAtTheBrokers() throws {
        let catalog = try repositoryCatalog()
        let cluster = InMemoryCluster(brokers: 2, catalog.definitions.filter { $0.name != "shop.shipping" && $0.name != "shop.dlq" })
        let status = try TopicReconciler(admin: cluster).apply(catalog)

        XCTAssertEqual(cluster.requests.count, 1, "one CreateTopics request")
        let request = try XCTUnwrap(cluster.requests.first)
        XCTAssertEqual(request.definitions.map(\.name).sorted(), ["shop.dlq", "shop.shipping"], "only the missing topics")
        XCTAssertEqual(
            request.definitions, catalog.definitions.filter { ["shop.dlq", "shop.shipping"].contains($0.name) },
            "partitions and configs as topics/ defines them")
        XCTAssertEqual(request.maxReplication, 2, "topics/ asks for 3 replicas; the cluster has 2 brokers")
        XCTAssertEqual(cluster.topics["shop.shipping"]?.partitions, catalog[.shipping].partitions)
        for s in status {
            XCTAssertEqual(s.state, ["shop.dlq", "shop.shipping"].contains(s.name) ? .created : .matches, s.name)
        }

        let again = try TopicReconciler(admin: cluster).apply(catalog)
        XCTAssertEqual(cluster.requests.count, 1, "a second apply creates nothing")
        XCTAssertTrue(again.allSatisfy { $0.state == .matches }, "\(again)")
    }

    func testATopicWhoseConfigDiffersIsReportedAndNeverRecreated() throws {
        let catalog = try repositoryCatalog()
        let cluster = InMemoryCluster(brokers: 3, catalog.definitions)
        cluster.configs["shop.sales"]?["retention.ms"] = "604800000"
        let status = try TopicReconciler(admin: cluster).apply(catalog)
        let sales = try XCTUnwrap(status.first { $0.name == "shop.sales" })
        XCTAssertEqual(sales.state, .drifted(["retention.ms is 604800000, topics/ says -1"]))
        XCTAssertTrue(cluster.requests.isEmpty)
    }
}

/// A cluster in memory that, unlike librdkafka's mock, has a controller and serves configs and
/// CreateTopics. Like a real one it creates asynchronously: a new topic shows in metadata only
/// from the second metadata request after the one that created it.
private final class InMemoryCluster: TopicCluster {
    let bootstrapServers = "in-memory:9092"
    let brokers: Int
    var topics: [String: ClusterMetadata.Topic] = [:]
    var configs: [String: [String: String]] = [:]
    private(set) var requests: [(definitions: [TopicDefinition], maxReplication: Int)] = []
    private var pending: [(visibleAt: Int, name: String, topic: ClusterMetadata.Topic)] = []
    private var metadataRequests = 0

    init(brokers: Int, _ definitions: [TopicDefinition]) {
        self.brokers = brokers
        for d in definitions {
            topics[d.name] = .init(partitions: d.partitions, replicationFactor: min(d.replicationFactor, brokers))
            configs[d.name] = d.config
        }
    }

    func metadata() throws -> ClusterMetadata {
        metadataRequests += 1
        for p in pending where p.visibleAt <= metadataRequests { topics[p.name] = p.topic }
        pending.removeAll { $0.visibleAt <= metadataRequests }
        return ClusterMetadata(
            brokers: (1...brokers).map { .init(id: Int32($0), host: "127.0.0.1", port: 9091 + $0) },
            controllerId: 1, topics: topics)
    }

    func topicConfigs(_ names: [String]) throws -> [String: [String: String]]? {
        configs.filter { names.contains($0.key) }
    }

    func create(_ definitions: [TopicDefinition], maxReplication: Int) throws {
        requests.append((definitions, maxReplication))
        for d in definitions {
            pending.append(
                (metadataRequests + 2, d.name, .init(partitions: d.partitions, replicationFactor: min(d.replicationFactor, maxReplication)))
            )
            configs[d.name] = d.config
        }
    }
}

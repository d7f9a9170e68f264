import Foundation
import ShopStreamBus
import ShopStreamCore
import XCTest

final class TopicReconcilerTests: XCTestCase {
    func testTheEmbeddedBrokerServesEveryDefinedTopicWithItsPartitionCount() throws {
        let catalog = try repositoryCatalog()
        let broker = try EmbeddedBroker(topics: catalog.definitions)
        let md = try TopicAdmin(connection: connection(broker)).metadata()
        for d in catalog.definitions {
            XCTAssertEqual(md.topics[d.name]?.partitions, d.partitions, d.name)
        }
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
        defs[i].partitions = 2   // the cluster has 2 partitions; topics/ says otherwise
        let broker = try EmbeddedBroker(topics: defs)
        let reconciler = TopicReconciler(admin: try TopicAdmin(connection: connection(broker)))
        let status = try reconciler.apply(catalog)
        let sales = status.first { $0.name == "shop.sales" }!
        guard case .drifted(let diffs) = sales.state else { return XCTFail("expected drift, got \(sales.state)") }
        XCTAssertEqual(diffs, ["partition count 2 differs from topics/ (\(catalog[.sales].partitions))"])
        XCTAssertEqual(try TopicAdmin(connection: connection(broker)).metadata().topics["shop.sales"]?.partitions, 2, "apply never alters a topic")
    }
}

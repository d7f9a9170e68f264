import ShopStreamBus
import XCTest

@testable import ShopStreamSinks

/// A sink without partitions (Pub/Sub) as `run --live` watches it: its lag per topic is what the
/// process published minus what the sink landed or rejected, and it stalls while that stays above
/// zero with nothing landed.
final class SinkMonitorTests: XCTestCase {
    func testWithoutPartitionsTheLagIsWhatWasPublishedAndNotYetLandedOrRejected_AndAStillLagStalls() {
        let monitor = SinkMonitor(sink: "silver", stallAfter: .seconds(1))
        monitor.publishedPerTopic = { ["shop.sales": 10, "shop.customers": 3] }
        monitor.landed("shop.sales", 4)
        monitor.rejected("shop.sales", rule: "schema")
        // More than this process published (an earlier run's leftovers): no lag, not negative.
        monitor.landed("shop.customers", 5)
        let sales = TopicPartition("shop.sales", 0), customers = TopicPartition("shop.customers", 0)

        // The snapshot is published at most every half second.
        Thread.sleep(forTimeInterval: 0.6)
        monitor.tick(held: 0, subscriptions: 2)
        var s = monitor.snapshot()
        XCTAssertEqual(s.lag[sales], 5, "10 published, 4 landed, 1 rejected")
        XCTAssertEqual(s.lag[customers], 0)
        XCTAssertEqual(s.assigned, 2, "ready in /readyz terms: it reads its subscriptions")
        XCTAssertTrue(s.started)
        XCTAssertEqual(s.stalled, [])

        Thread.sleep(forTimeInterval: 1.1)
        monitor.tick(held: 0, subscriptions: 2)
        s = monitor.snapshot()
        XCTAssertEqual(s.stalled.count, 1, "lagging with nothing landed for the stall window")
        XCTAssertTrue(s.stalled.first?.contains("5 published and not landed") ?? false, "\(s.stalled)")

        monitor.landed("shop.sales", 5)
        Thread.sleep(forTimeInterval: 0.6)
        monitor.tick(held: 0, subscriptions: 2)
        s = monitor.snapshot()
        XCTAssertEqual(s.lag[sales], 0)
        XCTAssertEqual(s.stalled, [], "landing again ends the stall")
    }
}

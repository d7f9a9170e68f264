import ShopStreamBus
import XCTest

@testable import ShopStreamSinks

/// How far each lane is read (`LaneTimes`): the latest record time of every lane, though only the
/// lane being read is written as its messages come.
final class LaneTimesTests: XCTestCase {
    private let sales0 = TopicPartition("shop.sales", 0)
    private let sales1 = TopicPartition("shop.sales", 1)
    private let payments0 = TopicPartition("shop.payments", 0)

    func testEachLaneKeepsItsLatestTimeWhileOthersAreRead() {
        var times = LaneTimes()
        times.saw(sales0, 100)
        times.saw(sales0, 300)
        times.saw(sales0, 200)  // older than what was read already: the latest stays
        times.saw(sales1, 50)
        times.saw(payments0, 70)
        XCTAssertEqual(times.latest(), [sales0: 300, sales1: 50, payments0: 70])
    }

    func testALaneReadAgainLaterGoesOnFromItsLatestTime() {
        var times = LaneTimes()
        times.saw(sales0, 500)
        times.saw(sales1, 10)
        times.saw(sales0, 400)
        XCTAssertEqual(times.latest()[sales0], 500, "coming back to a lane must not forget what it had reached")
        times.saw(sales0, 600)
        XCTAssertEqual(times.latest(), [sales0: 600, sales1: 10])
    }

    func testTheLaneBeingReadIsCountedBeforeAnotherComes() {
        var times = LaneTimes()
        times.saw(sales0, 100)
        XCTAssertEqual(times.latest(), [sales0: 100])
        times.saw(sales0, 200)
        XCTAssertEqual(times.latest(), [sales0: 200])
    }
}

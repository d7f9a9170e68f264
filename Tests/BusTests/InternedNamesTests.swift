import XCTest

@testable import ShopStreamBus

/// Names read out of librdkafka are made strings once and given back by their bytes.
final class InternedNamesTests: XCTestCase {
    func testTheSameBytesGiveTheSameNameAndOthersTheirOwn() {
        var names = InternedNames()
        for round in 0..<3 {
            for name in ["shop.payments", "shop.shipping", "shop.sales", "", "a-header-name-longer-than-fifteen"] {
                XCTAssertEqual(name.withCString { names.string($0) }, name, "round \(round)")
            }
        }
    }

    func testPastSixteenNamesEachStillComesBackAsItIs() {
        var names = InternedNames()
        let many = (0..<40).map { "topic.\($0)" }
        for _ in 0..<2 {
            for name in many { XCTAssertEqual(name.withCString { names.string($0) }, name) }
        }
    }
}

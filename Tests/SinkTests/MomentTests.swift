import XCTest

@testable import ShopStreamSinks

/// `Moment`: a ContinuousClock instant as one word, ordered and subtracted as the instants are.
final class MomentTests: XCTestCase {
    func testMomentsOrderAndSubtractAsTheirInstants() {
        let t0 = ContinuousClock.now
        let a = Moment(t0)
        let b = Moment(t0 + .milliseconds(1500))
        XCTAssertLessThan(a, b)
        XCTAssertEqual(b - a, .milliseconds(1500))
        XCTAssertEqual(a + .milliseconds(1500), b)
        XCTAssertEqual(Moment(t0 - .seconds(3)) + .seconds(3), a, "an instant before the clock's origin in this process")
    }

    func testAMomentFarInTheFutureSaturates() {
        let later = Moment(ContinuousClock.now + .seconds(1))
        XCTAssertEqual((later + .seconds(Int64.max / 2)).nanoseconds, .max)
        XCTAssertEqual((later + .seconds(-Int64.max / 2) + .seconds(-Int64.max / 2)).nanoseconds, .min)
    }
}

import ShopStreamCore
import ShopStreamGenerator
import XCTest

/// References hold by construction: every id an event points to was published
/// earlier in the sequence, and facts never precede their sale.
final class ReferentialIntegrityTests: XCTestCase {
    func testEveryReferencePointsToAnIdPublishedEarlier() throws {
        let events = try collect(events: 210_000)
        let (problems, sales) = referenceProblems(events)
        XCTAssertEqual(problems, [])
        XCTAssertGreaterThan(sales, 50_000)
        XCTAssertTrue(events.contains { $0.entity == .shipping } && events.contains { $0.entity == .payments })
    }
}

import XCTest

@testable import ShopStreamSinks

/// What silver holds past a partition's committed offset, as the sink consults it for each message
/// read again: exact per offset, rows told from rejects, and small however long the stretch.
final class HeldOffsetsTests: XCTestCase {
    func testEachOffsetIsHeldAsWhatSilverHasThereAndNothingElseIs() {
        let held = HeldOffsets([(7, .row), (5, .row), (6, .reject), (9, .row), (4, .row)])
        XCTAssertEqual((0...11).map { held.kind(at: $0) }, [nil, nil, nil, nil, .row, .row, .reject, .row, nil, .row, nil, nil])
        XCTAssertEqual(held.count, 5)
        XCTAssertEqual(held.highest, 9)
    }

    func testAnOffsetInSilverTwiceCountsOnce() {
        let held = HeldOffsets([(3, .row), (3, .row), (4, .row)])
        XCTAssertEqual(held.count, 2)
        XCTAssertEqual(held.kind(at: 3), .row)
    }

    func testNothingHeldHoldsNothing() {
        let held = HeldOffsets([])
        XCTAssertTrue(held.isEmpty)
        XCTAssertNil(held.highest)
        XCTAssertNil(held.kind(at: 0))
    }

    func testAMillionConsecutiveOffsetsWithAFewRejectsAreAllFound() {
        let rejects: Set<Int64> = [10, 500_000, 999_999]
        let held = HeldOffsets((0..<1_000_000).map { ($0, rejects.contains($0) ? .reject : .row) })
        XCTAssertEqual(held.count, 1_000_000)
        XCTAssertEqual(held.kind(at: 500_000), .reject)
        XCTAssertEqual(held.kind(at: 500_001), .row)
        XCTAssertEqual(held.kind(at: 999_999), .reject)
        XCTAssertNil(held.kind(at: 1_000_000))
    }
}

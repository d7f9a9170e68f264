import ShopStreamCore
import XCTest

@testable import ShopStreamSinks

/// The gate beside the silver stream: facts wait there for the dimensions they reference.
final class ReferenceGateTests: XCTestCase {
    private typealias Gate = ReferenceGate<String>
    private let customer = Gate.Reference(entity: .customers, id: "CUS-00000001")
    private let product = Gate.Reference(entity: .products, id: "PRD-0001")
    private let sale = Gate.Reference(entity: .sales, id: "SAL-0000000001")
    private let later = ContinuousClock.now + .seconds(3600)

    func testAFactIsReleasedOnlyWhenEveryDimensionItWaitsForIsKnown() {
        var gate = Gate()
        gate.park("sale", missing: [customer, product], deadline: later)
        gate.learn(.customers, "CUS-00000001")
        XCTAssertEqual(gate.release(now: .now).ready, [], "the product is still missing")
        gate.learn(.products, "PRD-0001")
        XCTAssertEqual(gate.release(now: .now).ready, ["sale"])
        XCTAssertEqual(gate.waitingCount, 0)
    }

    /// A revoked partition's waiting facts go (its next owner reads them again): neither released
    /// when their dimension comes nor expired later, and no longer awaited or waiting.
    func testDroppedFactsLeaveTheGateForGoodAndOthersStay() {
        var gate = Gate()
        let now = ContinuousClock.now
        gate.park("sale of a revoked partition", as: sale, missing: [customer], deadline: now + .seconds(1))
        gate.park("sale kept", missing: [customer, product], deadline: now + .seconds(1))
        XCTAssertEqual(Set(gate.awaited), [customer, product])
        XCTAssertEqual(gate.drop { $0.hasSuffix("revoked partition") }, 1)
        XCTAssertEqual(gate.waitingCount, 1)
        XCTAssertFalse(gate.isWaiting(sale), "the dropped sale no longer waits")
        gate.learn(.customers, "CUS-00000001")
        XCTAssertEqual(gate.release(now: now).ready, [], "the kept sale still misses its product; the dropped one is gone")
        XCTAssertEqual(Set(gate.awaited), [product])
        let (ready, expired) = gate.release(now: now + .seconds(1))
        XCTAssertEqual(ready, [])
        XCTAssertEqual(expired.map(\.0), ["sale kept"], "only the kept sale expires")
    }

    func testAFactWhoseGraceRunsOutIsReturnedWithWhatIsStillMissing() {
        var gate = Gate()
        let now = ContinuousClock.now
        gate.park("sale", missing: [customer, product], deadline: now + .seconds(1))
        gate.learn(.customers, "CUS-00000001")
        XCTAssertTrue(gate.release(now: now).expired.isEmpty, "not before its deadline")
        let (ready, expired) = gate.release(now: now + .seconds(1))
        XCTAssertEqual(ready, [])
        XCTAssertEqual(expired.map(\.0), ["sale"])
        XCTAssertEqual(expired.first?.1, [product])
    }

    func testAWaitingFactKeyedAsADimensionIsWaitingUntilItLeavesTheGate() {
        var gate = Gate()
        let now = ContinuousClock.now
        gate.park("sale, first read", as: sale, missing: [customer], deadline: now + .seconds(1))
        gate.park("sale, read again", as: sale, missing: [customer], deadline: later)
        XCTAssertTrue(gate.isWaiting(sale), "a payment's sale that waits for its customer")
        XCTAssertFalse(gate.isWaiting(customer))
        _ = gate.release(now: now + .seconds(1))
        XCTAssertTrue(gate.isWaiting(sale), "one copy expired, the other still waits")
        gate.learn(.customers, "CUS-00000001")
        XCTAssertEqual(gate.release(now: now + .seconds(1)).ready, ["sale, read again"])
        XCTAssertFalse(gate.isWaiting(sale))
    }
}

import ShopStreamCore
import XCTest

@testable import ShopStreamSinks

/// The gate beside the silver stream: facts wait there for the dimensions they reference.
final class ReferenceGateTests: XCTestCase {
    private typealias Gate = ReferenceGate<String>
    private let customer = Gate.Reference(entity: .customers, id: "CUS-00000001")
    private let product = Gate.Reference(entity: .products, id: "PRD-0001")
    private let sale = Gate.Reference(entity: .sales, id: "SAL-0000000001")
    private let later = Moment.now + .seconds(3600)

    func testAFactIsReleasedOnlyWhenEveryDimensionItWaitsForIsKnown() {
        var gate = Gate()
        gate.park("sale", missing: [customer, product], until: later)
        gate.learn(.customers, "CUS-00000001")
        XCTAssertEqual(gate.release(at: .now).ready, [], "the product is still missing")
        gate.learn(.products, "PRD-0001")
        XCTAssertEqual(gate.release(at: .now).ready, ["sale"])
        XCTAssertEqual(gate.waitingCount, 0)
    }

    /// A revoked partition's waiting facts go (its next owner reads them again): neither released
    /// when their dimension comes nor expired later, and no longer awaited or waiting.
    func testDroppedFactsLeaveTheGateForGoodAndOthersStay() {
        var gate = Gate()
        let now = Moment.now
        gate.park("sale of a revoked partition", as: sale, missing: [customer], until: now + .seconds(1))
        gate.park("sale kept", missing: [customer, product], until: now + .seconds(1))
        XCTAssertEqual(Set(gate.awaited), [customer, product])
        XCTAssertEqual(gate.drop { $0.hasSuffix("revoked partition") }, 1)
        XCTAssertEqual(gate.waitingCount, 1)
        XCTAssertFalse(gate.isWaiting(sale), "the dropped sale no longer waits")
        gate.learn(.customers, "CUS-00000001")
        XCTAssertEqual(gate.release(at: now).ready, [], "the kept sale still misses its product; the dropped one is gone")
        XCTAssertEqual(Set(gate.awaited), [product])
        let (ready, expired) = gate.release(at: now + .seconds(1))
        XCTAssertEqual(ready, [])
        XCTAssertEqual(expired.map(\.0), ["sale kept"], "only the kept sale expires")
    }

    func testAFactWhoseGraceRunsOutIsReturnedWithWhatIsStillMissing() {
        var gate = Gate()
        let now = Moment.now
        gate.park("sale", missing: [customer, product], until: now + .seconds(1))
        gate.learn(.customers, "CUS-00000001")
        XCTAssertTrue(gate.release(at: now).expired.isEmpty, "not before its deadline")
        let (ready, expired) = gate.release(at: now + .seconds(1))
        XCTAssertEqual(ready, [])
        XCTAssertEqual(expired.map(\.0), ["sale"])
        XCTAssertEqual(expired.first?.1, [product])
    }

    /// Deadlines differ (a sale waits the whole grace for its customer; a payment of a sale older
    /// than the window is asked of silver after a second): each fact expires at its own, not
    /// behind one parked before it with a later deadline.
    func testAFactExpiresAtItsOwnDeadlineThoughOneParkedBeforeItHasALaterOne() {
        var gate = Gate()
        let now = Moment.now
        gate.park("sale, waiting the grace for its customer", missing: [customer], until: now + .seconds(60))
        gate.park("payment of an old sale", missing: [sale], until: now + .seconds(1))
        gate.park("payment asked again", missing: [sale], until: now + .seconds(2))
        XCTAssertEqual(gate.release(at: now + .seconds(1)).expired.map(\.0), ["payment of an old sale"])
        XCTAssertEqual(gate.release(at: now + .seconds(2)).expired.map(\.0), ["payment asked again"])
        XCTAssertEqual(gate.waitingCount, 1)
        XCTAssertEqual(
            gate.release(at: now + .seconds(60)).expired.map(\.0), ["sale, waiting the grace for its customer"])
        XCTAssertEqual(gate.waitingCount, 0)
    }

    /// Facts expire by deadline and, due at the same instant, in the order they were parked; all
    /// expired at once (the end of the input), in the order they were parked.
    func testFactsExpireByDeadlineThenInTheOrderTheyWereParked() {
        var gate = Gate()
        let now = Moment.now
        let names = (0..<50).map { "fact \($0)" }
        for (i, name) in names.enumerated() { gate.park(name, missing: [product], until: now + .seconds(i % 3)) }
        let byDeadline = (0..<3).flatMap { d in names.enumerated().filter { $0.offset % 3 == d }.map(\.element) }
        XCTAssertEqual(gate.release(at: now + .seconds(5)).expired.map(\.0), byDeadline)

        for (i, name) in names.enumerated() { gate.park(name, missing: [product], until: now + .seconds(50 - i)) }
        XCTAssertEqual(gate.release(at: now, expireAll: true).expired.map(\.0), names)
        XCTAssertEqual(gate.waitingCount, 0)
    }

    /// Facts released by their dimension leave their deadline behind in the gate's queue until it
    /// passes; the queue is rebuilt once those outnumber what waits, so a minute's grace on a fast
    /// backlog does not keep a minute of facts' deadlines.
    func testDeadlinesOfFactsReleasedEarlyDoNotPileUp() {
        var gate = Gate()
        for n in 0..<20_000 {
            let id = "CUS-\(n)"
            gate.park("sale \(n)", missing: [Gate.Reference(entity: .customers, id: id)], until: later)
            gate.learn(.customers, id)
            _ = gate.release(at: .now)
        }
        gate.park("one still waiting", missing: [product], until: later)
        _ = gate.release(at: .now)
        XCTAssertEqual(gate.waitingCount, 1)
        XCTAssertLessThanOrEqual(gate.queuedDeadlines, 4097, "20,000 released facts' deadlines were kept")
        XCTAssertEqual(gate.release(at: later).expired.map(\.0), ["one still waiting"])
    }

    func testAWaitingFactKeyedAsADimensionIsWaitingUntilItLeavesTheGate() {
        var gate = Gate()
        let now = Moment.now
        gate.park("sale, first read", as: sale, missing: [customer], until: now + .seconds(1))
        gate.park("sale, read again", as: sale, missing: [customer], until: later)
        XCTAssertTrue(gate.isWaiting(sale), "a payment's sale that waits for its customer")
        XCTAssertFalse(gate.isWaiting(customer))
        _ = gate.release(at: now + .seconds(1))
        XCTAssertTrue(gate.isWaiting(sale), "one copy expired, the other still waits")
        gate.learn(.customers, "CUS-00000001")
        XCTAssertEqual(gate.release(at: now + .seconds(1)).ready, ["sale, read again"])
        XCTAssertFalse(gate.isWaiting(sale))
    }
}

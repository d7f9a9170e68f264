import Foundation
import ShopStreamCore
import XCTest

@testable import ShopStreamSinks

/// How long the reference gate keeps the ids of a fact entity (sales) that other facts reference.
final class AcceptedEventsTests: XCTestCase {
    func testSaleIdsAreKeptAWindowBehindTheSlowestEntityThatReferencesThem() {
        var accepted = AcceptedEvents(window: .seconds(30 * 86_400))
        XCTAssertNil(accepted.referenceHorizon(.sales), "nothing read: nothing to forget")
        accepted.advance(.sales, to: 100)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 70, "no payment or shipment read yet: sales' own window")
        // A backlog read unevenly: payments are 50 days behind sales. Their sales must still be
        // known when they come, not looked up in silver one burst at a time.
        accepted.advance(.payments, to: 50)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 20)
        accepted.advance(.shipping, to: 45)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 15, "the slowest referrer decides")
        accepted.advance(.payments, to: 120)
        accepted.advance(.shipping, to: 120)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 70, "caught up: sales' own window again")
        XCTAssertEqual(accepted.horizon(.sales), 70, "the event-id window itself never widens")
    }

    /// Partitions of one topic are read unevenly too (one partition of payments 50 days behind
    /// the others, on a 300,000-event backlog): the slowest read partition decides, or its
    /// payments' sales are forgotten and looked up in silver.
    func testTheSlowestPartitionOfAReferrerDecides() {
        var accepted = AcceptedEvents(window: .seconds(30 * 86_400))
        accepted.advance(.sales, partition: 0, to: 100)
        accepted.advance(.payments, partition: 0, to: 100)
        accepted.advance(.payments, partition: 3, to: 50)
        accepted.advance(.shipping, partition: 1, to: 100)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 20, "payments' partition 3 is 50 days behind")
        accepted.advance(.payments, partition: 3, to: 90)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 60)
        accepted.forgetPartitions(.payments, [3])
        XCTAssertEqual(accepted.referenceHorizon(.sales), 70, "a revoked partition no longer holds anything")
        XCTAssertEqual(accepted.horizon(.sales), 70, "the event-id window itself never widens")
    }

    func testAReferrerFarBehindHoldsAtMostThreeWindowsMore() {
        var accepted = AcceptedEvents(window: .seconds(30 * 86_400))
        accepted.advance(.sales, to: 400)
        accepted.advance(.payments, to: 1)
        XCTAssertEqual(accepted.referenceHorizon(.sales), 400 - 4 * 30, "memory stays bounded")
    }

    func testWithoutAWindowNothingIsForgotten() {
        var accepted = AcceptedEvents(window: nil)
        accepted.advance(.sales, to: 400)
        XCTAssertNil(accepted.referenceHorizon(.sales))
    }

    // MARK: What is held, and for how long

    /// Every hex digit of a canonical UUID counts: ids that differ in any one group are different
    /// events, and a replay of each is still a replay.
    func testUUIDsDifferingInAnyOneGroupAreDifferentEvents() {
        var events = AcceptedEvents(window: nil)
        let base = Array("0b8f7c1e-4d2a-4f3b-9c1d-2e3f4a5b6c7d")
        var ids = [String(base)]
        for i in [0, 7, 9, 12, 14, 17, 19, 22, 24, 35] {
            var changed = base
            changed[i] = changed[i] == "f" ? "0" : "f"
            ids.append(String(changed))
        }
        for (n, id) in ids.enumerated() {
            XCTAssertNil(events.accept(id, at: .init(entity: .sales, partition: 0, offset: Int64(n)), day: 1), "\(id) is a new event")
        }
        XCTAssertEqual(events.count, ids.count)
        for (n, id) in ids.enumerated() {
            XCTAssertEqual(events.accept(id, at: .init(entity: .sales, partition: 1, offset: 0), day: 1), "shop.sales:0:\(n)", id)
        }
        XCTAssertNil(events.accept("0b8f7c1e-4d2a-4f3b-9c1d-2e3f4a5b6c7g", at: .init(entity: .sales, partition: 0, offset: 99), day: 1))
        XCTAssertEqual(events.count, ids.count + 1, "a text that is not hex is held as text")
    }

    /// Ids are forgotten once their day is out of their own entity's window (the horizon moves
    /// at least a day, an eighth of the window, at a time), each entity by its own newest day.
    func testIdsAreForgottenOnceTheirDayLeavesTheirEntitysWindow() {
        var events = AcceptedEvents(window: .seconds(8 * 86_400))
        var offset: Int64 = 0
        func accept(_ entity: Entity, day: Int32, count: Int, text: Bool = false) {
            for _ in 0..<count {
                offset += 1
                let id = text ? "evt-\(offset)" : String(format: "00000000-0000-4000-8000-%012llx", offset)
                events.advance(entity, to: day)
                XCTAssertNil(events.accept(id, at: .init(entity: entity, partition: 0, offset: offset), day: day))
            }
        }
        for day: Int32 in 100...109 {
            accept(.sales, day: day, count: 10)
            accept(.payments, day: day - 50, count: 10, text: true)
        }
        // Sales: the newest day 109, a window of 8: days 101–109 are held, 100 is forgotten.
        // Payments (event ids held as text): 51–59, the newest 59: the same.
        XCTAssertEqual(events.count, 9 * 10 + 9 * 10)
        accept(.sales, day: 120, count: 1)
        XCTAssertEqual(events.count, 1 + 9 * 10, "sales before day 112 forgotten; payments keep their own window")
        accept(.payments, day: 70, count: 1)
        XCTAssertEqual(events.count, 2)
    }

    /// An id silver held again under a later day (a reload at start) outlives its first day.
    func testAnIdHeldAgainUnderALaterDayOutlivesItsFirstDay() {
        var events = AcceptedEvents(window: .seconds(8 * 86_400))
        let id = "0b8f7c1e-4d2a-4f3b-9c1d-2e3f4a5b6c7d"
        events.advance(.sales, to: 100)
        events.load(id, insertId: "shop.sales:0:1", entity: .sales, day: 100)
        events.load(id, insertId: "shop.sales:0:1", entity: .sales, day: 105)
        events.advance(.sales, to: 110)
        XCTAssertEqual(events.count, 1, "held under day 105: inside the window of day 110")
        events.advance(.sales, to: 114)
        XCTAssertEqual(events.count, 0)

        var ids = KnownIds()
        ids.insert("SAL-0000000001", day: 100)
        ids.insert("SAL-0000000002", day: 100)
        ids.insert("SAL-0000000001", day: 105)
        ids.forget(before: 101)
        XCTAssertTrue(ids.contains("SAL-0000000001"), "seen again on day 105")
        XCTAssertFalse(ids.contains("SAL-0000000002"))
        ids.forget(before: 106)
        XCTAssertEqual(ids.count, 0)
    }
}

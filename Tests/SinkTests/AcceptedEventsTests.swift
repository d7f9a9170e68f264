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
}

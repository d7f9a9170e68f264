import ShopStreamCore
import ShopStreamGenerator
import XCTest

/// References hold by construction: every id an event points to was published
/// earlier in the sequence, and facts never precede their sale.
final class ReferentialIntegrityTests: XCTestCase {
    func testEveryReferencePointsToAnIdPublishedEarlier() throws {
        let events = try collect(events: 210_000)
        var customers = Set<String>(), products = Set<String>(), stores = Set<String>()
        var saleTimes: [String: String] = [:]
        var problems: [String] = []
        func require(_ set: Set<String>, _ id: String, _ what: String, _ i: Int) {
            if !set.contains(id) && problems.count < 10 { problems.append("event \(i): \(what) \(id) not published before") }
        }
        for (i, event) in events.enumerated() {
            func e(_ name: String) -> String { event.field(name) ?? "<missing \(name)>" }
            switch event.entity {
            case .customers: customers.insert(e("customer_id"))
            case .products: products.insert(e("product_id"))
            case .stores: stores.insert(e("store_id"))
            case .inventory:
                require(stores, e("store_id"), "store", i)
                require(products, e("product_id"), "product", i)
            case .sales:
                require(customers, e("customer_id"), "customer", i)
                require(products, e("product_id"), "product", i)
                require(stores, e("store_id"), "store", i)
                saleTimes[e("sale_id")] = e("event_time")
            case .payments, .shipping:
                let sale = e("sale_id")
                if let saleTime = saleTimes[sale] {
                    // Same fixed-width UTC format, so text order is time order.
                    if e("event_time") < saleTime && problems.count < 10 {
                        problems.append("event \(i): \(event.entity) at \(e("event_time")) before its sale at \(saleTime)")
                    }
                } else if problems.count < 10 {
                    problems.append("event \(i): \(event.entity) for unpublished sale \(sale)")
                }
            }
        }
        XCTAssertEqual(problems, [])
        XCTAssertGreaterThan(saleTimes.count, 50_000)
        XCTAssertTrue(events.contains { $0.entity == .shipping } && events.contains { $0.entity == .payments })
    }
}

import ShopStreamCore
import XCTest

@testable import ShopStreamSilver

final class ReferenceTests: XCTestCase {
    func testTheStarSchemasReferences() {
        XCTAssertEqual(
            EntityReference.all.map(\.description),
            [
                "inventory.store_id → stores", "inventory.product_id → products",
                "sales.customer_id → customers", "sales.product_id → products", "sales.store_id → stores",
                "payments.sale_id → sales", "shipping.sale_id → sales",
            ])
        XCTAssertEqual(EntityReference.references(from: .sales).map(\.targetField), ["customer_id", "product_id", "store_id"])
        XCTAssertEqual(EntityReference.references(from: .customers), [])
        XCTAssertEqual(EntityReference.referencedEntities, [.customers, .products, .stores, .sales])
    }

    func testIdsAreReadFromValidatedEvents() {
        guard let sale = accepted(Samples.first(.sales), .sales), let payment = accepted(Samples.first(.payments), .payments),
            let stock = accepted(Samples.first(.inventory), .inventory), let customer = accepted(Samples.first(.customers), .customers)
        else { return }
        XCTAssertEqual(sale.id, "SAL-0000037339")
        XCTAssertEqual(sale.references.map(\.id), ["CUS-00000568", "PRD-0035", "STR-17"])
        XCTAssertEqual(sale.references.map(\.reference.target), [.customers, .products, .stores])
        XCTAssertEqual(payment.references.map(\.id), ["SAL-0000000001"])
        XCTAssertEqual(payment.id, "PAY-0000000001")
        XCTAssertEqual(stock.id, "STR-01:PRD-0001")
        XCTAssertEqual(stock.references.map(\.id), ["STR-01", "PRD-0001"])
        XCTAssertEqual(customer.id, "CUS-00000001")
        XCTAssert(customer.references.isEmpty)
    }
}

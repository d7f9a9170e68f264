import Foundation
import ShopStreamCore

/// The running sums behind a `GroundTruth`, one published event at a time.
struct TruthTally {
    private(set) var events = GroundTruth.EventCounts()
    private var orders = 0
    private var units = 0
    private var grossPaisa: Int64 = 0
    private var discountsPaisa: Int64 = 0
    private var netPaisa: Int64 = 0
    private var sales: [GroupKey: GroundTruth.DailySalesRow] = [:]
    private var payments: [GroupKey: GroundTruth.PaymentsDailyRow] = [:]
    private var shipping: [GroupKey: GroundTruth.ShippingDailyRow] = [:]
    /// Per customer_id, its latest event's tier and signup date.
    private var customers: [String: (tier: String, signupDate: String)] = [:]
    private var products: Set<String> = []
    private var stores: Set<String> = []
    private let decoder = JSONDecoder()

    /// A day and a name (store, method, carrier): the key of a daily row.
    private struct GroupKey: Hashable {
        var date: String
        var name: String
    }

    /// Counts one published event. Throws, counting nothing, if the event does
    /// not carry the fields the truth needs in their published form.
    mutating func add(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(GroundTruthError) {
        // Inventory is counted but not summed, so it is not decoded.
        if entity != .inventory {
            let json = Data(value)
            let position = EventPosition(entity: entity, number: events[entity] + 1, key: String(decoding: key, as: UTF8.self))
            switch entity {
            case .sales: try addSale(decode(PublishedSale.self, json, position), position)
            case .payments: try addPayment(decode(PublishedPayment.self, json, position), position)
            case .shipping: try addShipment(decode(PublishedShipment.self, json, position), position)
            case .customers: try addCustomer(decode(PublishedCustomer.self, json, position), position)
            case .products: products.insert(try decode(PublishedProduct.self, json, position).productId)
            case .stores: stores.insert(try decode(PublishedStore.self, json, position).storeId)
            case .inventory: break
            }
        }
        events[entity] += 1
    }

    private mutating func addSale(_ sale: PublishedSale, _ at: EventPosition) throws(GroundTruthError) {
        let date = try at.date(sale.saleDate, "sale_date")
        let unitPrice = try at.paisa(sale.unitPrice, "unit_price")
        let discount = try at.paisa(sale.discount, "discount")
        let total = try at.paisa(sale.totalPrice, "total_price")
        let (gross, overflow) = Int64(sale.quantity).multipliedReportingOverflow(by: unitPrice)
        guard !overflow else { throw at.error("quantity × unit_price overflows 64-bit paisa") }

        orders += 1
        units += sale.quantity
        grossPaisa += gross
        discountsPaisa += discount
        netPaisa += total
        let key = GroupKey(date: date, name: sale.storeId)
        var row = sales[key] ?? GroundTruth.DailySalesRow(saleDate: date, storeId: sale.storeId)
        row.orders += 1
        row.units += sale.quantity
        row.grossRevenuePaisa += gross
        row.discountsPaisa += discount
        row.netRevenuePaisa += total
        sales[key] = row
    }

    private mutating func addPayment(_ payment: PublishedPayment, _ at: EventPosition) throws(GroundTruthError) {
        guard let date = BusinessValues.pakistanDate(ofTimestamp: payment.eventTime) else {
            throw at.error("event_time \"\(payment.eventTime)\" is not an RFC 3339 timestamp with an offset")
        }
        let amount = try at.paisa(payment.amount, "amount")
        let key = GroupKey(date: date, name: payment.paymentMethod)
        var row = payments[key] ?? GroundTruth.PaymentsDailyRow(paymentDate: date, paymentMethod: payment.paymentMethod)
        switch payment.status {
        case "Completed":
            row.completed += 1
            row.completedAmountPaisa += amount
        case "Failed": row.failed += 1
        case "Pending": row.pending += 1
        case "Refunded":
            row.refunded += 1
            row.refundedAmountPaisa += amount
        default:
            throw at.error(
                "status \"\(payment.status)\" is none of Completed, Failed, Pending, Refunded; the truth file has no column for it: teach GroundTruth.PaymentsDailyRow the new status"
            )
        }
        row.attempts += 1
        row.amountPaisa += amount
        payments[key] = row
    }

    private mutating func addShipment(_ shipment: PublishedShipment, _ at: EventPosition) throws(GroundTruthError) {
        let date = try at.date(shipment.shippedDate, "shipped_date")
        let key = GroupKey(date: date, name: shipment.carrier)
        var row = shipping[key] ?? GroundTruth.ShippingDailyRow(shippedDate: date, carrier: shipment.carrier)
        switch shipment.deliveryStatus {
        case "Delivered": row.delivered += 1
        case "Delayed": row.delayed += 1
        case "Returned": row.returned += 1
        case "Lost": row.lost += 1
        default:
            throw at.error(
                "delivery_status \"\(shipment.deliveryStatus)\" is none of Delivered, Delayed, Returned, Lost; the truth file has no column for it: teach GroundTruth.ShippingDailyRow the new status"
            )
        }
        row.shipments += 1
        if shipment.damaged { row.damaged += 1 }
        row.delayDays += shipment.delayDays
        shipping[key] = row
    }

    private mutating func addCustomer(_ customer: PublishedCustomer, _ at: EventPosition) throws(GroundTruthError) {
        let signup = try at.date(customer.signupDate, "signup_date")
        // Publication order decides: a later event (a tier upgrade) replaces the earlier one.
        customers[customer.customerId] = (customer.loyaltyTier, signup)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ json: Data, _ at: EventPosition) throws(GroundTruthError) -> T {
        do {
            return try decoder.decode(type, from: json)
        } catch let error as DecodingError {
            throw at.error(error.briefly)
        } catch {
            throw at.error("\(error)")
        }
    }

    /// The truth of every event counted so far.
    func truth(seed: UInt64, startDate: String, days: Int) -> GroundTruth {
        var tiers: [String: Int] = [:]
        var signups: [String: Int] = [:]
        for c in customers.values {
            tiers[c.tier, default: 0] += 1
            signups[c.signupDate, default: 0] += 1
        }
        func byKey<Row>(_ rows: [GroupKey: Row]) -> [Row] {
            rows.sorted { ($0.key.date, $0.key.name) < ($1.key.date, $1.key.name) }.map(\.value)
        }
        return GroundTruth(
            seed: seed, startDate: startDate, days: days, events: events,
            totals: GroundTruth.Totals(
                orders: orders, units: units, grossRevenuePaisa: grossPaisa, discountsPaisa: discountsPaisa,
                netRevenuePaisa: netPaisa, customers: customers.count, products: products.count, stores: stores.count),
            dailySales: byKey(sales), paymentsDaily: byKey(payments), shippingDaily: byKey(shipping),
            customersByTier: tiers,
            newCustomersDaily: signups.sorted { $0.key < $1.key }.map {
                GroundTruth.NewCustomersDailyRow(signupDate: $0.key, newCustomers: $0.value)
            })
    }
}

/// Which event a problem is in, for error messages: `shop.sales event 1,042 (key SAL-0000000042)`.
private struct EventPosition {
    let entity: Entity
    let number: Int
    let key: String

    func error(_ problem: String) -> GroundTruthError {
        GroundTruthError("\(entity.topic) event \(number) (key \(key)): \(problem)")
    }

    func paisa(_ rupees: Decimal, _ field: String) throws(GroundTruthError) -> Int64 {
        guard let p = BusinessValues.paisa(rupees) else {
            throw error("\(field) \(rupees) is not a whole number of paisa (money has at most two decimals)")
        }
        return p
    }

    func date(_ text: String, _ field: String) throws(GroundTruthError) -> String {
        guard let d = BusinessValues.date(text) else { throw error("\(field) \"\(text)\" is not a date as YYYY-MM-DD") }
        return d
    }
}

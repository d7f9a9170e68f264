import Foundation
import ShopStreamCore
import ShopStreamWarehouse

/// Rules beyond the topic schemas, all in this one place: what a well-formed
/// event must also satisfy to be believed. Each reason names the field.
///
/// Every entity:
/// - a date-time field lies between `earliest` and now + `futureTolerance`;
/// - a date field likewise (by day), except promises about the future
///   (`shipping.expected_delivery_date`, checked against `shipped_date` below);
/// - a NUMERIC (money) field lies between 0 and `maxAmount` rupees;
/// - a STRING field holds no control character (U+0000–U+001F, U+007F–U+009F): none
///   belongs in an id, a name or an address, and U+0000 cuts text short in C libraries.
///
/// sales: `total_price == quantity × unit_price − discount`, exactly in paisa;
/// `sale_date` is the date part of `event_time` as written (both in shop time).
///
/// payments: `paid_at` is set exactly when money moved (status Completed or
/// Refunded) and null for Pending and Failed.
///
/// shipping: `expected_delivery_date` is on or after `shipped_date` and at most
/// `maxPromisedDays` later; `delivered_date`, when present, is on or after
/// `shipped_date`; it is present exactly for Delivered and Delayed shipments.
///
/// inventory: `inventory_id` is `<store_id>:<product_id>`.
public struct SanityRules: Sendable, Equatable {
    /// Nothing before this is believed (default 2000-01-01T00:00:00Z).
    public var earliest: Date
    /// How far past the caller's `now` a time may lie (clock skew, time zones; default 1 day).
    public var futureTolerance: Duration
    /// Largest believable amount in rupees (default 100,000,000 PKR).
    public var maxAmount: Int64 {
        didSet { maxAmountDecimal = ExactDecimal(maxAmount) }
    }
    /// `maxAmount` as the decimal amounts are compared with: made once, not for every event
    /// (made from its text, it cost as much as the rest of an event's range checks).
    private var maxAmountDecimal: ExactDecimal
    /// Longest believable delivery promise after shipping, in days (default 90).
    public var maxPromisedDays: Int

    public init(
        earliest: Date = Date(timeIntervalSince1970: 946_684_800),
        futureTolerance: Duration = .seconds(86_400),
        maxAmount: Int64 = 100_000_000,
        maxPromisedDays: Int = 90
    ) {
        self.earliest = earliest
        self.futureTolerance = futureTolerance
        self.maxAmount = maxAmount
        self.maxAmountDecimal = ExactDecimal(maxAmount)
        self.maxPromisedDays = maxPromisedDays
    }

    /// Where the fields the entity rules read sit in a topic's layout, nil for one it lacks:
    /// found by name once per topic, not for every event (a look-up by name hashes it).
    struct FieldPositions: Sendable {
        let deliveredDate: Int?
        let deliveryStatus: Int?
        let discount: Int?
        let eventTime: Int?
        let expectedDeliveryDate: Int?
        let inventoryId: Int?
        let paidAt: Int?
        let productId: Int?
        let quantity: Int?
        let saleDate: Int?
        let shippedDate: Int?
        let status: Int?
        let storeId: Int?
        let totalPrice: Int?
        let unitPrice: Int?

        init(_ layout: RowLayout) {
            deliveredDate = layout.position("delivered_date")
            deliveryStatus = layout.position("delivery_status")
            discount = layout.position("discount")
            eventTime = layout.position("event_time")
            expectedDeliveryDate = layout.position("expected_delivery_date")
            inventoryId = layout.position("inventory_id")
            paidAt = layout.position("paid_at")
            productId = layout.position("product_id")
            quantity = layout.position("quantity")
            saleDate = layout.position("sale_date")
            shippedDate = layout.position("shipped_date")
            status = layout.position("status")
            storeId = layout.position("store_id")
            totalPrice = layout.position("total_price")
            unitPrice = layout.position("unit_price")
        }
    }

    /// Fields that promise a future day, so the future bound does not apply.
    static let promises: Set<String> = ["expected_delivery_date"]

    /// `at`: where the fields the entity rules read sit in `f`'s layout (the topic's, found once).
    /// `stringsChecked`: the fields came from `ColumnScanner`, which takes no string holding a
    /// control character, so that rule is not applied again.
    func check(
        _ entity: Entity, _ f: TypedFields, columns: [CompiledTopic.ColumnPlan], at: FieldPositions, now: Date,
        stringsChecked: Bool = false
    ) -> [Violation] {
        var out: [Violation] = []
        func add(_ field: String, _ rule: Violation.Rule, _ message: String) {
            out.append(Violation(field: field, rule: rule, value: f[field].map { $0.written }, message: message))
        }
        let earliestMicros = SanityRules.micros(earliest)
        let latestMicros = SanityRules.micros(now) + SanityRules.micros(futureTolerance)
        let earliestDay = Int(floorDiv(earliestMicros, CivilTime.microsPerDay))
        let latestDay = Int(floorDiv(latestMicros, CivilTime.microsPerDay))
        let maxAmount = maxAmountDecimal

        for (k, c) in columns.enumerated() {
            switch k < f.values.count ? f.values[k] : nil {
            case .timestamp(let t, let text)?:
                if t.utcMicros < earliestMicros {
                    add(c.name, .range, "\(text) is before \(CivilTime.timestampText(utcMicros: earliestMicros))")
                } else if t.utcMicros > latestMicros {
                    add(
                        c.name, .range,
                        "\(text) is more than \(SanityRules.describe(futureTolerance)) in the future (now \(CivilTime.timestampText(utcMicros: SanityRules.micros(now))))"
                    )
                }
            case .date(let d, let text)?:
                if d < earliestDay {
                    add(c.name, .range, "\(text) is before \(CivilTime.dateText(days: earliestDay))")
                } else if d > latestDay, !SanityRules.promises.contains(c.name) {
                    add(
                        c.name, .range,
                        "\(text) is more than \(SanityRules.describe(futureTolerance)) in the future (now \(CivilTime.timestampText(utcMicros: SanityRules.micros(now))))"
                    )
                }
            case .decimal(let d, let scale)?:
                if d < ExactDecimal.zero {
                    add(c.name, .range, "\(d.text(scale: scale)) is negative")
                } else if d > maxAmount {
                    add(c.name, .range, "\(d.text(scale: scale)) is above the sane maximum \(self.maxAmount)")
                }
            case .string(let s)?:
                if !stringsChecked, let control = SanityRules.controlCharacter(in: s) {
                    add(c.name, .control, "\(JSONNode.quoted(s).prefix(80)) holds the control character U+\(SanityRules.hex(control))")
                }
            default:
                break
            }
        }

        switch entity {
        case .sales:
            if let q = f.int(at: at.quantity), let unit = f.decimal(at: at.unitPrice)?.scaled(by: 2),
                let discount = f.decimal(at: at.discount)?.scaled(by: 2), let total = f.decimal(at: at.totalPrice)?.scaled(by: 2)
            {
                let (line, o1) = q.multipliedReportingOverflow(by: unit)
                let (expected, o2) = line.subtractingReportingOverflow(discount)
                if o1 || o2 || expected != total {
                    let shown = o1 || o2 ? "too large" : SanityRules.rupees(expected)
                    add(
                        "total_price", .consistency,
                        "\(f.written("total_price")) is not quantity × unit_price − discount = \(q) × \(f.written("unit_price")) − \(f.written("discount")) = \(shown)"
                    )
                }
            }
            if let saleDay = f.day(at: at.saleDate), let t = f.timestamp(at: at.eventTime), saleDay != t.writtenDay {
                add("sale_date", .consistency, "\(f.written("sale_date")) is not the date of event_time \(f.written("event_time"))")
            }
        case .payments:
            if let status = f.string(at: at.status) {
                let moved = status == "Completed" || status == "Refunded"
                if moved && f.isNull(at: at.paidAt) {
                    add("paid_at", .consistency, "missing for a \(status) payment (money moved)")
                } else if !moved && !f.isNull(at: at.paidAt) {
                    add("paid_at", .consistency, "\(f.written("paid_at")) is set for a \(status) payment (no money moved)")
                }
            }
        case .shipping:
            if let shipped = f.day(at: at.shippedDate) {
                if let expected = f.day(at: at.expectedDeliveryDate) {
                    if expected < shipped {
                        add(
                            "expected_delivery_date", .consistency,
                            "\(f.written("expected_delivery_date")) is before shipped_date \(f.written("shipped_date"))")
                    } else if expected - shipped > maxPromisedDays {
                        add(
                            "expected_delivery_date", .range,
                            "\(f.written("expected_delivery_date")) is more than \(maxPromisedDays) days after shipped_date \(f.written("shipped_date"))"
                        )
                    }
                }
                if let delivered = f.day(at: at.deliveredDate), delivered < shipped {
                    add(
                        "delivered_date", .consistency, "\(f.written("delivered_date")) is before shipped_date \(f.written("shipped_date"))"
                    )
                }
            }
            if let status = f.string(at: at.deliveryStatus) {
                let arrived = status == "Delivered" || status == "Delayed"
                if arrived && f.isNull(at: at.deliveredDate) {
                    add("delivered_date", .consistency, "missing for a \(status) shipment")
                } else if !arrived && !f.isNull(at: at.deliveredDate) {
                    add("delivered_date", .consistency, "\(f.written("delivered_date")) is set for a \(status) shipment")
                }
            }
        case .inventory:
            if let id = f.string(at: at.inventoryId), let store = f.string(at: at.storeId), let product = f.string(at: at.productId),
                id != store + ":" + product
            {
                add("inventory_id", .consistency, "\(f.written("inventory_id")) is not store_id:product_id (\(store):\(product))")
            }
        case .customers, .products, .stores:
            break
        }
        return out
    }

    /// The first control character (Unicode category Cc) in `s`, or nil.
    static func controlCharacter(in s: String) -> UInt8? {
        var s = s
        return s.withUTF8 { bytes in  // over the contiguous bytes: String.UTF8View stepped slowly
            var previous: UInt8 = 0
            for b in bytes {
                if b < 0x20 || b == 0x7F { return b }
                // U+0080…U+009F are C2 80…C2 9F (0xC2 is always a lead byte).
                if previous == 0xC2, b >= 0x80, b <= 0x9F { return b }
                previous = b
            }
            return nil
        }
    }

    static func hex(_ scalar: UInt8) -> String {
        let digits = String(scalar, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    static func micros(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000 + atto / 1_000_000_000_000
    }

    static func describe(_ d: Duration) -> String {
        let s = d.components.seconds
        if s % 86_400 == 0 { return s == 86_400 ? "1 day" : "\(s / 86_400) days" }
        if s % 3600 == 0 { return s == 3600 ? "1 hour" : "\(s / 3600) hours" }
        return "\(s) s"
    }

    static func rupees(_ paisa: Int64) -> String {
        let sign = paisa < 0 ? "-" : ""
        let a = paisa.magnitude
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

import Foundation
import ShopStreamCore

// The fields of the published events the ground truth counts, decoded by
// Foundation from the JSON as published: what a consumer reads, not what the
// simulator meant to write. Money is decoded as `Decimal`, which JSONDecoder
// reads from the number's digits, so `3499.5` is exactly 349,950 paisa.

struct PublishedSale: Decodable {
    let saleDate: String
    let storeId: String
    let quantity: Int
    let unitPrice: Decimal
    let discount: Decimal
    let totalPrice: Decimal

    enum CodingKeys: String, CodingKey {
        case quantity, discount
        case saleDate = "sale_date"
        case storeId = "store_id"
        case unitPrice = "unit_price"
        case totalPrice = "total_price"
    }
}

struct PublishedPayment: Decodable {
    let eventTime: String
    let paymentMethod: String
    let amount: Decimal
    let status: String

    enum CodingKeys: String, CodingKey {
        case amount, status
        case eventTime = "event_time"
        case paymentMethod = "payment_method"
    }
}

struct PublishedShipment: Decodable {
    let carrier: String
    let shippedDate: String
    let deliveryStatus: String
    let delayDays: Int
    let damaged: Bool

    enum CodingKeys: String, CodingKey {
        case carrier, damaged
        case shippedDate = "shipped_date"
        case deliveryStatus = "delivery_status"
        case delayDays = "delay_days"
    }
}

struct PublishedCustomer: Decodable {
    let customerId: String
    let loyaltyTier: String
    let signupDate: String

    enum CodingKeys: String, CodingKey {
        case customerId = "customer_id"
        case loyaltyTier = "loyalty_tier"
        case signupDate = "signup_date"
    }
}

struct PublishedProduct: Decodable {
    let productId: String
    enum CodingKeys: String, CodingKey { case productId = "product_id" }
}

struct PublishedStore: Decodable {
    let storeId: String
    enum CodingKeys: String, CodingKey { case storeId = "store_id" }
}

/// Money and dates as the gold layer counts them.
enum BusinessValues {
    /// Pakistan Standard Time, UTC+05:00 all year.
    static let pakistanOffsetMinutes = 300

    /// An amount in rupees with at most two decimals, as whole paisa; nil if
    /// it has a fraction of a paisa or does not fit in 64 bits.
    static func paisa(_ rupees: Decimal) -> Int64? {
        var hundredfold = rupees * 100
        var whole = Decimal()
        NSDecimalRound(&whole, &hundredfold, 0, .plain)
        guard whole == hundredfold else { return nil }
        return Int64(whole.description)
    }

    /// `YYYY-MM-DD` if `text` is a real calendar day in that form.
    static func date(_ text: String) -> String? {
        SimDate(text) != nil ? text : nil
    }

    /// The date in Pakistan of an RFC 3339 timestamp (`2025-01-01T23:10:00.000+05:00`,
    /// or another offset, or `Z`); nil if it is not one.
    static func pakistanDate(ofTimestamp text: String) -> String? {
        let b = Array(text.utf8)
        guard b.count >= 17, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"),
            let day = SimDate(String(decoding: b[0..<10], as: UTF8.self)),
            let hour = number(b[11..<13]), hour < 24, let minute = number(b[14..<16]), minute < 60
        else { return nil }
        let offset: Int
        if b.last == UInt8(ascii: "Z") {
            offset = 0
        } else {
            let o = b.count - 6
            guard o >= 16, b[o] == UInt8(ascii: "+") || b[o] == UInt8(ascii: "-"), b[o + 3] == UInt8(ascii: ":"),
                let oh = number(b[o + 1..<o + 3]), let om = number(b[o + 4..<o + 6]), oh < 24, om < 60
            else { return nil }
            offset = (b[o] == UInt8(ascii: "-") ? -1 : 1) * (oh * 60 + om)
        }
        // The common case: already Pakistan time, so the date is the text's own.
        if offset == pakistanOffsetMinutes { return day.description }
        let minutes = day.daysSinceEpoch * 1440 + hour * 60 + minute - offset + pakistanOffsetMinutes
        let days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440
        return SimDate(daysSinceEpoch: days).description
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var n = 0
        for d in digits {
            guard (0x30...0x39).contains(d) else { return nil }
            n = n * 10 + Int(d - 0x30)
        }
        return n
    }
}

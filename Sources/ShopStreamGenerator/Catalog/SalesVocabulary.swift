// The closed sets of words sales, payments and customers are described with.
// Their `name`s are exactly the enum values in topics/*.json.

enum Channel: Int {
    case inStore, online, whatsApp
    var name: String { ["In-Store", "Online", "WhatsApp"][rawValue] }
}

enum PaymentMethod: Int, CaseIterable {
    case creditCard, debitCard, cashOnDelivery, jazzCash, easypaisa, bankTransfer, cash

    var name: String {
        ["Credit Card", "Debit Card", "Cash on Delivery", "JazzCash", "Easypaisa", "Bank Transfer", "Cash"][rawValue]
    }

    /// Chance that a first attempt is declined (cards by the bank, wallets by balance or OTP timeout).
    var declineRate: Double { [0.07, 0.06, 0, 0.05, 0.05, 0.03, 0][rawValue] }

    /// Weights of each method, per channel (same order as `allCases`).
    static func mix(for channel: Channel) -> [Int] {
        switch channel {
        case .inStore: return [20, 25, 0, 8, 7, 0, 40]
        case .online: return [13, 12, 55, 8, 7, 5, 0]
        case .whatsApp: return [0, 0, 45, 15, 15, 25, 0]
        }
    }
}

enum PaymentStatus: Int {
    case completed, failed, refunded, pending
    var name: String { ["Completed", "Failed", "Refunded", "Pending"][rawValue] }
}

enum DeliveryStatus: Int {
    case delivered, delayed, returned, lost
    var name: String { ["Delivered", "Delayed", "Returned", "Lost"][rawValue] }
}

enum LoyaltyTier: Int, CaseIterable {
    case bronze, silver, gold, platinum

    var name: String { ["Bronze", "Silver", "Gold", "Platinum"][rawValue] }

    /// Lifetime spend (paisa) from which a customer holds this tier, for a
    /// retailer whose customers shop about seven times a year.
    var baseThreshold: Int64 { [0, 60_000_00, 200_000_00, 500_000_00][rawValue] }

    /// How much more often than a Bronze customer they come back (×2, as integers).
    var visitWeight: Int { [2, 3, 4, 6][rawValue] }

}

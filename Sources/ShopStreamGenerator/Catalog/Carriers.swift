/// Courier companies that deliver in Pakistan. Rates are per shipment and tuned
/// so carrier efficiency differs visibly on a dashboard.
struct Carrier {
    var name: String
    /// Share of shipments handed to this carrier.
    var share: Int
    /// Transit days within one city, and between cities (remote places add 2).
    var sameCityDays: ClosedRange<Int>
    var interCityDays: ClosedRange<Int>
    var delayRate: Double
    var damageRate: Double
    var lossRate: Double
}

enum Carriers {
    static let all: [Carrier] = [
        Carrier(name: "TCS", share: 30, sameCityDays: 1...1, interCityDays: 1...3, delayRate: 0.05, damageRate: 0.004, lossRate: 0.002),
        Carrier(
            name: "Leopards", share: 24, sameCityDays: 1...2, interCityDays: 2...3, delayRate: 0.08, damageRate: 0.008, lossRate: 0.004),
        Carrier(name: "M&P", share: 12, sameCityDays: 1...2, interCityDays: 2...4, delayRate: 0.11, damageRate: 0.010, lossRate: 0.005),
        Carrier(name: "BlueEx", share: 10, sameCityDays: 1...2, interCityDays: 2...4, delayRate: 0.14, damageRate: 0.012, lossRate: 0.006),
        Carrier(name: "PostEx", share: 14, sameCityDays: 1...2, interCityDays: 2...4, delayRate: 0.09, damageRate: 0.009, lossRate: 0.004),
        Carrier(name: "Trax", share: 10, sameCityDays: 1...2, interCityDays: 2...5, delayRate: 0.12, damageRate: 0.015, lossRate: 0.007),
    ]
}

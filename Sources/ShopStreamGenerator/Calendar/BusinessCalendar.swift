/// A sales promotion running on a day: its name as published on sales, the
/// share of sales it applies to, and its discount range.
struct Promotion: Equatable {
    enum Kind: Int, CaseIterable {
        case elevenEleven, whiteFriday, ramadan, eid, azadi
        var name: String { ["11.11 Sale", "White Friday", "Ramadan Offer", "Eid Sale", "Azadi Sale"][rawValue] }
    }

    var kind: Kind
    /// Share of the day's sales the promotion applies to.
    var coverage: Double
    /// Discount, in percent of the line total.
    var percent: ClosedRange<Int>
}

/// What the calendar says about one day.
struct DayProfile {
    /// Demand relative to an ordinary day (weekday, payday, festivals, sales events).
    var demand: Double
    var promotion: Promotion?
    /// Extra share of orders placed online (mega sales are mostly online events).
    var onlineBoost: Double
    /// During Ramadan shoppers come after iftar: the hour-of-day curve moves late.
    var isRamadan: Bool
}

/// Pakistan's retail calendar: weekly rhythm, salary days, Ramadan and the two
/// Eids (from a table: they follow the moon sighting, not a formula), 11.11,
/// White Friday (last Friday of November, a week of promotions) and Independence Day.
enum BusinessCalendar {
    /// First and last day of Ramadan, Eid ul Fitr's first day, Eid ul Adha's first day.
    struct IslamicYear {
        var ramadanStart: SimDate
        var ramadanEnd: SimDate
        var eidUlFitr: SimDate
        var eidUlAdha: SimDate
    }

    /// Dates as observed in Pakistan (2024, 2025) or expected (2026, 2027).
    /// Outside 2024–2027 the simulation has no Ramadan or Eid effect.
    static let islamicYears: [IslamicYear] = [
        IslamicYear(
            ramadanStart: SimDate(year: 2024, month: 3, day: 12), ramadanEnd: SimDate(year: 2024, month: 4, day: 9),
            eidUlFitr: SimDate(year: 2024, month: 4, day: 10), eidUlAdha: SimDate(year: 2024, month: 6, day: 17)),
        IslamicYear(
            ramadanStart: SimDate(year: 2025, month: 3, day: 1), ramadanEnd: SimDate(year: 2025, month: 3, day: 30),
            eidUlFitr: SimDate(year: 2025, month: 3, day: 31), eidUlAdha: SimDate(year: 2025, month: 6, day: 7)),
        IslamicYear(
            ramadanStart: SimDate(year: 2026, month: 2, day: 18), ramadanEnd: SimDate(year: 2026, month: 3, day: 19),
            eidUlFitr: SimDate(year: 2026, month: 3, day: 20), eidUlAdha: SimDate(year: 2026, month: 5, day: 27)),
        IslamicYear(
            ramadanStart: SimDate(year: 2027, month: 2, day: 8), ramadanEnd: SimDate(year: 2027, month: 3, day: 9),
            eidUlFitr: SimDate(year: 2027, month: 3, day: 10), eidUlAdha: SimDate(year: 2027, month: 5, day: 17)),
    ]

    /// Monday … Sunday: Saturday and Sunday are the weekend, Friday evenings are busy.
    static let weekdayFactor: [Double] = [0.92, 0.90, 0.94, 0.98, 1.12, 1.22, 1.18]

    /// The last Friday of November of `year`.
    static func whiteFriday(year: Int) -> SimDate {
        var d = SimDate(year: year, month: 11, day: 30)
        while d.weekday != 5 { d = d.adding(days: -1) }
        return d
    }

    static func profile(for date: SimDate) -> DayProfile {
        let c = CivilDate(date.daysSinceEpoch)
        var demand = weekdayFactor[date.weekday - 1]
        var promotion: Promotion?
        var onlineBoost = 0.0
        var isRamadan = false

        // Salaries land on the 1st; the last days of the month are lean.
        if c.day <= 5 { demand *= 1.30 } else if c.day >= 25 { demand *= 0.92 }

        if let y = islamicYears.first(where: { $0.ramadanStart.year == c.year }) {
            let d = date.daysSinceEpoch
            let ramadanLastTen = y.ramadanEnd.daysSinceEpoch - 9
            if d >= y.ramadanStart.daysSinceEpoch && d <= y.ramadanEnd.daysSinceEpoch {
                isRamadan = true
                if d == y.ramadanEnd.daysSinceEpoch {
                    demand *= 2.2  // Chand Raat: the night the Eid moon is sighted
                    promotion = Promotion(kind: .eid, coverage: 0.45, percent: 10...20)
                } else if d >= ramadanLastTen {
                    demand *= 1.45
                    promotion = Promotion(kind: .ramadan, coverage: 0.30, percent: 5...15)
                } else {
                    demand *= 1.10
                }
            }
            let fitr = d - y.eidUlFitr.daysSinceEpoch
            if (0...2).contains(fitr) {
                demand *= [1.5, 1.4, 1.2][fitr]
                promotion = Promotion(kind: .eid, coverage: 0.40, percent: 10...20)
            }
            let adha = d - y.eidUlAdha.daysSinceEpoch
            if (-5 ... -1).contains(adha) { demand *= 1.15 }
            if (0...2).contains(adha) {
                demand *= [1.3, 1.2, 1.1][adha]
                promotion = Promotion(kind: .eid, coverage: 0.30, percent: 5...15)
            }
        }

        if c.month == 8 && (11...14).contains(c.day) {
            demand *= 1.25
            promotion = Promotion(kind: .azadi, coverage: 0.40, percent: 14...14)
        }
        if c.month == 11 && c.day == 11 {
            demand *= 2.8
            onlineBoost = 0.25
            promotion = Promotion(kind: .elevenEleven, coverage: 0.75, percent: 11...30)
        }
        let wf = date.daysSinceEpoch - whiteFriday(year: c.year).daysSinceEpoch
        if (-4...3).contains(wf) {
            // Monday before White Friday through the Monday after.
            demand *= wf == 0 ? 3.2 : wf == 1 ? 2.2 : 1.8
            onlineBoost = 0.20
            promotion = Promotion(kind: .whiteFriday, coverage: 0.70, percent: 10...35)
        }
        return DayProfile(demand: demand, promotion: promotion, onlineBoost: onlineBoost, isRamadan: isRamadan)
    }

    /// Pakistan Standard Time is UTC+05:00 all year (no daylight saving). The
    /// simulation runs on shop-local days and hours; event_time carries the
    /// offset, and Kafka record timestamps are the same instants in UTC.
    static let utcOffsetMs: Int64 = 5 * 3_600_000

    /// Orders per hour of the day, relative (shop-local hours 0…23, PKT).
    static let hourWeights: [Int] = [
        14, 7, 3, 2, 2, 3, 6, 12, 22, 35, 48, 58,
        62, 58, 57, 62, 68, 76, 86, 95, 100, 92, 70, 38,
    ]

    /// In Ramadan the day is quiet until iftar, then busy until well after taraweeh.
    static let ramadanHourWeights: [Int] = [
        70, 45, 25, 15, 4, 2, 2, 4, 8, 16, 26, 34,
        38, 38, 40, 44, 46, 40, 30, 45, 80, 100, 100, 90,
    ]
}

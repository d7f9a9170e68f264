import ShopStreamCore

/// A calendar day (proleptic Gregorian, UTC), the simulation's unit of time.
///
/// Arithmetic runs on `daysSinceEpoch` with integer civil-date conversion, so no
/// Foundation calendar or time zone is involved anywhere in the simulation.
public struct SimDate: Sendable, Hashable, Comparable, LosslessStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// The day `year-month-day`; precondition: a real calendar day.
    public init(year: Int, month: Int, day: Int) {
        precondition(SimDate.isValid(year: year, month: month, day: day), "no such day: \(year)-\(month)-\(day)")
        daysSinceEpoch = CivilDate.days(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ description: String) {
        let parts = description.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            SimDate.isValid(year: y, month: m, day: d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var year: Int { CivilDate(daysSinceEpoch).year }
    public var month: Int { CivilDate(daysSinceEpoch).month }
    public var day: Int { CivilDate(daysSinceEpoch).day }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int { CivilDate.weekday(daysSinceEpoch) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = CivilDate(daysSinceEpoch)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// Midnight UTC of this day, in milliseconds since the Unix epoch.
    public var epochMilliseconds: Int64 { Int64(daysSinceEpoch) * 86_400_000 }

    public func adding(days: Int) -> SimDate { SimDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func < (a: SimDate, b: SimDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= CivilDate.daysIn(year: year, month: month)
    }
}

/// Integer conversions between day numbers and (year, month, day), after
/// Howard Hinnant's `civil_from_days` / `days_from_civil`.
struct CivilDate {
    var year: Int
    var month: Int
    var day: Int

    init(_ days: Int) {
        (year, month, day) = CivilCalendar.civil(days: days)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilCalendar.days(year: year, month: month, day: day)
    }

    /// ISO weekday (1 = Monday) of a day number; 1970-01-01 was a Thursday.
    static func weekday(_ days: Int) -> Int {
        let w = (days + 3) % 7
        return (w < 0 ? w + 7 : w) + 1
    }

    static func daysIn(year: Int, month: Int) -> Int {
        CivilCalendar.daysInMonth(year: year, month: month)
    }
}

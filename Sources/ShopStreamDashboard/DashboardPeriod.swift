import ShopStreamCore

/// How much of gold's history the dashboard reads: the last 7, 30 or 90 days, or all of it.
///
/// The days count back from gold's newest sale date, not from today's: a simulated history may
/// end long ago, and its last week is still the week to look at. A bounded period filters every
/// dated gold query in SQL (`WHERE sale_date >= …`), so a long history is not read to show a week.
public enum DashboardPeriod: String, Sendable, CaseIterable, Equatable {
    case days7 = "7"
    case days30 = "30"
    case days90 = "90"
    case all

    /// Days of history, nil for all of it.
    public var days: Int? {
        switch self {
        case .days7: 7
        case .days30: 30
        case .days90: 90
        case .all: nil
        }
    }

    /// `7 days`, `all`: the selector's words.
    public var label: String { days.map { "\($0) days" } ?? "all" }

    /// The first day the period covers when gold's newest sale is on `newest` (`YYYY-MM-DD`),
    /// nil for all of history (or a day that is not a date).
    public func firstDay(endingOn newest: String) -> String? {
        guard let days, let date = Self.parse(newest) else { return nil }
        let first = CivilCalendar.civil(days: CivilCalendar.days(year: date.year, month: date.month, day: date.day) - (days - 1))
        return Self.text(first)
    }

    /// `2025-03-01` for any day of March 2025: the first month a monthly table must read.
    static func monthStart(of day: String) -> String {
        guard let date = parse(day) else { return day }
        return text((date.year, date.month, 1))
    }

    private static func parse(_ day: String) -> (year: Int, month: Int, day: Int)? {
        let parts = day.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        return (parts[0], parts[1], parts[2])
    }

    private static func text(_ date: (year: Int, month: Int, day: Int)) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
    }
}

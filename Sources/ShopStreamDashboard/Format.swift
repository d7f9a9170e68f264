import Foundation
import ShopStreamCore

/// How the page writes what `NumberText` does not: chart labels, shares of counts, decimals,
/// escaped text.
enum Format {
    /// `PKR 151.5M`, `PKR 12.3K`: for chart labels.
    static func shortPKR(_ paisa: Int64) -> String {
        let rupees = Double(paisa) / 100
        switch abs(rupees) {
        case 1_000_000_000...: return String(format: "PKR %.1fB", rupees / 1_000_000_000)
        case 1_000_000...: return String(format: "PKR %.1fM", rupees / 1_000_000)
        case 1_000...: return String(format: "PKR %.1fK", rupees / 1_000)
        default: return String(format: "PKR %.0f", rupees)
        }
    }

    /// `4.1%` of a share (0.041); `–` when there is nothing to divide.
    static func percent(_ part: some BinaryInteger, of whole: some BinaryInteger) -> String {
        whole == 0 ? "–" : NumberText.percent(Double(Int64(part)) / Double(Int64(whole)))
    }

    /// `2.35` with two decimals, or `–`.
    static func decimal(_ value: Double?, places: Int = 2) -> String {
        value.map { String(format: "%.\(places)f", $0) } ?? "–"
    }

    /// An instant from ISO 8601 text, with or without fractions of a second (`2025-01-02T03:04:05Z`,
    /// `2025-01-02T03:04:05.123Z`), as the page's read time and gold._state's timestamps are written.
    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `12 s`, `4 min`, `3 h`, `2 days`: an age, roughly.
    static func age(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds).rounded())
        switch s {
        case ..<120: return "\(s) s"
        case ..<7200: return "\(s / 60) min"
        case ..<172_800: return "\(s / 3600) h"
        default: return "\(s / 86_400) days"
        }
    }

    /// Escapes text for HTML element content and attribute values.
    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

import Foundation

/// How the page writes numbers: whole rupees with thousands separators, shares as percents.
enum Format {
    /// `PKR 151,527,584` (whole rupees, rounded half up; gold keeps the paisa).
    static func pkr(_ paisa: Int64) -> String {
        "PKR \(paisa < 0 ? "-" : "")\(grouped(Int64((paisa.magnitude + 50) / 100)))"
    }

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

    /// `1,234,567`.
    static func grouped(_ n: some BinaryInteger) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `4.1%` of a share (0.041); `–` when there is nothing to divide.
    static func percent(_ part: some BinaryInteger, of whole: some BinaryInteger) -> String {
        whole == 0 ? "–" : percent(Double(Int64(part)) / Double(Int64(whole)))
    }

    static func percent(_ share: Double, signed: Bool = false) -> String {
        (signed && share >= 0 ? "+" : "") + String(format: "%.1f%%", share * 100)
    }

    /// `2.35` with two decimals, or `–`.
    static func decimal(_ value: Double?, places: Int = 2) -> String {
        value.map { String(format: "%.\(places)f", $0) } ?? "–"
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

import Foundation

/// Numbers as reports and the dashboard write them: thousands separators, whole rupees,
/// shares as percents.
public enum NumberText {
    /// `1,234,567`.
    public static func grouped(_ n: some BinaryInteger) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `PKR 151,527,584`: whole rupees, rounded half up (the warehouse keeps the paisa).
    public static func pkr(_ paisa: Int64) -> String {
        "PKR \(paisa < 0 ? "-" : "")\(grouped((paisa.magnitude + 50) / 100))"
    }

    /// `4.1%` of a share (0.041), or `+4.1%` with `signed`.
    public static func percent(_ share: Double, signed: Bool = false) -> String {
        (signed && share >= 0 ? "+" : "") + String(format: "%.1f%%", share * 100)
    }
}

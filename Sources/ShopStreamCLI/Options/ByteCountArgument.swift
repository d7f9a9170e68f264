import ArgumentParser
import Foundation

/// A size option: `64MiB`, `512KiB`, `1GiB`, `100MB` (powers of 1000), or plain bytes.
struct ByteCountArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let bytes: Int
    let text: String

    /// Shown as `N MiB` (or `N KiB`, or bytes) when it divides evenly.
    init(bytes: Int) {
        self.bytes = bytes
        if bytes > 0 && bytes % (1 << 20) == 0 {
            text = "\(bytes >> 20)MiB"
        } else if bytes > 0 && bytes % (1 << 10) == 0 {
            text = "\(bytes >> 10)KiB"
        } else {
            text = "\(bytes)"
        }
    }

    init?(argument: String) {
        let trimmed = argument.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let units: [String: Double] = [
            "": 1, "b": 1,
            "kb": 1e3, "mb": 1e6, "gb": 1e9,
            "k": 1024, "kib": 1024, "m": 1_048_576, "mib": 1_048_576, "g": 1_073_741_824, "gib": 1_073_741_824,
        ]
        guard let number = Double(digits), number >= 0, let scale = units[unit] else { return nil }
        let bytes = (number * scale).rounded()
        guard bytes < Double(Int.max) else { return nil }
        self.bytes = Int(bytes)
        text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}

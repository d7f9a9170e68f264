import ArgumentParser

/// How every duration option is written: a number and a unit, `500ms`, `5s`, `2m`, `1h`, or
/// several from the largest unit down, `1h30m`, `2m30s`, `1s500ms`, or days, `30d`. The units are
/// `d`, `h`, `m`, `s` and `ms`; a number may have a fraction (`1.5s`). A bare number is refused rather than taken
/// as seconds (`--max-delay 200` could as well mean milliseconds), and so are signs and spaces.
///
/// Options declare a plain `Duration` (`@Option(help: …) var maxDelay: Duration = .seconds(1)`):
/// the `Option` initialisers below attach this parser, the value name `<duration>` and the
/// default, and take the next argument whatever it is, so that `--idle-exit -1s` is refused as
/// negative rather than as a missing value. ArgumentParser's `ExpressibleByArgument` cannot say
/// why a value was refused, so the parser is a throwing transform, and a refusal names the forms.
enum DurationArgument {
    /// The forms, as refusals show them.
    static let forms = "500ms, 5s, 2m, 1h, 1h30m or 30d"

    /// Why a text is not a duration, in a phrase that ends with the accepted forms.
    struct Refusal: Error, CustomStringConvertible, Equatable {
        let description: String
        init(_ reason: String) { description = "\(reason) (durations are written \(DurationArgument.forms))" }
    }

    private static let units: [(name: String, nanoseconds: Int64)] = [
        ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
    ]

    static func parse(_ text: String) throws(Refusal) -> Duration {
        if text.isEmpty { throw Refusal("an empty duration") }
        if text.contains(where: \.isWhitespace) { throw Refusal("a duration has no spaces") }
        if text.hasPrefix("-"), text.dropFirst().first?.isNumber == true { throw Refusal("a duration cannot be negative") }
        var rest = Substring(text)
        var total: Int64 = 0
        var previousUnit = -1
        while !rest.isEmpty {
            let number = rest.prefix { ("0"..."9").contains($0) || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard !number.isEmpty else { throw Refusal("expected a number and a unit") }
            guard !unit.isEmpty else { throw Refusal(rest.isEmpty ? "a number needs a unit" : "expected a number and a unit") }
            guard let index = units.firstIndex(where: { $0.name == unit.lowercased() }) else {
                throw Refusal("\(unit) is not a unit; the units are d, h, m, s and ms")
            }
            guard index > previousUnit else { throw Refusal("units go from the largest down, each once") }
            previousUnit = index
            let (sum, overflow) = total.addingReportingOverflow(try scaled(number, by: units[index].nanoseconds))
            guard !overflow else { throw Refusal("longer than a duration can be (292 years)") }
            total = sum
        }
        return .nanoseconds(total)
    }

    /// `digits[.digits]` times a unit, in nanoseconds.
    private static func scaled(_ number: Substring, by unit: Int64) throws(Refusal) -> Int64 {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            throw Refusal("\(number) is not a number")
        }
        let tooLong = Refusal("longer than a duration can be (292 years)")
        guard let whole = Int64(parts[0]) else { throw tooLong }
        let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
        if overflow { throw tooLong }
        guard parts.count == 2 else { return product }
        let digits = parts[1].prefix(18)
        let fraction = (Double(Int64(digits)!) / pow10(digits.count) * Double(unit)).rounded()
        let (sum, sumOverflow) = product.addingReportingOverflow(Int64(fraction))
        if sumOverflow { throw tooLong }
        return sum
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }

    /// An exact form, largest unit first: `30d`, `24h`, `1m30s`, `500ms` (what `--help` shows as a default).
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0, attoseconds % 1_000_000_000_000_000 == 0 else { return "\(duration)" }
        var milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var text = ""
        // Whole days from two up as days (`30d`); a day and anything shorter in hours (`24h`, `36h`).
        let day: Int64 = 86_400_000
        if milliseconds >= 2 * day && milliseconds % day == 0 { return "\(milliseconds / day)d" }
        for (name, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000), ("ms", 1)] where milliseconds >= size {
            text += "\(milliseconds / size)\(name)"
            milliseconds %= size
        }
        return text
    }

    /// The help of a duration option: the same value name and default wording everywhere.
    static func help(_ abstract: String, default value: Duration?) -> ArgumentHelp {
        ArgumentHelp(value.map { "\(abstract) (default: \(format($0)))" } ?? abstract, valueName: "duration")
    }
}

extension Option where Value == Duration {
    /// A duration option with a default: `@Option(help: "…") var maxDelay: Duration = .seconds(1)`.
    init(wrappedValue: Duration, name: NameSpecification = .long, help: String) {
        self.init(
            wrappedValue: wrappedValue, name: name, parsing: .unconditional,
            help: DurationArgument.help(help, default: wrappedValue),
            transform: { text in try DurationArgument.parse(text) })
    }
}

extension Option where Value == Duration? {
    /// A duration option that may be left out: `@Option(help: "…") var idleExit: Duration?`.
    init(name: NameSpecification = .long, help: String) {
        self.init(
            name: name, parsing: .unconditional, help: DurationArgument.help(help, default: nil),
            transform: { text in try DurationArgument.parse(text) })
    }
}

import ShopStreamCore

/// TIMESTAMP and DATE texts: validation, and the one canonical form both engines return,
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds). Pure integer calendar arithmetic
/// (proleptic Gregorian, years 0001–9999 as in BigQuery); no Foundation calendars or locales.
public enum TimestampText {
    /// Microseconds since 1970-01-01T00:00:00Z for RFC 3339 / BigQuery timestamp text:
    /// `2025-01-02T03:04:05Z`, `2025-01-02 03:04:05.123456`, `…+05:00`, `… UTC`, minutes without
    /// seconds. No zone means UTC. Fractions beyond microseconds must be zeros (nothing is
    /// silently rounded). Nil when the text is not such a timestamp.
    public static func microseconds(parsing text: some StringProtocol) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                guard (48...57).contains(b[k]) else { return nil }
                value = value * 10 + Int(b[k] - 48)
            }
            i += width
            return value
        }
        func expect(_ char: UInt8) -> Bool {
            guard i < b.count, b[i] == char else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            let days = DateText.daysSinceEpoch(year: year, month: month, day: day)
        else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = number(2), hour < 24, expect(58), let minute = number(2), minute < 60 else { return nil }
        var second = 0
        var micros = 0
        if expect(58) {
            guard let s = number(2), s < 60 else { return nil }
            second = s
            if expect(46) {
                var count = 0
                while i < b.count, (48...57).contains(b[i]) {
                    let digit = Int(b[i] - 48)
                    if count < 6 { micros = micros * 10 + digit } else if digit != 0 { return nil }
                    count += 1
                    i += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<max(count, 6) { micros *= 10 }
            }
        }
        var offsetMinutes = 0
        let rest = String(decoding: b[i...], as: UTF8.self)
        switch rest {
        case "", "Z", "z", " UTC", "UTC", "+00", " +00", "+00:00", " +00:00": break
        default:
            let zone = Array((rest.hasPrefix(" ") ? String(rest.dropFirst()) : rest).utf8)
            guard zone.count == 6 || zone.count == 3, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-") else { return nil }
            let digits = zone.count == 6 ? [zone[1], zone[2], zone[4], zone[5]] : [zone[1], zone[2], 48, 48]
            guard zone.count == 3 || zone[3] == 58, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
            let hours = Int(digits[0] - 48) * 10 + Int(digits[1] - 48)
            let minutes = Int(digits[2] - 48) * 10 + Int(digits[3] - 48)
            guard hours < 24, minutes < 60 else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
        }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1_000_000 + Int64(micros)
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` for microseconds since the epoch.
    static func text(microseconds: Int64) -> String {
        var seconds = microseconds / 1_000_000
        var micros = microseconds % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = DateText.civil(daysSinceEpoch: Int(days))
        guard (0...9999).contains(year) else {
            return DateText.text(year: year, month: month, day: day) + "T" + pad(Int(secondOfDay / 3600), 2) + ":"
                + pad(Int(secondOfDay % 3600 / 60), 2) + ":" + pad(Int(secondOfDay % 60), 2) + "." + pad(Int(micros), 6) + "Z"
        }
        // Written digit by digit into the string's own storage: this runs for every TIMESTAMP
        // cell the warehouse writes or reads.
        return String(unsafeUninitializedCapacity: 27) { b in
            func put(_ value: Int, _ width: Int, at start: Int) {
                var v = value
                for k in stride(from: start + width - 1, through: start, by: -1) {
                    b[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
            }
            put(year, 4, at: 0); b[4] = 45; put(month, 2, at: 5); b[7] = 45; put(day, 2, at: 8)
            b[10] = UInt8(ascii: "T")
            put(Int(secondOfDay / 3600), 2, at: 11); b[13] = 58
            put(Int(secondOfDay % 3600 / 60), 2, at: 14); b[16] = 58
            put(Int(secondOfDay % 60), 2, at: 17); b[19] = 46
            put(Int(micros), 6, at: 20); b[26] = UInt8(ascii: "Z")
            return 27
        }
    }

    /// Whether `text` is already canonical (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, a real date and time):
    /// then `canonical(text) == text`, without parsing and writing it again.
    static func isCanonical(_ text: String) -> Bool {
        var utf8 = text.utf8
        guard utf8.count == 27 else { return false }
        if let known = utf8.withContiguousStorageIfAvailable({ isCanonical(bytes: $0) }) { return known }
        var copy = text
        copy.makeContiguousUTF8()
        utf8 = copy.utf8
        return utf8.withContiguousStorageIfAvailable { isCanonical(bytes: $0) } ?? false
    }

    private static func isCanonical(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 27, b[4] == 45, b[7] == 45, b[10] == UInt8(ascii: "T"), b[13] == 58, b[16] == 58, b[19] == 46,
            b[26] == UInt8(ascii: "Z")
        else { return false }
        func number(_ start: Int, _ width: Int) -> Int {
            var value = 0
            for k in start..<(start + width) {
                let d = Int(b[k]) - 48
                guard d >= 0 && d <= 9 else { return -1 }
                value = value * 10 + d
            }
            return value
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2)
        guard year >= 1, month >= 1, day >= 1, hour >= 0, hour < 24, minute >= 0, minute < 60, second >= 0, second < 60,
            number(20, 6) >= 0
        else { return false }
        return DateText.daysSinceEpoch(year: year, month: month, day: day) != nil
    }

    /// The canonical form of timestamp text, or nil when it is not a timestamp.
    static func canonical(_ text: some StringProtocol) -> String? {
        if let string = text as? String, isCanonical(string) { return string }
        return microseconds(parsing: text).map { self.text(microseconds: $0) }
    }

    /// BigQuery's answer for a TIMESTAMP cell in canonical form: an integer is microseconds
    /// (`formatOptions.useInt64Timestamp`, and the emulator always), a decimal or exponent form
    /// is seconds (`1.735787045123456E9`, BigQuery's default), parsed exactly; other text is
    /// tried as a timestamp. Nil when none fits.
    static func fromBigQuery(_ value: String) -> String? {
        if let micros = Int64(value) { return text(microseconds: micros) }
        if let seconds = DecimalText(value) {
            // Rounded to the microsecond: BigQuery's double can carry a digit of noise beyond it.
            return seconds.scaledRounded(by: 6).map { text(microseconds: $0) }
        }
        return canonical(value)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// `YYYY-MM-DD` dates.
enum DateText {
    /// Whether `text` is exactly a valid `YYYY-MM-DD` date in 0001-01-01…9999-12-31.
    static func isValid(_ text: some StringProtocol) -> Bool { days(text) != nil }

    /// Days since 1970-01-01 of a valid `YYYY-MM-DD` text, or nil.
    static func days(_ text: some StringProtocol) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for k in range {
                guard (48...57).contains(b[k]) else { return nil }
                value = value * 10 + Int(b[k] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return daysSinceEpoch(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil), or nil for an invalid date.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return CivilCalendar.days(year: year, month: month, day: day)
    }

    /// The date `days` after 1970-01-01 (civil_from_days).
    static func civil(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        CivilCalendar.civil(days: days)
    }

    static func text(year: Int, month: Int, day: Int) -> String {
        TimestampText.pad(year, 4) + "-" + TimestampText.pad(month, 2) + "-" + TimestampText.pad(day, 2)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        CivilCalendar.daysInMonth(year: year, month: month)
    }
}

/// FLOAT64 text, the same from both engines.
enum FloatText {
    /// Swift's shortest round-trip text (`1.5`, `100.0`, `1e+20`), and BigQuery's words for the
    /// special values (`NaN`, `Infinity`, `-Infinity`).
    static func canonical(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }

    /// Reads BigQuery's or SQLite's float text (`1.0E20`, `1e+20`, `NaN`, `Infinity`, `-inf`).
    static func parse(_ text: String) -> Double? {
        switch text {
        case "NaN", "nan": return .nan
        case "Infinity", "inf", "+Infinity": return .infinity
        case "-Infinity", "-inf": return -.infinity
        default: return Double(text)
        }
    }
}

extension DecimalText {
    /// The value times 10^`places`, rounded half away from zero, when within Int64.
    func scaledRounded(by places: Int) -> Int64? {
        if scale <= places { return scaled(by: places) }
        let dropped = scale - places
        // Leading zeros so that the first dropped digit exists (0.000000005 has one digit).
        let padded = Array(repeating: UInt8(0), count: max(0, dropped + 1 - digits.count)) + digits
        let kept = Array(padded.dropLast(dropped))
        let roundUp = padded[padded.count - dropped] >= 5
        var magnitude: Int64 = 0
        for digit in kept {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            magnitude = plus
        }
        if roundUp {
            let (plus, overflow) = magnitude.addingReportingOverflow(1)
            guard !overflow else { return nil }
            magnitude = plus
        }
        return negative ? -magnitude : magnitude
    }
}

import ShopStreamCore

/// Calendar arithmetic and RFC 3339 parsing without Foundation's calendars:
/// proleptic Gregorian day numbers (days since 1970-01-01), as BigQuery counts.
enum CivilTime {
    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilCalendar.days(year: year, month: month, day: day)
    }

    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        CivilCalendar.civil(days: days)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        CivilCalendar.daysInMonth(year: year, month: month)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December",
    ]

    /// The first and last day BigQuery can hold (0001-01-01, 9999-12-31).
    static let firstDay = days(year: 1, month: 1, day: 1)
    static let lastDay = days(year: 9999, month: 12, day: 31)
    static let microsPerDay: Int64 = 86_400_000_000

    // MARK: Parsing

    /// A `full-date` of RFC 3339 (`YYYY-MM-DD`) as a day number, or why not.
    static func parseDate(_ s: String) -> Result<Int, DateTimeError> {
        // Over the String's own bytes: a copy into an array was an allocation a field.
        var s = s
        return s.withUTF8 { b in
            guard b.count == 10 else { return .failure(DateTimeError("expected YYYY-MM-DD")) }
            return parseDate(b, at: 0)
        }
    }

    /// A `date-time` of RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`).
    static func parseDateTime(_ s: String) -> Result<ParsedDateTime, DateTimeError> {
        var s = s
        return s.withUTF8 { parseDateTime($0) }
    }

    private static func parseDateTime(_ b: UnsafeBufferPointer<UInt8>) -> Result<ParsedDateTime, DateTimeError> {
        guard b.count >= 20 else { return .failure(DateTimeError("expected YYYY-MM-DDTHH:MM:SS with a UTC offset")) }
        let day: Int
        switch parseDate(b, at: 0) {
        case .success(let d): day = d
        case .failure(let e): return .failure(e)
        }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") else {
            return .failure(DateTimeError("expected 'T' between the date and the time"))
        }
        guard b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2)
        else { return .failure(DateTimeError("expected the time as HH:MM:SS")) }
        guard hour <= 23 else { return .failure(DateTimeError("hour \(hour) is out of range")) }
        guard minute <= 59 else { return .failure(DateTimeError("minute \(minute) is out of range")) }
        if second == 60 { return .failure(DateTimeError("second 60 (a leap second) cannot be stored")) }
        guard second <= 59 else { return .failure(DateTimeError("second \(second) is out of range")) }
        var i = 19
        var micros: Int64 = 0
        var subMicro = false
        var fractionDigits = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                let d = Int64(b[i] - 0x30)
                if fractionDigits < 6 { micros = micros * 10 + d } else if d != 0 { subMicro = true }
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return .failure(DateTimeError("expected digits after the decimal point")) }
            for _ in fractionDigits..<max(fractionDigits, 6) { micros *= 10 }
        }
        guard i < b.count else { return .failure(DateTimeError("missing the UTC offset (Z or ±HH:MM)")) }
        var offsetMinutes = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                let oh = number(b, i + 1, 2), let om = number(b, i + 4, 2)
            else { return .failure(DateTimeError("expected the UTC offset as ±HH:MM")) }
            guard oh <= 23, om <= 59 else { return .failure(DateTimeError("UTC offset out of range")) }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return .failure(DateTimeError("expected the UTC offset (Z or ±HH:MM)"))
        }
        guard i == b.count else { return .failure(DateTimeError("unexpected text after the UTC offset")) }
        let local = Int64(day) * microsPerDay + Int64((hour * 60 + minute) * 60 + second) * 1_000_000 + micros
        let utc = local - Int64(offsetMinutes) * 60_000_000
        return .success(ParsedDateTime(utcMicros: utc, writtenDay: day, subMicrosecond: subMicro))
    }

    private static func parseDate(_ b: UnsafeBufferPointer<UInt8>, at o: Int) -> Result<Int, DateTimeError> {
        guard b[o + 4] == UInt8(ascii: "-"), b[o + 7] == UInt8(ascii: "-"),
            let year = number(b, o, 4), let month = number(b, o + 5, 2), let day = number(b, o + 8, 2)
        else { return .failure(DateTimeError("expected YYYY-MM-DD")) }
        guard year >= 1 else { return .failure(DateTimeError("year 0000 does not exist")) }
        guard (1...12).contains(month) else { return .failure(DateTimeError("month \(month) does not exist")) }
        let last = daysInMonth(year: year, month: month)
        guard (1...last).contains(day) else {
            return .failure(DateTimeError("\(monthNames[month - 1]) \(year) has \(last) days"))
        }
        return .success(days(year: year, month: month, day: day))
    }

    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        var v = 0
        for k in at..<(at + count) {
            let c = b[k]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    // MARK: Formatting

    /// `YYYY-MM-DD`.
    static func dateText(days: Int) -> String {
        String(unsafeUninitializedCapacity: 10) { b in
            writeDate(days, into: b)
            return 10
        }
    }

    /// UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the text form of a TIMESTAMP value.
    static func timestampText(utcMicros: Int64) -> String {
        let day = floorDiv(utcMicros, microsPerDay)
        let rest = Int(utcMicros - day * microsPerDay)
        let seconds = rest / 1_000_000
        // Written into the String's own storage: one allocation, not an array and a copy.
        return String(unsafeUninitializedCapacity: 27) { b in
            writeDate(Int(day), into: b)
            b[10] = UInt8(ascii: "T")
            put(seconds / 3600, width: 2, into: b, at: 11)
            b[13] = UInt8(ascii: ":")
            put(seconds / 60 % 60, width: 2, into: b, at: 14)
            b[16] = UInt8(ascii: ":")
            put(seconds % 60, width: 2, into: b, at: 17)
            b[19] = UInt8(ascii: ".")
            put(rest % 1_000_000, width: 6, into: b, at: 20)
            b[26] = UInt8(ascii: "Z")
            return 27
        }
    }

    private static func writeDate(_ days: Int, into b: UnsafeMutableBufferPointer<UInt8>) {
        let c = civil(days: days)
        put(c.year, width: 4, into: b, at: 0)
        b[4] = UInt8(ascii: "-")
        put(c.month, width: 2, into: b, at: 5)
        b[7] = UInt8(ascii: "-")
        put(c.day, width: 2, into: b, at: 8)
    }

    private static func put(_ value: Int, width: Int, into b: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var v = value
        for k in stride(from: offset + width - 1, through: offset, by: -1) {
            b[k] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
            v /= 10
        }
    }
}

/// An RFC 3339 date-time, resolved to UTC.
struct ParsedDateTime: Sendable, Equatable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    var utcMicros: Int64
    /// The day number of the date as written (in its own offset).
    var writtenDay: Int
    /// Digits finer than a microsecond were not all zero.
    var subMicrosecond: Bool

    var utcDay: Int { Int(floorDiv(utcMicros, CivilTime.microsPerDay)) }
}

struct DateTimeError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

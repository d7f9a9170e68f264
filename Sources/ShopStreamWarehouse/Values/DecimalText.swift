/// An exact decimal number held as digits, for NUMERIC values: parsing, the canonical text both
/// engines return, and exact addition (SQLite's `numeric_sum`). No floating point anywhere.
struct DecimalText: Equatable, Sendable {
    /// Digits of the magnitude without leading zeros (empty for zero), most significant first.
    private(set) var digits: [UInt8]
    /// How many of `digits` are after the decimal point.
    private(set) var scale: Int
    private(set) var negative: Bool

    static let zero = DecimalText(digits: [], scale: 0, negative: false)

    private init(digits: [UInt8], scale: Int, negative: Bool) {
        self.digits = digits
        self.scale = scale
        self.negative = negative
        normalize()
    }

    /// Parses `-12.50`, `+3`, `.5`, `1e-9`, `1.5E3` (an exponent is accepted because the BigQuery
    /// emulator answers `-1E-9`). Nil for anything else, including empty text, `NaN` and spaces.
    init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        var exponent = 0
        if let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            guard let value = Int(String(decoding: bytes[(e + 1)...], as: UTF8.self)), abs(value) <= 1000 else { return nil }
            exponent = value
            bytes.removeSubrange(e...)
        }
        var digits: [UInt8] = []
        var scale = 0
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { scale += 1 }
            } else {
                return nil
            }
        }
        guard !digits.isEmpty else { return nil }
        scale -= exponent
        if scale < 0 {
            digits += Array(repeating: 0, count: -scale)
            scale = 0
        }
        self.init(digits: digits, scale: scale, negative: negative)
    }

    /// `paisa` hundredths: `fromPaisa(7499950)` is 74999.5.
    static func fromPaisa(_ paisa: Int64) -> DecimalText {
        let magnitude = paisa.magnitude
        let cents = magnitude % 100
        let text = (paisa < 0 ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
        return DecimalText(text)!
    }

    init(_ value: Int64) {
        let magnitude = value.magnitude
        self.init(digits: String(magnitude).utf8.map { $0 - UInt8(ascii: "0") }, scale: 0, negative: value < 0)
    }

    /// Drops leading zeros and trailing fractional zeros; zero is never negative.
    private mutating func normalize() {
        while scale > 0, digits.last == 0 {
            digits.removeLast()
            scale -= 1
        }
        let integerCount = digits.count - scale
        if integerCount > 0, let first = digits.firstIndex(where: { $0 != 0 }), first > 0 {
            let drop = min(first, integerCount)
            digits.removeFirst(drop)
        } else if integerCount > 0, digits.allSatisfy({ $0 == 0 }) {
            digits.removeFirst(integerCount)
        }
        if digits.allSatisfy({ $0 == 0 }) {
            digits = []
            scale = 0
            negative = false
        }
    }

    /// Digits before the decimal point (0 for `0.5`).
    var integerDigits: Int { max(0, digits.count - scale) }

    /// The shortest exact text: `74999`, `0.1`, `-0.000000001`, `0`.
    var text: String {
        if digits.isEmpty { return "0" }
        var out = negative ? "-" : ""
        let chars = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        if scale == 0 {
            out += String(chars)
        } else if digits.count > scale {
            out += String(chars[..<(digits.count - scale)]) + "." + String(chars[(digits.count - scale)...])
        } else {
            out += "0." + String(repeating: "0", count: scale - digits.count) + String(chars)
        }
        return out
    }

    /// Whether `text` is already what `DecimalText(text).text` gives and fits BigQuery NUMERIC:
    /// an optional `-`, `0` or digits without a leading zero (at most 29), and optionally `.` and
    /// 1 to 9 digits not ending in `0`; not `-0`. Such text needs no parsing and rewriting.
    static func isCanonicalNumeric(_ text: String) -> Bool {
        var integer = 0, fraction = 0, lastFraction: UInt8 = 0, firstInteger: UInt8 = 0
        var negative = false, point = false, first = true
        for byte in text.utf8 {
            defer { first = false }
            if first && byte == UInt8(ascii: "-") { negative = true; continue }
            if byte == UInt8(ascii: ".") {
                guard !point, integer > 0 else { return false }
                point = true
                continue
            }
            guard byte >= 48 && byte <= 57 else { return false }
            if point {
                fraction += 1
                lastFraction = byte
            } else {
                if integer == 0 { firstInteger = byte } else if firstInteger == 48 { return false }
                integer += 1
            }
        }
        guard integer >= 1, integer <= 29, fraction <= 9 else { return false }
        if point && (fraction == 0 || lastFraction == 48) { return false }
        if negative && firstInteger == 48 && !point { return false }
        return true
    }

    /// Whether BigQuery NUMERIC holds it exactly: at most 29 digits before the point and 9 after.
    var fitsBigQueryNumeric: Bool { integerDigits <= 29 && scale <= 9 }

    /// The value times 10^`places`, when that is a whole number within Int64 (`paisa`: places 2).
    func scaled(by places: Int) -> Int64? {
        guard scale <= places else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits + Array(repeating: 0, count: places - scale) {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = plus
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    static func + (lhs: DecimalText, rhs: DecimalText) -> DecimalText {
        let scale = max(lhs.scale, rhs.scale)
        let a = lhs.digits + Array(repeating: 0, count: scale - lhs.scale)
        let b = rhs.digits + Array(repeating: 0, count: scale - rhs.scale)
        if lhs.negative == rhs.negative {
            return DecimalText(digits: addMagnitudes(a, b), scale: scale, negative: lhs.negative)
        }
        switch compareMagnitudes(a, b) {
        case 0: return .zero
        case 1: return DecimalText(digits: subtractMagnitudes(a, b), scale: scale, negative: lhs.negative)
        default: return DecimalText(digits: subtractMagnitudes(b, a), scale: scale, negative: rhs.negative)
        }
    }

    private static func addMagnitudes(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(max(a.count, b.count) + 1)
        var i = a.count - 1, j = b.count - 1, carry: UInt8 = 0
        while i >= 0 || j >= 0 || carry > 0 {
            let sum = (i >= 0 ? a[i] : 0) + (j >= 0 ? b[j] : 0) + carry
            result.append(sum % 10)
            carry = sum / 10
            i -= 1
            j -= 1
        }
        return result.reversed()
    }

    /// `a - b` for `a >= b`.
    private static func subtractMagnitudes(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var i = a.count - 1, j = b.count - 1, borrow: Int = 0
        while i >= 0 {
            var difference = Int(a[i]) - borrow - (j >= 0 ? Int(b[j]) : 0)
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 10 }
            result.append(UInt8(difference))
            i -= 1
            j -= 1
        }
        return result.reversed()
    }

    private static func compareMagnitudes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let a = Array(a.drop { $0 == 0 }), b = Array(b.drop { $0 == 0 })
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}

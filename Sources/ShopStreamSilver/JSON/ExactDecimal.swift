/// A decimal number held exactly as written: `digits × 10^exponent`.
///
/// Money is checked and stored from this, never from a `Double`: `74999.005`
/// is not a multiple of 0.01 whatever a binary float would round it to.
struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Decimal digits (0…9) without leading or trailing zeros; empty for zero.
    private(set) var digits: [UInt8]
    private(set) var exponent: Int
    private(set) var negative: Bool

    /// Exponents beyond this are refused rather than expanded.
    static let exponentLimit = 10_000

    /// Parses JSON number text (also Swift's `Double.description`, e.g. `1e-05`).
    init?(_ text: some StringProtocol) {
        var digits: [UInt8] = []
        var exponent = 0
        var negative = false
        var seenDigit = false
        var seenDot = false
        var it = text.utf8.makeIterator()
        var c = it.next()
        if c == UInt8(ascii: "-") { negative = true; c = it.next() }
        while let b = c {
            if b >= 0x30 && b <= 0x39 {
                seenDigit = true
                if !(digits.isEmpty && b == 0x30) { digits.append(b - 0x30) }
                if seenDot { exponent -= 1 }
            } else if b == UInt8(ascii: "."), !seenDot {
                seenDot = true
            } else {
                break
            }
            c = it.next()
        }
        guard seenDigit else { return nil }
        if let b = c {
            guard b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { return nil }
            var expNegative = false
            var e = 0
            var expDigits = 0
            c = it.next()
            if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { expNegative = c == UInt8(ascii: "-"); c = it.next() }
            while let d = c {
                guard d >= 0x30 && d <= 0x39 else { return nil }
                e = e * 10 + Int(d - 0x30)
                guard e <= ExactDecimal.exponentLimit else { return nil }
                expDigits += 1
                c = it.next()
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        // Digits after the dot that were leading zeros were not stored but still
        // moved the exponent; that is right: 0.05 → digits [5], exponent -2.
        self.init(digits: digits, exponent: exponent, negative: negative)
    }

    init(_ value: Double) {
        self = ExactDecimal(value.description)!
    }

    init(_ value: Int64) {
        self = ExactDecimal(String(value))!
    }

    private init(digits: [UInt8], exponent: Int, negative: Bool) {
        var d = digits
        var e = exponent
        while let last = d.last, last == 0 { d.removeLast(); e += 1 }
        self.digits = d
        self.exponent = d.isEmpty ? 0 : e
        self.negative = d.isEmpty ? false : negative
    }

    static let zero = ExactDecimal(Int64(0))

    var isZero: Bool { digits.isEmpty }
    var isInteger: Bool { exponent >= 0 }
    /// Digits after the decimal point (0 for integers).
    var fractionDigits: Int { max(0, -exponent) }
    /// Digits before the decimal point.
    var integerDigits: Int { max(0, digits.count + exponent) }

    /// `10^-k` as a decimal, or nil if this is not a power of ten.
    var powerOfTenScale: Int? { digits == [1] && !negative ? -exponent : nil }

    /// The value as an `Int64` when it is an integer that fits.
    var int64: Int64? { scaled(by: 0) }

    /// `self × 10^scale` as an `Int64`, when that is an integer that fits
    /// (e.g. rupees to paisa with scale 2).
    func scaled(by scale: Int) -> Int64? {
        guard exponent + scale >= 0, digits.count + exponent + scale <= 19 else { return isZero ? 0 : nil }
        // Accumulate with the final sign, so Int64.min (whose magnitude has no Int64) fits.
        let sign: Int64 = negative ? -1 : 1
        var v: Int64 = 0
        for d in digits {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(sign * Int64(d))
            guard !o1, !o2 else { return nil }
            v = a
        }
        for _ in 0..<(exponent + scale) {
            let (m, o) = v.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            v = m
        }
        return v
    }

    /// Plain decimal text with exactly `scale` fraction digits; the value must
    /// not have more (`74999` → `74999.00` at scale 2).
    func text(scale: Int) -> String {
        precondition(fractionDigits <= scale, "\(self) has more than \(scale) decimals")
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + scale + 4)
        if negative { out.append(UInt8(ascii: "-")) }
        let intCount = digits.count + exponent
        if intCount <= 0 {
            out.append(UInt8(ascii: "0"))
        } else {
            for k in 0..<intCount { out.append(0x30 + (k < digits.count ? digits[k] : 0)) }
        }
        if scale > 0 {
            out.append(UInt8(ascii: "."))
            for pos in 0..<scale {
                let k = intCount + pos
                out.append(0x30 + (k >= 0 && k < digits.count ? digits[k] : 0))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `self / m` is an integer; `m` must be positive.
    func isMultiple(of m: ExactDecimal) -> Bool {
        precondition(!m.isZero && !m.negative)
        if isZero { return true }
        // self / m = (digits / m.digits) × 10^(exponent − m.exponent). With no
        // trailing zeros in `digits`, a negative power can never be cleared.
        let shift = exponent - m.exponent
        guard shift >= 0 else { return false }
        if m.digits == [1] { return true }
        guard m.digits.count <= 18 else { return false }
        var divisor: Int64 = 0
        for d in m.digits { divisor = divisor * 10 + Int64(d) }
        var remainder: Int64 = 0
        for d in digits { remainder = (remainder * 10 + Int64(d)) % divisor }
        for _ in 0..<shift {
            remainder = (remainder * 10) % divisor
            if remainder == 0 { return true }
        }
        return remainder == 0
    }

    static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
        if a.negative != b.negative { return a.negative }
        let magnitudeLess = ExactDecimal.magnitudeLess(a, b)
        let magnitudeGreater = ExactDecimal.magnitudeLess(b, a)
        return a.negative ? magnitudeGreater : magnitudeLess
    }

    private static func magnitudeLess(_ a: ExactDecimal, _ b: ExactDecimal) -> Bool {
        if a.isZero || b.isZero { return a.isZero && !b.isZero }
        let ma = a.digits.count + a.exponent, mb = b.digits.count + b.exponent
        if ma != mb { return ma < mb }
        for (x, y) in zip(a.digits, b.digits) where x != y { return x < y }
        return a.digits.count < b.digits.count
    }

    /// Plain text when short, scientific otherwise; for messages.
    var description: String {
        if isZero { return "0" }
        if exponent >= 0 && exponent <= 30 { return text(scale: 0) }
        if exponent < 0 && -exponent <= 30 { return text(scale: -exponent) }
        return (negative ? "-" : "") + digits.map(String.init).joined() + "e" + String(exponent)
    }
}

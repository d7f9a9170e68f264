/// The JSON writing primitives. Nothing here allocates: numbers and times are
/// formatted with integer arithmetic, and text comes either from `StaticString`
/// literals or from the pre-escaped `TextTable`.
extension EventBuffer {
    @inline(__always)
    mutating func byte(_ b: UInt8) {
        base[count] = b
        count += 1
    }

    /// A literal, written as is (JSON punctuation and keys; must already be valid JSON text).
    @inline(__always)
    mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        (base + count).update(from: s.utf8Start, count: n)
        count += n
    }

    /// Pre-escaped text from a `TextTable`.
    @inline(__always)
    mutating func text(_ ref: TextRef, _ table: UnsafePointer<UInt8>) {
        let n = Int(ref.count)
        (base + count).update(from: table + Int(ref.offset), count: n)
        count += n
    }

    /// A non-negative integer in decimal.
    @inline(__always)
    mutating func uint(_ value: Int) {
        assert(value >= 0)
        var v = value
        var digits = 1
        var t = v
        while t >= 10 { t /= 10; digits += 1 }
        var i = count + digits
        count = i
        while v >= 100 {
            let r = v % 100
            v /= 100
            i -= 2
            base[i] = Digits.pairs[2 * r]
            base[i + 1] = Digits.pairs[2 * r + 1]
        }
        if v >= 10 {
            i -= 2
            base[i] = Digits.pairs[2 * v]
            base[i + 1] = Digits.pairs[2 * v + 1]
        } else {
            base[i - 1] = 0x30 &+ UInt8(truncatingIfNeeded: v)
        }
    }

    /// A non-negative integer, zero-padded to `width` digits (ids such as `SAL-0000000042`).
    @inline(__always)
    mutating func padded(_ value: Int, width: Int) {
        var v = value
        var i = count + width
        count = i
        while i > count - width {
            i -= 1
            base[i] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        }
        assert(v == 0, "value wider than its field")
    }

    @inline(__always)
    private mutating func two(_ v: Int) {
        base[count] = Digits.pairs[2 * v]
        base[count + 1] = Digits.pairs[2 * v + 1]
        count += 2
    }

    /// Money held in paisa, written as rupees with exactly two decimals (`74999.00`).
    @inline(__always)
    mutating func money(paisa: Int64) {
        assert(paisa >= 0)
        uint(Int(paisa / 100))
        byte(0x2E)
        two(Int(paisa % 100))
    }

    /// `YYYY-MM-DD` of a day number.
    @inline(__always)
    mutating func date(_ day: Int) {
        let c = CivilDate(day)
        two(c.year / 100); two(c.year % 100)
        byte(0x2D); two(c.month)
        byte(0x2D); two(c.day)
    }

    /// `"YYYY-MM-DD"` with the quotes, or `null` for a negative day.
    @inline(__always)
    mutating func quotedDateOrNull(_ day: Int) {
        if day < 0 { raw("null"); return }
        byte(0x22); date(day); byte(0x22)
    }

    /// RFC 3339 UTC with milliseconds: `2025-03-14T09:41:07.123Z`, from the day's
    /// precomputed date bytes (10) and the millisecond of the day.
    @inline(__always)
    mutating func timestamp(dayText: DayText, msOfDay: Int) {
        dayText.write(to: base + count)
        count += 10
        byte(0x54)
        let s = msOfDay / 1000
        two(s / 3600); byte(0x3A)
        two(s / 60 % 60); byte(0x3A)
        two(s % 60); byte(0x2E)
        let ms = msOfDay % 1000
        byte(0x30 &+ UInt8(truncatingIfNeeded: ms / 100))
        two(ms % 100)
        // Pakistan Standard Time: shop clocks, as a point-of-sale system writes them.
        raw("+05:00")
    }

    /// A UUID in the version-4 layout from 128 random bits.
    @inline(__always)
    mutating func uuid(_ hi: UInt64, _ lo: UInt64) {
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // variant 10
        hex(hi >> 32, nibbles: 8); byte(0x2D)
        hex(hi >> 16, nibbles: 4); byte(0x2D)
        hex(hi, nibbles: 4); byte(0x2D)
        hex(lo >> 48, nibbles: 4); byte(0x2D)
        hex(lo, nibbles: 12)
    }

    @inline(__always)
    private mutating func hex(_ v: UInt64, nibbles: Int) {
        var v = v
        var i = count + nibbles
        count = i
        while i > count - nibbles {
            i -= 1
            base[i] = Digits.hex[Int(v & 0xF)]
            v >>= 4
        }
    }
}

/// A day's `YYYY-MM-DD`, computed once per simulated day.
struct DayText {
    private var bytes: (UInt64, UInt16) = (0, 0)

    init(day: Int) {
        var b = [UInt8](repeating: 0, count: 10)
        let c = CivilDate(day)
        let y = c.year
        b[0] = UInt8(0x30 + y / 1000 % 10); b[1] = UInt8(0x30 + y / 100 % 10)
        b[2] = UInt8(0x30 + y / 10 % 10); b[3] = UInt8(0x30 + y % 10)
        b[4] = 0x2D
        b[5] = UInt8(0x30 + c.month / 10); b[6] = UInt8(0x30 + c.month % 10)
        b[7] = 0x2D
        b[8] = UInt8(0x30 + c.day / 10); b[9] = UInt8(0x30 + c.day % 10)
        withUnsafeMutableBytes(of: &bytes) { raw in
            for i in 0..<10 { raw[i] = b[i] }
        }
    }

    @inline(__always)
    func write(to p: UnsafeMutablePointer<UInt8>) {
        withUnsafeBytes(of: bytes) { raw in
            UnsafeMutableRawPointer(p).copyMemory(from: raw.baseAddress!, byteCount: 10)
        }
    }
}

enum Digits {
    /// "00" "01" … "99", two bytes each.
    @inline(__always) static var pairs: UnsafePointer<UInt8> { pairsText.utf8Start }
    @inline(__always) static var hex: UnsafePointer<UInt8> { hexText.utf8Start }

    private static let pairsText: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    private static let hexText: StaticString = "0123456789abcdef"
}

/// UTF-8 validation that reports where the first bad byte is (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF). The validator checks whole events with it; the bronze
/// sink's JSON Lines recogniser checks the strings it walks through, one scalar at a time.
public enum UTF8Check {
    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    public static func firstInvalidOffset(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        guard let base = b.baseAddress else { return nil }
        while i < b.count {
            // ASCII (most of every event) eight bytes at a time: no byte with its high bit set.
            if i + 8 <= b.count, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            if b[i] < 0x80 { i += 1; continue }
            guard let length = scalarLength(b, at: i) else { return i }
            i += length
        }
        return nil
    }

    /// How many bytes (2 to 4) the multi-byte scalar starting at `i` takes, or nil when it is not
    /// valid UTF-8 (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut off).
    public static func scalarLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let length: Int
        // The second byte's range is narrower after some leads: that is what rules out overlongs
        // (E0, F0), surrogates (ED) and scalars past U+10FFFF (F4).
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b[i] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; hi = 0x9F
        case 0xF0: length = 4; lo = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; hi = 0x8F
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        guard (lo...hi).contains(b[i + 1]) else { return nil }
        for k in 2..<length where b[i + k] & 0xC0 != 0x80 { return nil }
        return length
    }
}

/// Writing JSON by hand, where building a document to encode would cost more.
public enum JSONText {
    /// A JSON string literal for `s`, quoted and escaped.
    public static func quoted(_ s: String) -> String {
        // Most strings (names, offsets, checksums) need no escape: one scan of the UTF-8 and one
        // concatenation, instead of a scalar at a time (the bronze sink quotes about 20 strings an
        // object for its upload's resource).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// The high bit of each byte of `w` (eight bytes read little-endian: the first byte lowest)
    /// that is not plain string text: a control byte, DEL, non-ASCII, `"` or `\`; and maybe of
    /// some byte after such a one (a borrow). So the lowest set bit is the first such byte, and 0
    /// means none (SWAR: "a byte below n", "a zero byte"). String scans skip a word of plain text
    /// in one step and look at the rest a byte at a time (the bronze sink's JSON Lines check, the
    /// silver validator's column scan); DEL is plain JSON, but the validator refuses it.
    @inline(__always)
    public static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let below20 = (w &- ones &* 0x20) & ~w & highs
        return (w & highs) | below20 | hasZero(w ^ (ones &* 0x22)) | hasZero(w ^ (ones &* 0x5C)) | hasZero(w ^ (ones &* 0x7F))
    }
}

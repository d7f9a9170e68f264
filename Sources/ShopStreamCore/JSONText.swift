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
}

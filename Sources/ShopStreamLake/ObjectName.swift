/// The object names both lakes accept: 1–1024 bytes of UTF-8, `/`-separated, no empty, `.` or
/// `..` parts, no line breaks or NUL (Cloud Storage's rules, made stricter so a name is also a
/// safe relative path).
enum ObjectName {
    /// Over the UTF-8 bytes: a Character test would pass "\r\n" (one grapheme, neither "\r" nor
    /// "\n"), and checking a name split into Substrings cost ~50,000 instructions (the bronze sink
    /// checks every object's name).
    static func validate(_ name: String, lake: String) throws {
        func invalid(_ why: String) -> LakeError {
            LakeError(.invalidName, "object name \"\(name)\" in \(lake) \(why)")
        }
        guard !name.isEmpty else { throw invalid("is empty") }
        guard name.utf8.count <= 1024 else { throw invalid("is longer than 1024 bytes") }
        guard !name.utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") || $0 == 0 }) else {
            throw invalid("contains a line break or NUL")
        }
        // Each part's length, and how many of its bytes are dots ("." and ".." are all dots).
        var length = 0
        var dots = 0
        func endPart() throws {
            if length == 0 { throw invalid("has an empty part (a leading, trailing or double \"/\")") }
            if dots == length && length <= 2 { throw invalid("has a \".\" or \"..\" part") }
            (length, dots) = (0, 0)
        }
        for byte in name.utf8 {
            if byte == UInt8(ascii: "/") {
                try endPart()
                continue
            }
            if byte == UInt8(ascii: ".") { dots += 1 }
            length += 1
        }
        try endPart()
    }

    /// Prefixes may be empty or end with "/"; otherwise the same rules.
    static func validatePrefix(_ prefix: String, lake: String) throws {
        guard !prefix.isEmpty else { return }
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        try validate(trimmed.isEmpty ? "/" : trimmed, lake: lake)
    }
}

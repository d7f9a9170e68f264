/// The object names both lakes accept: 1–1024 bytes of UTF-8, `/`-separated, no empty, `.` or
/// `..` parts, no line breaks or NUL (Cloud Storage's rules, made stricter so a name is also a
/// safe relative path).
enum ObjectName {
    static func validate(_ name: String, lake: String) throws {
        func invalid(_ why: String) -> LakeError {
            LakeError(.invalidName, "object name \"\(name)\" in \(lake) \(why)")
        }
        guard !name.isEmpty else { throw invalid("is empty") }
        guard name.utf8.count <= 1024 else { throw invalid("is longer than 1024 bytes") }
        guard !name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw invalid("contains a line break or NUL")
        }
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { throw invalid("has an empty part (a leading, trailing or double \"/\")") }
            if part == "." || part == ".." { throw invalid("has a \".\" or \"..\" part") }
        }
    }

    /// Prefixes may be empty or end with "/"; otherwise the same rules.
    static func validatePrefix(_ prefix: String, lake: String) throws {
        guard !prefix.isEmpty else { return }
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        try validate(trimmed.isEmpty ? "/" : trimmed, lake: lake)
    }
}

import Foundation

/// A JSON Schema `pattern` (ECMA-262 syntax), compiled once.
///
/// Patterns made only of literals, classes, groups with `|`, and quantifiers,
/// anchored at both ends (every pattern in topics/), run on `SimplePattern`, a
/// small NFA over Unicode scalars (validating a whole event is about 30 %
/// faster with it than with `NSRegularExpression`, which stays the fallback
/// for anything else; a test checks the two agree).
///
/// ECMA and ICU differ where it matters for ids: ECMA's `$` matches only at the
/// very end, ICU's also before a final line break, so `^CUS-[0-9]{8}$` would
/// accept `"CUS-00000042\n"`. For ICU `$` is rewritten to `\z`, and `\d`/`\w` to
/// their ASCII classes (ICU's match any Unicode digit or letter).
final class Pattern: Sendable {
    let source: String
    private let simple: SimplePattern?
    private let regex: NSRegularExpression

    init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: Pattern.icu(fromECMA: source))
        self.simple = SimplePattern(source)
    }

    /// Whether the pattern matches somewhere in `s` (ECMA `test`).
    func matches(_ s: String) -> Bool {
        if let simple { return simple.matches(s) }
        return matchesWithICU(s)
    }

    func matchesWithICU(_ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(location: 0, length: s.utf16.count)) != nil
    }

    /// Whether the fast matcher handles this pattern (for tests).
    var isSimple: Bool { simple != nil }

    static func icu(fromECMA pattern: String) -> String {
        var out = ""
        var inClass = false
        var it = pattern.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                guard let e = it.next() else { out.append(c); break }
                switch (e, inClass) {
                case ("d", false): out += "[0-9]"
                case ("d", true): out += "0-9"
                case ("D", false): out += "[^0-9]"
                case ("w", false): out += "[A-Za-z0-9_]"
                case ("w", true): out += "A-Za-z0-9_"
                case ("W", false): out += "[^A-Za-z0-9_]"
                default: out.append(c); out.append(e)
                }
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                out.append(c)
            } else if c == "[" {
                inClass = true
                out.append(c)
            } else if c == "$" {
                out += "\\z"
            } else {
                out.append(c)
            }
        }
        return out
    }
}

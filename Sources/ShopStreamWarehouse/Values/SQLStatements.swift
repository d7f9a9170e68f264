/// Splits a text of SQL statements where a `;` ends a line (only blanks or a `--` comment may
/// follow it on that line), outside quotes, backticks and comments. A `;` inside a line stays in
/// its statement, so a BigQuery `BEGIN … END` block written on one line is one statement.
public enum SQLStatements {
    public static func split(_ sql: String) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        func flush() {
            let text = String(current).trimmingWhitespace()
            if !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'", "\"", "`":
                current.append(c)
                i += 1
                while i < chars.count {
                    current.append(chars[i])
                    if chars[i] == "\\" && c != "`" && i + 1 < chars.count {
                        current.append(chars[i + 1])
                        i += 2
                        continue
                    }
                    i += 1
                    if chars[i - 1] == c { break }
                }
            case "-" where i + 1 < chars.count && chars[i + 1] == "-":
                while i < chars.count && chars[i] != "\n" {
                    current.append(chars[i])
                    i += 1
                }
            case "/" where i + 1 < chars.count && chars[i + 1] == "*":
                current.append(c)
                current.append(chars[i + 1])
                i += 2
                while i < chars.count && !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/") {
                    current.append(chars[i])
                    i += 1
                }
                if i < chars.count {
                    current.append("*")
                    current.append("/")
                    i += 2
                }
            case ";" where endsLine(chars, after: i):
                flush()
                i += 1
            default:
                current.append(c)
                i += 1
            }
        }
        flush()
        return statements
    }

    /// Whether only blanks or a `--` comment follow position `i` up to the end of its line.
    private static func endsLine(_ chars: [Unicode.Scalar], after i: Int) -> Bool {
        var j = i + 1
        while j < chars.count {
            switch chars[j] {
            case "\n": return true
            case " ", "\t", "\r": j += 1
            case "-" where j + 1 < chars.count && chars[j + 1] == "-": return true
            default: return false
            }
        }
        return true
    }

    /// Whether `text` holds nothing but comments and blanks.
    public static func isOnlyComments(_ text: String) -> Bool {
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.isEmpty { return true }
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                return false
            }
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// The first line, shortened, to name a statement in a message.
    var statementPreview: String {
        let line = split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? self
        return line.count > 80 ? line.prefix(77) + "…" : line
    }
}

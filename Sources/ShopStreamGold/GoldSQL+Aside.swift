import ShopStreamWarehouse

extension GoldSQL {
    /// A rendered build block split so that its query can run beside the pass (`ComputesAside`):
    /// its DELETEs, run in the pass's transaction as they are, and its one `INSERT INTO
    /// gold.TABLE (columns) query`, whose query reads silver only. Nil for a block of any other
    /// shape, or whose query reads a stage (a temporary table of the pass's own connection) or a
    /// gold table (which the pass itself may be rewriting): those run in the transaction whole.
    public func aside(_ table: GoldTable, rendered block: String) -> (deletes: String, insert: AsideInsert)? {
        let statements = Self.statements(of: block).map(Self.droppingLeadingComments)
        guard let last = statements.last, statements.dropLast().allSatisfy({ Self.startsWith("DELETE", $0) }) else { return nil }
        let opening = "INSERT INTO \(table.qualifiedName) ("
        guard Self.startsWith(opening, last), let close = last.dropFirst(opening.count).firstIndex(of: ")") else { return nil }
        let columns = last[last.index(last.startIndex, offsetBy: opening.count)..<close]
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let query = last[last.index(after: close)...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.startsWith("SELECT", query) || Self.startsWith("WITH", query),
            !columns.contains(where: \.isEmpty),
            !query.lowercased().contains(GoldTable.dataset + "."),
            !stages.contains(where: { GoldStage.isRead($0.name, by: query) })
        else { return nil }
        let deletes = statements.dropLast().map { $0 + ";" }.joined(separator: "\n")
        return (deletes, AsideInsert(table: TableName(GoldTable.dataset, table.rawValue), columns: columns, query: query))
    }

    /// The statements of `sql`, split at the semicolons outside quotes and comments, each without
    /// its semicolon; empty ones (only comments and space) left out.
    static func statements(of sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var statements: [String] = []
        var start = 0
        var i = 0
        func keep(_ end: Int) {
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            if !droppingLeadingComments(text).isEmpty { statements.append(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        while i < bytes.count {
            let c = bytes[i]
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            switch c {
            case UInt8(ascii: ";"):
                keep(i)
                start = i + 1
                i += 1
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                // To the closing quote (a doubled quote inside closes and opens again: the same).
                i += 1
                while i < bytes.count, bytes[i] != c { i += 1 }
                i += 1
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                i += 3  // past "/*" and the byte after it: "/*/" does not close
                while i < bytes.count, !(bytes[i - 1] == UInt8(ascii: "*") && bytes[i] == UInt8(ascii: "/")) { i += 1 }
                i += 1
            default:
                i += 1
            }
        }
        if start < bytes.count { keep(bytes.count) }
        return statements
    }

    /// `statement` without the comment lines and space before its first word.
    static func droppingLeadingComments(_ statement: String) -> String {
        var rest = Substring(statement)
        while true {
            rest = rest.drop { $0.isWhitespace }
            guard rest.hasPrefix("--") else { break }
            rest = rest.drop { $0 != "\n" }
        }
        return String(rest).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `text` begins with `prefix`, ignoring case.
    static func startsWith(_ prefix: String, _ text: String) -> Bool {
        text.prefix(prefix.count).uppercased() == prefix.uppercased()
    }
}

import ShopStreamWarehouse

extension GoldSQL {
    /// A rendered build block split so that its query can run beside the pass (`ComputesAside`):
    /// its DELETEs, run in the pass's transaction as they are, and its one `INSERT INTO
    /// gold.TABLE (columns) query`, whose query reads silver only. Nil for a block of any other
    /// shape, or whose query reads a stage (a temporary table of the pass's own connection) or a
    /// gold table (which the pass itself may be rewriting): those run in the transaction whole.
    public func aside(_ table: GoldTable, rendered block: String) -> (deletes: String, insert: AsideInsert)? {
        let statements = SQLStatements.split(block).map(Self.droppingLeadingComments)
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

    /// `statement` without the comment lines and space before its first word.
    private static func droppingLeadingComments(_ statement: String) -> String {
        var rest = Substring(statement)
        while true {
            rest = rest.drop { $0.isWhitespace }
            guard rest.hasPrefix("--") else { break }
            rest = rest.drop { $0 != "\n" }
        }
        return String(rest).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `text` begins with `prefix`, ignoring case.
    private static func startsWith(_ prefix: String, _ text: String) -> Bool {
        text.prefix(prefix.count).uppercased() == prefix.uppercased()
    }
}

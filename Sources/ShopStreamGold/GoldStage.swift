/// A `-- @stage NAME` block of a SQLite build file: a query the compactor makes into the
/// temporary table NAME before a pass's builds, and drops after them, so that the blocks that
/// read NAME share one scan and one de-duplication of silver instead of each doing its own.
///
/// Its placeholders (`{dates: EXPR}`, `{month_dates: EXPR}`) stand for every date that any
/// block reading it rebuilds in that pass (the superset; each block still filters its own
/// dates), or TRUE when one of them is rebuilt whole. `{months: …}` has no meaning here.
public struct GoldStage: Sendable, Equatable {
    /// The temporary table's name, as the blocks write it (unqualified).
    public let name: String
    /// The query, with placeholders.
    public let query: String
    /// The tables whose `@build` block reads it: a pass stages it only when it rebuilds one.
    public let readers: Set<GoldTable>

    public init(name: String, query: String, readers: Set<GoldTable>) {
        self.name = name
        self.query = query
        self.readers = readers
    }

    /// Whether `sql` names the table `name` on its own: not as a part of a longer name, nor
    /// qualified by a dataset (`gold.name` is another table).
    static func isRead(_ name: String, by sql: String) -> Bool {
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        var rest = sql[...]
        while let found = rest.range(of: name) {
            let before = found.lowerBound == sql.startIndex ? nil : sql[sql.index(before: found.lowerBound)]
            let after = found.upperBound == sql.endIndex ? nil : sql[found.upperBound]
            if before.map({ !isWordCharacter($0) && $0 != "." }) ?? true, after.map({ !isWordCharacter($0) }) ?? true {
                return true
            }
            rest = sql[found.upperBound...]
        }
        return false
    }

    /// A name SQLite takes unquoted: a letter or underscore, then letters, digits, underscores.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

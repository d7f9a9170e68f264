/// The names ShopStream lets through to both engines: letters, digits and `_`, not starting with a
/// digit. BigQuery allows more in table names, but these are also safe as SQLite schema names,
/// file names and unquoted SQL.
enum Identifier {
    static func problem(_ name: String, what: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "\(what) name is empty" }
        guard name.unicodeScalars.count <= 1024 else { return "\(what) name \"\(name.prefix(40))…\" is longer than 1024 characters" }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
        guard allowed, !("0"..."9").contains(first) else {
            return "\(what) name \"\(name)\" may contain only letters, digits and _, and may not start with a digit"
        }
        return nil
    }

    static func validate(_ table: TableName) throws {
        if let problem = problem(table.dataset, what: "dataset") ?? problem(table.table, what: "table") {
            throw WarehouseError(.invalidName, "\(table): \(problem)")
        }
    }

    static func validateDataset(_ name: String) throws {
        if let problem = problem(name, what: "dataset") { throw WarehouseError(.invalidName, problem) }
    }

    /// `"name"` with embedded quotes doubled: safe in SQLite and (as a column alias) harmless.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

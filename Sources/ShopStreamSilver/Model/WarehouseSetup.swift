import Foundation
import ShopStreamCore
import ShopStreamWarehouse

/// Applies sql/ to a warehouse, idempotently, and reports tables whose columns
/// drifted from the silver model.
public struct WarehouseSetup {
    public let warehouse: any Warehouse
    public let sqlDirectory: URL
    public let schema: SilverSchema

    public init(warehouse: any Warehouse, sqlDirectory: URL, schema: SilverSchema) {
        self.warehouse = warehouse
        self.sqlDirectory = sqlDirectory
        self.schema = schema
    }

    /// `./sql` if present, else the source checkout's.
    public static func defaultDirectory() -> URL {
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql")
        if FileManager.default.fileExists(atPath: local.appendingPathComponent("silver").path) { return local }
        return TopicCatalog.sourceDirectory.deletingLastPathComponent().appendingPathComponent("sql")
    }

    /// The files applied, in order, for this warehouse's dialect.
    public var files: [URL] {
        let silver = sqlDirectory.appendingPathComponent("silver")
        return [
            silver.appendingPathComponent("\(warehouse.dialect).sql"),
            silver.appendingPathComponent("views.\(warehouse.dialect).sql"),
        ]
    }

    /// Creates what is missing; returns one line per drifted table (empty: all match).
    public func apply() throws -> [String] {
        try warehouse.createDataset(SilverSchema.dataset)
        for file in files {
            guard let sql = try? String(contentsOf: file, encoding: .utf8) else {
                throw SilverError(.missingSQL, "cannot read \(file.path); pass --sql DIR pointing at the repository's sql/ folder")
            }
            try warehouse.execute(sql)
        }
        return try drift()
    }

    /// Tables whose columns differ from the model (names, types, order-insensitive).
    public func drift() throws -> [String] {
        var out: [String] = []
        for table in schema.allTables {
            guard let actual = try warehouse.columns(of: table.name) else {
                out.append("\(table.name): missing")
                continue
            }
            let want = Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.type) })
            let have = Dictionary(uniqueKeysWithValues: actual.map { ($0.name, $0.type) })
            var diffs: [String] = []
            for (name, type) in want.sorted(by: { $0.key < $1.key }) {
                if let t = have[name] {
                    if t != type { diffs.append("\(name) is \(t.rawValue), sql/ says \(type.rawValue)") }
                } else {
                    diffs.append("\(name) is missing")
                }
            }
            for name in have.keys.sorted() where want[name] == nil { diffs.append("\(name) is not in sql/") }
            if !diffs.isEmpty { out.append("\(table.name): " + diffs.joined(separator: "; ")) }
        }
        return out
    }
}

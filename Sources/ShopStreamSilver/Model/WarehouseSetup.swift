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

    /// Creates what is missing; returns one line per drifted table (empty: all match). Refuses,
    /// before changing anything, a silver created by an older ShopStream (`refuseLegacyTables`).
    public func apply() throws -> [String] {
        try warehouse.createDataset(SilverSchema.dataset)
        try Self.refuseLegacyTables(in: warehouse)
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

    /// Throws, naming what to do, when a silver table has the Kafka-only source columns of an older
    /// ShopStream (`_topic`, `_kafka_partition`, `_offset`, before `_source_*`): its views and the
    /// sink would otherwise fail on a missing column deep inside a statement. It is not migrated in
    /// place (a NOT NULL partition cannot take Pub/Sub's rows, and SQLite cannot drop a NOT NULL):
    /// silver is a copy of the bus (and of the lake), so it is rebuilt.
    public static func refuseLegacyTables(in warehouse: any Warehouse) throws {
        for table in Entity.allCases.map({ TableName(SilverSchema.dataset, $0.rawValue) }) + [SilverSchema.rejects.name] {
            guard let columns = try warehouse.columns(of: table) else { continue }
            try refuseLegacy(table, columns: columns, in: warehouse)
        }
    }

    /// `refuseLegacyTables` for one table whose columns the caller already read.
    public static func refuseLegacy(_ table: TableName, columns: [Column], in warehouse: any Warehouse) throws {
        let names = Set(columns.map(\.name))
        let legacy =
            table == SilverSchema.rejects.name
            ? (names.contains("source_message_id") ? [] : ["source_partition", "source_offset"].filter(names.contains))
            : SilverSchema.legacyMetadataColumns.filter(names.contains)
        guard !legacy.isEmpty else { return }
        let drop =
            warehouse.dialect == .sqlite
            ? "move the silver database file aside (the `.silver.db` file beside the warehouse's file)"
            : "drop the dataset (`bq rm -r -d silver`, after exporting what you want to keep)"
        throw SilverError(
            .schemaMismatch,
            "\(table) in \(warehouse.url) was created by an older ShopStream: it has \(legacy.joined(separator: ", ")), where silver now names each row's source on either bus (_source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt; sql/silver/). It is not migrated in place. Rebuild silver: \(drop), run `shopstream warehouse init --warehouse \(warehouse.url)`, load it again (`shopstream sink silver` with a new --group reads the topics from their start; or `shopstream backfill`), then `shopstream compact --full-refresh`"
        )
    }
}

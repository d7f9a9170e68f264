import ShopStreamCore
import ShopStreamWarehouse

/// The silver data model: one table per entity, derived from the topic's
/// `value_schema`, plus `silver.rejects`. `sql/silver/*.sql` spells the same
/// tables for BigQuery and SQLite; a test keeps the two in step.
///
/// Column types from the schema: string → STRING, `format: date` → DATE,
/// `format: date-time` → TIMESTAMP (UTC), integer → INT64, number with
/// `multipleOf` 0.01 (any 10^-k, k ≤ 9) → NUMERIC, other numbers → FLOAT64,
/// boolean → BOOL. A column is nullable when its type allows null or the field
/// is not required. Objects, arrays and mixed types have no column and are
/// refused at load.
public struct SilverSchema: Sendable {
    public static let dataset = "silver"

    // Metadata columns, on every entity table: where the row came from, on either bus
    // (`SourceCoordinates`). `_source_partition`, not `_partition`: BigQuery reserves the
    // `_PARTITION` prefix for column names.
    public static let topicColumn = "_source_topic"
    public static let partitionColumn = "_source_partition"
    public static let offsetColumn = "_source_offset"
    public static let messageIdColumn = "_source_message_id"
    public static let publishTimeColumn = "_source_publish_time"
    public static let deliveryAttemptColumn = "_source_delivery_attempt"
    public static let insertIdColumn = "_insert_id"
    public static let ingestedAtColumn = "_ingested_at"

    /// Where each row came from (topic; Kafka's partition and offset, NULL on Pub/Sub; the message
    /// id; publish time; Pub/Sub's delivery attempt, NULL on Kafka), its insert id and when the
    /// sink read it.
    public static let metadataColumns: [Column] = [
        Column(topicColumn, .string),
        Column(partitionColumn, .int64, nullable: true),
        Column(offsetColumn, .int64, nullable: true),
        Column(messageIdColumn, .string),
        Column(publishTimeColumn, .timestamp, nullable: true),
        Column(deliveryAttemptColumn, .int64, nullable: true),
        Column(insertIdColumn, .string),
        Column(ingestedAtColumn, .timestamp),
    ]

    /// The columns of silver before they were bus-neutral (`_topic`, `_kafka_partition`, `_offset`):
    /// a table that has them was created by an older ShopStream (`WarehouseSetup.legacyTables`).
    public static let legacyMetadataColumns = ["_topic", "_kafka_partition", "_offset"]

    /// Records refused by the silver sink, one row per rejected message, with its source as the
    /// entity tables have it.
    public static let rejects = SilverTable(
        name: TableName(dataset, "rejects"),
        columns: [
            Column("source_topic", .string),
            Column("source_partition", .int64, nullable: true),
            Column("source_offset", .int64, nullable: true),
            Column("source_message_id", .string),
            Column("source_publish_time", .timestamp, nullable: true),
            Column("source_delivery_attempt", .int64, nullable: true),
            Column("reason", .string),
            Column("field", .string, nullable: true),
            // The original value: text when it is UTF-8, else base64 (see payload_encoding).
            Column("payload", .string),
            Column("payload_encoding", .string),
            Column("rejected_at", .timestamp),
            Column(insertIdColumn, .string),
        ],
        partitionBy: "rejected_at",
        clusterBy: ["source_topic", "field"]
    )

    /// Partitioning and clustering per entity; see sql/README.md for the why.
    ///
    /// - Facts partition by their business date: `sales.sale_date`,
    ///   `shipping.shipped_date`, and payments by `DATE(event_time)` (`paid_at` is
    ///   NULL for pending and failed attempts, which would all pile into one
    ///   NULL partition).
    /// - `inventory` grows by a snapshot per changed store-product each day:
    ///   partitioned by `DATE(event_time)`. The other dimensions are small and
    ///   read whole by their current views: not partitioned, clustered by id.
    /// - Clustering follows the dashboards' filters and the seed join's keys.
    public static func layout(for entity: Entity) -> (partitionBy: String?, clusterBy: [String]) {
        switch entity {
        case .customers: return (nil, ["customer_id"])
        case .products: return (nil, ["product_id"])
        case .stores: return (nil, ["store_id"])
        case .inventory: return ("event_time", ["store_id", "product_id"])
        case .sales: return ("sale_date", ["store_id", "product_id", "customer_id"])
        case .payments: return ("event_time", ["payment_method", "status", "sale_id"])
        case .shipping: return ("shipped_date", ["carrier", "delivery_status", "sale_id"])
        }
    }

    /// The view downstream reads instead of the table: `<entity>_current` for a
    /// dimension (latest version per id), `<entity>_dedup` for a fact (one row per
    /// event_id). sql/silver/views.*.sql defines them.
    public static func view(for entity: Entity) -> TableName {
        TableName(dataset, entity.rawValue + (entity.isDimension ? "_current" : "_dedup"))
    }

    /// The table of each entity.
    public let tables: [Entity: SilverTable]
    let topics: [Entity: CompiledTopic]

    /// Derives the tables from the catalog's topic definitions; throws if a
    /// schema uses anything the validator does not implement.
    public init(catalog: TopicCatalog) throws(SilverError) {
        var defs: [TopicDefinition] = []
        for e in Entity.allCases { defs.append(catalog[e]) }
        try self.init(definitions: defs)
    }

    /// Derives the tables from the seven entity topic definitions.
    public init(definitions: [TopicDefinition]) throws(SilverError) {
        var topics: [Entity: CompiledTopic] = [:]
        var tables: [Entity: SilverTable] = [:]
        for entity in Entity.allCases {
            guard let def = definitions.first(where: { $0.name == entity.topic }) else {
                throw SilverError(.schemaMismatch, "no topic definition for \(entity.topic); expected one per entity in topics/")
            }
            let compiled = try CompiledTopic(entity: entity, definition: def)
            topics[entity] = compiled
            tables[entity] = try SilverSchema.table(entity, compiled)
        }
        // Ids and references are read without optionals (`ValidatedEvent.id`,
        // `referencedId`): they must be required STRING fields.
        let idFields =
            Entity.allCases.map { ($0, EntityReference.idField(of: $0), "its id") }
            + EntityReference.all.map { ($0.entity, $0.field, "the reference \($0)") }
        for (entity, field, role) in idFields {
            guard let c = tables[entity]!.column(field), c.type == .string, !c.nullable else {
                throw SilverError(.schemaMismatch, "\(entity.topic): \(field) (\(role)) must be a required string field of value_schema")
            }
        }
        self.topics = topics
        self.tables = tables
    }

    public func table(for entity: Entity) -> SilverTable { tables[entity]! }

    /// The seven entity tables (in `Entity.allCases` order), then `silver.rejects`.
    public var allTables: [SilverTable] { Entity.allCases.map { tables[$0]! } + [SilverSchema.rejects] }

    private static func table(_ entity: Entity, _ topic: CompiledTopic) throws(SilverError) -> SilverTable {
        let columns = topic.columns.map { Column($0.name, $0.type, nullable: $0.nullable) } + metadataColumns
        let (partitionBy, clusterBy) = layout(for: entity)
        if let partitionBy {
            guard let c = columns.first(where: { $0.name == partitionBy }), c.type == .date || c.type == .timestamp else {
                throw SilverError(
                    .schemaMismatch,
                    "silver.\(entity.rawValue) is partitioned by \(partitionBy), which topics/\(entity.rawValue).json no longer defines as a date or date-time; update SilverSchema.layout and sql/silver/"
                )
            }
        }
        for c in clusterBy where !columns.contains(where: { $0.name == c }) {
            throw SilverError(
                .schemaMismatch,
                "silver.\(entity.rawValue) is clustered by \(c), which topics/\(entity.rawValue).json no longer defines; update SilverSchema.layout and sql/silver/"
            )
        }
        return SilverTable(name: TableName(dataset, entity.rawValue), columns: columns, partitionBy: partitionBy, clusterBy: clusterBy)
    }
}

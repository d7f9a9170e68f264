import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse

extension CheckSuite {
    /// ShopStream's checks of silver (and of gold's freshness), derived from the topic
    /// definitions and the silver model, in this order:
    ///
    /// - `unique`: each view's key: `customer_id`, `product_id`, `store_id` and
    ///   (`store_id`, `product_id`) in the `_current` views; `sale_id`, `payment_id` and
    ///   `shipment_id` in the `_dedup` views. (`event_id` in a `_dedup` view is unique by
    ///   construction, so it is not checked.) Then, per raw silver table, its source coordinates
    ///   (`_source_topic`, `_source_message_id`): no event was landed twice. The views hide such
    ///   a copy at query cost; the raw tables show whether loading was exactly once.
    /// - `not_null`: each view's key and reference columns (and `event_id` in a `_dedup` view).
    ///   The DDL already says NOT NULL; this catches tables created by other means.
    /// - `relationships`: every reference of the star schema (`EntityReference.all`), from the
    ///   referring view to the `_current` or `_dedup` view of the entity it names.
    /// - `accepted_values`: every column whose property in `topics/<entity>.json` has an `enum`.
    /// - `freshness`: each fact table has a row ingested within `maxAge`; gold's last compaction
    ///   (`goldState`) is at most `maxLag` behind `silver.sales` (a warning while there is no
    ///   `goldState` table).
    /// - `reconcile` (with `lakeEvents`): per topic, lake = silver + rejects (and Kafka = lake,
    ///   with `kafkaRecords`).
    public static func standard(catalog: TopicCatalog, configuration: StandardSuiteConfiguration = StandardSuiteConfiguration()) throws
        -> CheckSuite
    {
        let schema: SilverSchema
        do {
            schema = try SilverSchema(catalog: catalog)
        } catch {
            throw QualityError(.catalog, "the silver model cannot be derived from \(catalog.directory.path): \(error)")
        }
        var suite = CheckSuite()
        let view = SilverSchema.view(for:)

        for entity in Entity.allCases {
            suite.append(.unique(table: view(entity), columns: uniqueKey(of: entity)))
        }
        for entity in Entity.allCases {
            suite.append(.unique(table: schema.table(for: entity).name, columns: sourceCoordinates))
        }
        for entity in Entity.allCases {
            let id = EntityReference.idField(of: entity)
            let references = EntityReference.references(from: entity).map(\.field)
            suite.append(
                .notNull(
                    table: view(entity), columns: (entity.isDimension ? [] : ["event_id"]) + [id] + references,
                    identifiedBy: entity.isDimension ? ["event_id"] : []))
        }
        for reference in EntityReference.all {
            suite.append(
                .relationship(
                    from: view(reference.entity), column: reference.field, identifiedBy: [EntityReference.idField(of: reference.entity)],
                    to: view(reference.target), column: reference.targetField))
        }
        for entity in Entity.allCases {
            suite.append(contentsOf: try acceptedValues(of: entity, catalog: catalog, schema: schema))
        }
        for entity in Entity.allCases where !entity.isDimension {
            suite.append(
                .freshness(table: schema.table(for: entity).name, column: SilverSchema.ingestedAtColumn, maxAge: configuration.maxAge))
        }
        suite.append(
            .compactionLag(
                silver: schema.table(for: .sales).name, column: SilverSchema.ingestedAtColumn, state: configuration.goldState,
                maxLag: configuration.maxLag))
        suite.append(contentsOf: gold())
        if let lake = configuration.lakeEvents {
            for entity in Entity.allCases {
                suite.append(
                    .reconcile(
                        topic: entity.topic, table: schema.table(for: entity).name, rejects: SilverSchema.rejects.name,
                        lakeEvents: lake[entity.topic] ?? 0, kafkaRecords: configuration.kafkaRecords.map { $0[entity.topic] ?? 0 }))
            }
        }
        return suite
    }

    /// Where a raw row was read from, the same on either bus: `_source_message_id` is Kafka's
    /// `<partition>:<offset>` or Pub/Sub's message id, unique within its topic.
    static let sourceCoordinates = [SilverSchema.topicColumn, SilverSchema.messageIdColumn]

    /// The key each view has one row per: a dimension's id (inventory's is the store and
    /// product pair its inventory_id spells), a fact's own id.
    static func uniqueKey(of entity: Entity) -> [String] {
        entity == .inventory ? ["store_id", "product_id"] : [EntityReference.idField(of: entity)]
    }

    /// One check per column whose JSON Schema property has an `enum`, against the entity's view.
    static func acceptedValues(of entity: Entity, catalog: TopicCatalog, schema: SilverSchema) throws -> [Check] {
        let definition = catalog[entity]
        guard let properties = definition.valueSchema["properties"]?.objectValue else { return [] }
        var checks: [Check] = []
        for column in schema.table(for: entity).columns {
            guard let allowed = properties[column.name]?["enum"]?.arrayValue else { continue }
            var values: [String] = []
            var allowsNull = column.nullable
            for value in allowed {
                switch value {
                case .string(let text): values.append(text)
                case .null: allowsNull = true
                default:
                    throw QualityError(
                        .catalog,
                        "\(definition.name): the enum of \(column.name) holds \(value), but accepted_values compares text only; make the enum strings or leave the check out"
                    )
                }
            }
            checks.append(
                .acceptedValues(table: SilverSchema.view(for: entity), column: column.name, values: values, allowNull: allowsNull))
        }
        return checks
    }
}

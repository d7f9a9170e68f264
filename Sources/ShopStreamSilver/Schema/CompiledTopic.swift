import ShopStreamCore
import ShopStreamWarehouse

/// A topic's compiled schema and how each top-level field becomes a column. A class, shared: the
/// validator looks its topic up more than once an event, and each copy of a struct out of the
/// schema's dictionary retained and released every field it holds.
final class CompiledTopic: Sendable {
    struct ColumnPlan: Sendable {
        var name: String
        var type: ColumnType
        var nullable: Bool
        /// NUMERIC: the decimals kept (2 for money).
        var scale: Int
        var schema: SchemaNode
    }

    let entity: Entity
    let root: SchemaNode
    let columns: [ColumnPlan]
    /// The value field whose text is the record key (the topic's `key.field`).
    let keyField: String
    /// Where `keyField` sits in `layout` (and `columns`).
    let keyPosition: Int
    /// The names of a silver row of this topic: the data columns in `columns`' order, then the
    /// metadata columns (`SilverSchema.metadataColumns`); events and rows hold values in this order.
    var layout: RowLayout { positions.layout }
    /// The one-pass path into `columns`' slots (nil: every message takes the tree path).
    let scanner: ColumnScanner?
    /// `layout`, and where the fields the sink reads of every event sit in it.
    let positions: EventFieldPositions
    /// Where the fields the sanity rules read sit in `layout`.
    let sanityPositions: SanityRules.FieldPositions

    init(entity: Entity, definition: TopicDefinition) throws(SilverError) {
        let root = try SchemaNode(definition.valueSchema, location: "\(definition.name) value_schema", isRoot: true)
        guard root.types == [.object], case .some(.none) = root.additionalProperties else {
            throw SilverError(
                .schemaMismatch,
                "\(definition.name): value_schema must be an object with additionalProperties false, so no field can arrive without a column"
            )
        }
        var plans: [ColumnPlan] = []
        for (name, node) in root.properties {
            let nonNull = (node.types ?? []).filter { $0 != .null }
            guard nonNull.count == 1 else {
                throw SilverError(
                    .schemaMismatch,
                    "\(definition.name): field \(name) needs exactly one type besides null to have a column (found \(node.types?.map(\.rawValue) ?? []))"
                )
            }
            let nullable = node.types!.contains(.null) || !root.required.contains(name)
            var scale = 0
            let type: ColumnType
            switch nonNull[0] {
            case .string:
                switch node.format {
                case .date?: type = .date
                case .dateTime?: type = .timestamp
                case .email?, nil: type = .string
                }
            case .integer: type = .int64
            case .boolean: type = .bool
            case .number:
                if let s = node.multipleOf?.powerOfTenScale, (0...9).contains(s) {
                    type = .numeric
                    scale = s
                } else {
                    type = .float64
                }
            case .object, .array, .null:
                throw SilverError(
                    .schemaMismatch, "\(definition.name): field \(name) is of type \(nonNull[0].rawValue), which has no silver column type")
            }
            plans.append(ColumnPlan(name: name, type: type, nullable: nullable, scale: scale, schema: node))
        }
        guard let keyPosition = plans.firstIndex(where: { $0.name == definition.key.field && $0.type == .string && !$0.nullable }) else {
            throw SilverError(
                .schemaMismatch, "\(definition.name): the key field \(definition.key.field) must be a required string field of value_schema"
            )
        }
        self.entity = entity
        self.root = root
        self.columns = plans
        self.keyField = definition.key.field
        self.keyPosition = keyPosition
        let layout = RowLayout(plans.map(\.name) + SilverSchema.metadataColumns.map(\.name), canonical: true)
        self.scanner = ColumnScanner(root: root, columns: plans)
        self.positions = EventFieldPositions(entity: entity, layout: layout)
        self.sanityPositions = SanityRules.FieldPositions(layout)
    }
}

import ShopStreamCore

/// A field of one entity that holds the id of another, e.g. `sales.customer_id →
/// customers`. The silver sink keeps the known ids and the grace period; this
/// only says which fields to check and reads them from an event.
public struct EntityReference: Sendable, Hashable, CustomStringConvertible {
    /// The referring entity.
    public let entity: Entity
    /// Its field holding the id.
    public let field: String
    /// The entity referred to.
    public let target: Entity

    public init(_ entity: Entity, _ field: String, _ target: Entity) {
        self.entity = entity
        self.field = field
        self.target = target
    }

    /// The id field of `target` the value must match (e.g. `customer_id`).
    public var targetField: String { EntityReference.idField(of: target) }

    public var description: String { "\(entity.rawValue).\(field) → \(target.rawValue)" }

    /// Every reference of the star schema.
    public static let all: [EntityReference] = [
        EntityReference(.inventory, "store_id", .stores),
        EntityReference(.inventory, "product_id", .products),
        EntityReference(.sales, "customer_id", .customers),
        EntityReference(.sales, "product_id", .products),
        EntityReference(.sales, "store_id", .stores),
        EntityReference(.payments, "sale_id", .sales),
        EntityReference(.shipping, "sale_id", .sales),
    ]

    /// The references an event of `entity` must satisfy (empty for customers, products, stores).
    public static func references(from entity: Entity) -> [EntityReference] {
        byEntity[entity.index]
    }

    /// Found once: the sink asks for every event.
    private static let byEntity: [[EntityReference]] = Entity.allCases.map { e in all.filter { $0.entity == e } }

    /// Entities whose ids some other entity refers to (customers, products, stores, sales).
    public static let referencedEntities: [Entity] = Entity.allCases.filter { e in all.contains { $0.target == e } }

    /// The query for which of `ids` silver's table of `entity` holds (the silver sink's look-up of
    /// references it does not hold). On SQLite each table's `…_by_id` index answers it.
    public static func lookUpSQL(_ entity: Entity, ids: some Sequence<String>) -> String {
        let idField = idField(of: entity)
        let list = ids.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
        return "SELECT DISTINCT \(idField) FROM \(SilverSchema.dataset).\(entity.rawValue) WHERE \(idField) IN (\(list))"
    }

    /// The field identifying one thing of `entity` (a dimension's key; a fact's own id).
    public static func idField(of entity: Entity) -> String {
        switch entity {
        case .customers: return "customer_id"
        case .products: return "product_id"
        case .stores: return "store_id"
        case .inventory: return "inventory_id"
        case .sales: return "sale_id"
        case .payments: return "payment_id"
        case .shipping: return "shipment_id"
        }
    }
}

extension ValidatedEvent {
    /// This event's own id (`customer_id` of a customer, `sale_id` of a sale, …):
    /// what the sink adds to its known ids once the row is in silver.
    public var id: String { text(at: positions.id)! }

    /// The id this event gives for `reference` (which must start at this event's entity).
    public func referencedId(_ reference: EntityReference) -> String {
        precondition(reference.entity == entity, "\(reference) does not apply to a \(entity.rawValue) event")
        return text(reference.field)!
    }

    /// Each reference of this event with the id it names, in `EntityReference.all` order.
    public var references: [(reference: EntityReference, id: String)] {
        positions.references.map { ($0.reference, text(at: $0.position)!) }
    }

    /// Calls `body` with each reference of this event and the id it names, in `references`' order,
    /// without building an array (the silver sink asks this of every fact it reads).
    public func forEachReference(_ body: (EntityReference, String) throws -> Void) rethrows {
        for (reference, position) in positions.references { try body(reference, text(at: position)!) }
    }
}

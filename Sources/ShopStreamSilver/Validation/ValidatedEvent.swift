import ShopStreamCore
import ShopStreamWarehouse

/// An event that passed the topic's schema and the sanity rules, with every
/// field already cast to its silver column type.
public struct ValidatedEvent: Sendable, Hashable {
    public let entity: Entity
    /// The names of `silver.<entity>`'s row: the data columns, then the metadata columns.
    public let layout: RowLayout
    /// One value per data column, in `layout`'s order (the metadata columns follow in the row):
    /// NULL for an optional field that is absent or null.
    public let ordered: [WarehouseValue]

    init(entity: Entity, layout: RowLayout, ordered: [WarehouseValue]) {
        self.entity = entity
        self.layout = layout
        self.ordered = ordered
    }

    /// One value per data column of `silver.<entity>` (metadata columns excluded), by name.
    public var values: [String: WarehouseValue] {
        Dictionary(uniqueKeysWithValues: zip(layout.names, ordered))
    }

    public subscript(field: String) -> WarehouseValue? {
        guard let k = layout.position(field), k < ordered.count else { return nil }
        return ordered[k]
    }

    /// The text of a STRING, DATE, TIMESTAMP or NUMERIC field; nil for NULL or other types.
    public func text(_ field: String) -> String? {
        switch self[field] {
        case .string(let s)?, .date(let s)?, .timestamp(let s)?, .numeric(let s)?: return s
        default: return nil
        }
    }

    public static func == (a: ValidatedEvent, b: ValidatedEvent) -> Bool {
        a.entity == b.entity && a.values == b.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entity)
        hasher.combine(values)
    }
}

import ShopStreamCore
import ShopStreamWarehouse

/// An event that passed the topic's schema and the sanity rules, with every
/// field already cast to its silver column type.
public struct ValidatedEvent: Sendable, Hashable {
    public let entity: Entity
    /// One value per data column of `silver.<entity>` (metadata columns excluded):
    /// NULL for an optional field that is absent or null.
    public let values: [String: WarehouseValue]

    public init(entity: Entity, values: [String: WarehouseValue]) {
        self.entity = entity
        self.values = values
    }

    public subscript(field: String) -> WarehouseValue? { values[field] }

    /// The text of a STRING, DATE, TIMESTAMP or NUMERIC field; nil for NULL or other types.
    public func text(_ field: String) -> String? {
        switch values[field] {
        case .string(let s)?, .date(let s)?, .timestamp(let s)?, .numeric(let s)?: return s
        default: return nil
        }
    }
}

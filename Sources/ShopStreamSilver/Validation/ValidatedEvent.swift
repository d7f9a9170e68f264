import ShopStreamCore
import ShopStreamWarehouse

/// An event that passed the topic's schema and the sanity rules, with every
/// field already cast to its silver column type.
public struct ValidatedEvent: Sendable, Hashable {
    public let entity: Entity
    /// The names of `silver.<entity>`'s row: the data columns, then the metadata columns.
    public var layout: RowLayout { positions.layout }
    /// One value per data column, in `layout`'s order (the metadata columns follow in the row):
    /// NULL for an optional field that is absent or null.
    public let ordered: [WarehouseValue]
    /// The topic's layout, and where `event_id`, `event_time`, the event's own id and its
    /// references sit in `ordered`.
    let positions: EventFieldPositions

    init(entity: Entity, ordered: [WarehouseValue], positions: EventFieldPositions) {
        self.entity = entity
        self.ordered = ordered
        self.positions = positions
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
        guard let k = layout.position(field) else { return nil }
        return text(at: k)
    }

    /// The text of the value at `position` of `ordered` (as `text(_:)`).
    func text(at position: Int) -> String? {
        guard position >= 0, position < ordered.count else { return nil }
        switch ordered[position] {
        case .string(let s), .date(let s), .timestamp(let s), .numeric(let s): return s
        default: return nil
        }
    }

    /// `text("event_id")`, without looking the name up.
    public var eventId: String? { text(at: positions.eventId) }

    /// `text("event_time")`, without looking the name up.
    public var eventTime: String? { text(at: positions.eventTime) }

    public static func == (a: ValidatedEvent, b: ValidatedEvent) -> Bool {
        a.entity == b.entity && a.values == b.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entity)
        hasher.combine(values)
    }
}

/// Where the fields the silver sink reads of every event (`event_id`, `event_time`, the event's own
/// id, the ids it references) sit in a topic's row layout: found by name once per topic instead of
/// hashing each name for each event. -1: the layout has no such field.
final class EventFieldPositions: Sendable {
    /// The layout the positions are in.
    let layout: RowLayout
    let eventId: Int
    let eventTime: Int
    /// `EntityReference.idField(of: entity)`.
    let id: Int
    /// `EntityReference.references(from: entity)`, in that order, each with its field's position.
    let references: [(reference: EntityReference, position: Int)]

    init(entity: Entity, layout: RowLayout) {
        self.layout = layout
        eventId = layout.position("event_id") ?? -1
        eventTime = layout.position("event_time") ?? -1
        id = layout.position(EntityReference.idField(of: entity)) ?? -1
        references = EntityReference.references(from: entity).map { ($0, layout.position($0.field) ?? -1) }
    }
}

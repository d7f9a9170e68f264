/// The seven business entities of the retailer, each with its own Kafka topic.
///
/// Dimensions (customers, products, stores, inventory) are keyed by their id and
/// published to compacted topics; facts (sales, payments, shipping) are keyed by
/// `sale_id`, so the facts of one sale land in the same partition number.
public enum Entity: String, CaseIterable, Sendable, Codable, Hashable {
    case customers, products, stores, inventory, sales, payments, shipping

    /// The Kafka topic this entity is published to, e.g. `shop.sales`.
    public var topic: String { "shop.\(rawValue)" }

    /// Dimensions describe the business; facts record what happened in it.
    public var isDimension: Bool {
        switch self {
        case .customers, .products, .stores, .inventory: return true
        case .sales, .payments, .shipping: return false
        }
    }

    /// Position in `allCases`, for per-entity counters kept in arrays (on hot paths: a switch,
    /// not a search).
    @inline(__always)
    public var index: Int {
        switch self {
        case .customers: 0
        case .products: 1
        case .stores: 2
        case .inventory: 3
        case .sales: 4
        case .payments: 5
        case .shipping: 6
        }
    }

    /// The entity published to `topic`, if any. Asked several times for every message: a
    /// comparison with each topic's name, made once (`hasPrefix`, a new String and the synthesized
    /// `init(rawValue:)` cost ~1,600 instructions a call).
    public init?(topic: String) {
        guard let k = Entity.topics.firstIndex(of: topic) else { return nil }
        self = Entity.allCases[k]
    }

    /// `topic` of every case, in `allCases`' order.
    private static let topics = allCases.map(\.topic)

    // Hashed and compared by case, not by `rawValue`: RawRepresentable's defaults, which a
    // String-backed enum otherwise takes, build and hash the name (SipHash) each time, and
    // entities key dictionaries on every message's path.
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }
    public static func == (a: Entity, b: Entity) -> Bool { a.index == b.index }

    /// The dead-letter topic: events the sinks could not accept, with the reason.
    public static let deadLetterTopic = "shop.dlq"
}

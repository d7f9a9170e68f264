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

    /// The entity published to `topic`, if any.
    public init?(topic: String) {
        guard topic.hasPrefix("shop.") else { return nil }
        self.init(rawValue: String(topic.dropFirst(5)))
    }

    /// The dead-letter topic: events the sinks could not accept, with the reason.
    public static let deadLetterTopic = "shop.dlq"
}

import ShopStreamCore

/// Running totals of a simulation, for progress reports and tests.
public struct SimulationStats: Sendable, Equatable {
    /// Days fully simulated.
    public internal(set) var days = 0
    /// Events each sink accepted, per entity, in `Entity.allCases` order.
    public internal(set) var eventsByEntity = [Int](repeating: 0, count: Entity.allCases.count)
    /// Sale lines simulated, and their units.
    public internal(set) var sales = 0
    public internal(set) var unitsSold = 0
    /// Sum of `total_price` over all sales, in paisa.
    public internal(set) var revenuePaisa: Int64 = 0
    /// Sum of `discount` over all sales, in paisa.
    public internal(set) var discountPaisa: Int64 = 0
    /// Money paid back for returned or lost prepaid shipments, in paisa.
    public internal(set) var refundedPaisa: Int64 = 0
    /// Orders that could not be served because the shelf was empty.
    public internal(set) var lostSales = 0
    /// Customers published so far (initial and signed up).
    public internal(set) var customers = 0

    public init() {}

    /// Events accepted for `entity`.
    public subscript(entity: Entity) -> Int { eventsByEntity[entity.index] }

    /// Events accepted in all.
    public var events: Int { eventsByEntity.reduce(0, +) }
}

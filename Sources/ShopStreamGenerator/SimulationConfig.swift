/// What to simulate. Every field has a documented default; the same config
/// always yields the same byte-identical event sequence.
public struct SimulationConfig: Sendable, Equatable {
    /// Seed of the simulation's only random number generator. Default 42.
    public var seed: UInt64
    /// The first simulated day (UTC), 2024-01-01 or later. Default 2025-01-01.
    public var startDate: SimDate
    /// Orders on an ordinary day at the start, before the weekly, payday and
    /// festival patterns; it grows with the square root of the customer base. Default 400.
    public var ordersPerDay: Int
    /// Customers published on the first day, signed up over the six years before it. Default 2,000.
    public var initialCustomers: Int
    /// New sign-ups on an ordinary day (more on busy days). Default 8.
    public var signupsPerDay: Int

    public init(
        seed: UInt64 = 42,
        startDate: SimDate = SimDate(year: 2025, month: 1, day: 1),
        ordersPerDay: Int = 400,
        initialCustomers: Int = 2000,
        signupsPerDay: Int = 8
    ) {
        self.seed = seed
        self.startDate = startDate
        self.ordersPerDay = ordersPerDay
        self.initialCustomers = initialCustomers
        self.signupsPerDay = signupsPerDay
    }

    /// Throws if a value is out of range, saying which and what is allowed.
    public func validate() throws(SimulationConfigError) {
        guard (0...10_000_000).contains(ordersPerDay) else {
            throw SimulationConfigError("ordersPerDay is \(ordersPerDay); use 0…10,000,000")
        }
        guard (1...50_000_000).contains(initialCustomers) else {
            throw SimulationConfigError("initialCustomers is \(initialCustomers); use 1…50,000,000 (sales need a customer)")
        }
        guard (0...1_000_000).contains(signupsPerDay) else {
            throw SimulationConfigError("signupsPerDay is \(signupsPerDay); use 0…1,000,000")
        }
        guard startDate >= SimDate(year: 2024, month: 1, day: 1), startDate.year <= 2100 else {
            throw SimulationConfigError("startDate \(startDate) is outside 2024-01-01…2100-12-31 (every store has opened by 2024)")
        }
    }
}

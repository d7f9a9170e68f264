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
    /// Live mode (see `LiveClock`): the days from `startDate` to the day before
    /// `live.day` are history, and from `live.day` on the business follows the wall
    /// clock at `live.eventsPerSecond`. Default nil: every day is an ordinary day.
    public var live: LiveClock?

    public init(
        seed: UInt64 = 42,
        startDate: SimDate = SimDate(year: 2025, month: 1, day: 1),
        ordersPerDay: Int = 400,
        initialCustomers: Int = 2000,
        signupsPerDay: Int = 8,
        live: LiveClock? = nil
    ) {
        self.seed = seed
        self.startDate = startDate
        self.ordersPerDay = ordersPerDay
        self.initialCustomers = initialCustomers
        self.signupsPerDay = signupsPerDay
        self.live = live
    }

    /// A live simulation: `historyDays` ordinary days ending the day before `live.day`,
    /// then live days (`startDate` is set to the first history day).
    public init(live: LiveClock, historyDays: Int = 0, seed: UInt64 = 42) {
        self.init(seed: seed, startDate: live.day.adding(days: -historyDays), live: live)
    }

    /// Ordinary days before the live day; nil without live mode.
    public var historyDays: Int? {
        live.map { $0.day.daysSinceEpoch - startDate.daysSinceEpoch }
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
        if let live {
            guard live.eventsPerSecond > 0, live.eventsPerSecond <= LiveClock.maxEventsPerSecond else {
                throw SimulationConfigError(
                    "live.eventsPerSecond is \(live.eventsPerSecond); use more than 0 and at most \(Int(LiveClock.maxEventsPerSecond))")
            }
            guard ordersPerDay > 0 else {
                throw SimulationConfigError("ordersPerDay is 0; live mode scales the orders, so use 1 or more")
            }
            guard startDate <= live.day else {
                throw SimulationConfigError("startDate \(startDate) is after the live day \(live.day); history ends before the live day")
            }
            guard live.day.year <= 2100 else {
                throw SimulationConfigError("the live day \(live.day) is after 2100-12-31")
            }
        }
    }
}

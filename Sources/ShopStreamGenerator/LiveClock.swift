/// Live mode: the simulated business runs on the wall clock.
///
/// A live simulation (`SimulationConfig.live`) has two parts:
///
/// - **History**: the days from `SimulationConfig.startDate` up to the day before the
///   live day are ordinary days, exactly as without live mode (same volume, same
///   calendar, same hours), so the trends have a past. They are all before the start
///   instant: a publisher sends them at once.
/// - **Live days**: the live day (the day, in the business's own time zone as the
///   engine counts days, PKT = UTC+5, that holds `startMs`) and every day after it.
///   Each event's time (`event_time`, the record timestamp, the business dates derived
///   from it) is when it happens on the wall clock, and the events come out of the
///   simulator in time order, so a publisher only has to hold each one until its time.
///
/// **Volume on live days.** The day is spread evenly over its 24 hours (no hour-of-day
/// curve: a demo at 3 a.m. shows the rate as at 8 p.m.; shipment outcomes, too, come at
/// any hour) and over its days (no weekday, payday or festival swings in volume; the
/// day's promotions, discounts and channel mix still apply). Each live day is sized to
/// hold about `eventsPerSecond × 86,400` events. Orders *and* sign-ups are the config's
/// baselines times one factor k, set when the day opens:
///
///     ordersPerLiveDay  = max(0, eventsPerSecond × 86,400 − outcomeEvents)
///                         / (eventsPerOrder + signupsPerDay / ordersPerDay)
///     k                 = ordersPerLiveDay / ordersPerDay
///     signupsPerLiveDay = k × signupsPerDay
///
/// `outcomeEvents` is what the shipment outcomes due that day publish, known exactly when
/// it opens (a shipping event each, and a payment for a cash-on-delivery settlement or a
/// refund); `eventsPerOrder` (`LiveClock.eventsPerOrder`) is what an order publishes the
/// same day: the sale, its payment attempts, now and then a tier upgrade. So k is largest
/// on the first live day and settles as the live orders' shipments come back over the
/// next two weeks. Each 1-second slice of the day gets its share of both, at uniform times.
///
/// So at any moment today holds about `eventsPerSecond × seconds since midnight (or since
/// the start)` events: at 200 events/s some 17 million a day, against a few thousand on a
/// history day. This is inherent (R events a second, each dated "now"), not a bug: a
/// dashboard shows today towering over the history, and its figures growing as you watch.
///
/// Not quite flat: the first minutes after the start run at about half the rate (an
/// order's payments follow it by 20 s to 8 minutes, and no order is dated before the
/// start), and each day ends with a burst at 23:59:59: the stock snapshot of every
/// store×product that changed (at most 17 × the products).
///
/// To keep the business coherent at k times its size: stock is topped up to k times its
/// ordinary levels when the live day opens (and when a product launches on a live day),
/// and restocks and reorder levels follow the live demand; the customer base's growth
/// (which k-fold sign-ups would inflate k-fold) does not feed back into the live volume,
/// which the rate alone sets. Customers buy k times as often, so they climb loyalty tiers
/// within hours rather than months.
///
/// **The start.** On the live day nothing is dated before `startMs` except what the
/// business needs to exist: on the first day ever, the stores, products, customers and
/// stock; on any live day, a product launch or price change due earlier that day and the
/// shipment outcomes due earlier that day (from orders of history days). Those are all
/// dated at `startMs`, so they reach a publisher as one burst at the start.
///
/// Every guarantee of the simulator holds: every fact refers only to ids published before
/// it; the same config (seed *and* start instant) gives the byte-identical sequence; a
/// config without `live` is exactly what it always was.
///
/// Costs that grow with the rate: events whose time is ahead of the engine (payments up
/// to ~8 minutes after their sale) are held in memory, about 45 × `eventsPerSecond`
/// events; shipments wait in memory (56 bytes each) for their outcome day, about a fifth
/// of a live day's events, mostly for under a week (some 200 MB per live day at 200
/// events/s). Ids have fixed widths (`CUS-` 8 digits, `SAL-`/`PAY-` 10): live sign-ups
/// exhaust the customer ids after about 12 days at 10,000 events/s, 1.6 years at 200.
public struct LiveClock: Sendable, Equatable {
    /// The instant live publishing starts, in milliseconds since the Unix epoch (UTC).
    public var startMs: Int64
    /// Events per second on live days, on average; 0 < rate ≤ `maxEventsPerSecond`.
    public var eventsPerSecond: Double

    public init(startMs: Int64, eventsPerSecond: Double) {
        self.startMs = startMs
        self.eventsPerSecond = eventsPerSecond
    }

    /// Largest rate: keeps stock counts within their 32 bits (about 23,000 units a pair
    /// per event/s at the busiest store) and the id widths for days rather than hours.
    public static let maxEventsPerSecond = 10_000.0

    /// Events an order publishes on its own day (the sale, payment attempts, tier
    /// upgrades; its shipment's outcome comes days later and is counted then), measured
    /// at live volume on the default business; `LiveSimulationTests` hold the resulting
    /// rate within ±25 % an hour and a day.
    public static let eventsPerOrder = 2.05

    /// Live days are cut into slices this long; each slice's orders and sign-ups are
    /// drawn when the engine reaches it, so memory does not grow with the rate × a day.
    static let sliceMs = 1000

    /// The live day: the business's day (PKT) holding `startMs`.
    public var day: SimDate {
        SimDate(daysSinceEpoch: Int(floorDiv(startMs + BusinessCalendar.utcOffsetMs, 86_400_000)))
    }

    /// `startMs` as milliseconds into the live day.
    var startMsOfDay: Int {
        Int(startMs + BusinessCalendar.utcOffsetMs - Int64(day.daysSinceEpoch) * 86_400_000)
    }

    /// Orders on a live day whose shipment outcomes publish `outcomeEvents` events, for
    /// a business with these baselines.
    func ordersPerDay(outcomeEvents: Int, baseOrders: Int, baseSignups: Int) -> Double {
        max(0, eventsPerSecond * 86_400 - Double(outcomeEvents)) / (LiveClock.eventsPerOrder + Double(baseSignups) / Double(baseOrders))
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

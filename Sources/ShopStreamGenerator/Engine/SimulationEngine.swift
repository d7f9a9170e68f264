import ShopStreamCore

/// The simulated business and its encoder, as one value type.
///
/// A struct with mutating methods, so the hot path touches its own fields with
/// static exclusivity checking only; `Simulator` wraps it in the public class API.
/// A day is produced in chunks (`produceChunk`) so that the event buffer stays
/// small whatever the configuration; the caller drains the buffer after each chunk.
struct SimulationEngine {
    /// Events per chunk before control goes back to the caller to drain.
    static let chunkEvents = 4096
    /// Shipments and restocks are queued in a ring of day buckets; nothing is scheduled further ahead.
    static let horizonDays = 64
    static let lastMsOfDay = 86_399_999
    /// End-of-day inventory snapshots are dated 23:59:59.
    static let closingMs = 86_399_000

    let config: SimulationConfig
    var rng: Xoshiro256
    var out = EventBuffer()
    var stats = SimulationStats()

    // Fixed text, JSON-escaped once.
    let textTable: TextTable
    let text: UnsafePointer<UInt8>
    let vocabulary: Vocabulary

    // The business.
    var customers: [CustomerRecord] = []
    var products: [ProductRecord]
    var stores: [StoreRecord]
    var staff: [TextRef]
    /// Store×product stock, index `store * products.count + product`.
    var stock: [StockRecord] = []
    var pairDemand: [Double] = []
    var launchedProducts: [Int] = []
    var productPicker: AliasTable
    let cityPicker: AliasTable
    /// Physical stores in each city, and how to pick one by footfall.
    let cityStores: [[Int]]
    let cityStorePicker: [SmallWeights?]
    let onlineStore: Int
    let carrierPicker: SmallWeights
    let paymentPicker: [SmallWeights]
    let staffPicker: [SmallWeights]
    let carrierModels: [CarrierModel]
    let declineChances: [Chance]
    let cityRemote: [Bool]
    /// Lifetime spend (paisa) that earns each tier; see `LoyaltyTier.baseThreshold`.
    let tierThresholds: [Int64]

    // Counters behind the ids.
    var nextSaleId = 1
    var nextPaymentId = 1
    var nextShipmentId = 1

    // Queues keyed by day (ring of `horizonDays` buckets).
    var shipmentsDue: [[PendingShipment]]
    var restocksDue: [[Int32]]

    // The day being produced.
    var today: Int
    var dayText: DayText
    var dayEpochMs: Int64
    var profile: DayProfile
    var promotionChance = Chance(0)
    var onlineChance = Chance(OrderMix.online)
    var whatsAppChance = Chance(OrderMix.whatsApp)
    var forwardDemand = 21.0
    var phase = Phase.stores
    var agenda: [UInt64] = []
    var changedPairs: [Int32] = []
    var todaysShipments: [PendingShipment] = []
    var hourPicker: SmallWeights
    let normalHours = SmallWeights(BusinessCalendar.hourWeights)
    let ramadanHours = SmallWeights(BusinessCalendar.ramadanHourWeights)
    var isFirstDay = true

    // Live mode (see `LiveClock`); without it `liveDay` is Int.max and nothing below applies.
    let liveDay: Int
    /// Today's k: live orders and sign-ups per ordinary baseline (see `LiveClock`).
    var liveScale = 1.0
    var liveOrdersPerSlice = 0.0
    var liveSignupsPerSlice = 0.0
    /// Whether today is a live day.
    var isLive = false
    /// On the live day, the start instant as ms of the day: no event is dated earlier.
    var floorMs = 0
    /// The current event's time of day (its `msOfDay`, raised to `floorMs`).
    var eventMs = 0
    /// A live day's shipment outcomes, sorted as agenda entries, and how many ran.
    var dueOutcomes: [UInt64] = []
    var dueCursor = 0
    /// The live slice being run.
    var slice = 0

    enum Phase: Equatable {
        case stores, products
        case customers(Int)
        case inventory(Int)
        case opening
        case slice(Int)
        case agenda(Int)
        case closing(Int)
        case done
    }

    /// Agenda entry kinds, in the order they run when times tie.
    enum AgendaKind: UInt64 {
        case shipmentOutcome = 0
        case signup = 1
        case order = 2
    }

    var growth: Double {
        (Double(customers.count) / Double(config.initialCustomers)).squareRoot()
    }

    // MARK: Days

    /// Prepares the next day; then call `produceChunk()` until it returns false.
    mutating func beginDay() {
        dayText = DayText(day: today)
        dayEpochMs = Int64(today) * 86_400_000
        profile = BusinessCalendar.profile(for: SimDate(daysSinceEpoch: today))
        promotionChance = Chance(profile.promotion?.coverage ?? 0)
        onlineChance = Chance(OrderMix.online + profile.onlineBoost)
        whatsAppChance = Chance(OrderMix.whatsApp)
        hourPicker = profile.isRamadan ? ramadanHours : normalHours
        isLive = today >= liveDay
        floorMs = today == liveDay ? config.live!.startMsOfDay : 0
        if isLive {
            forwardDemand = 21  // live days are all alike (see stockVolume)
        } else {
            var ahead = 0.0
            for d in 0..<21 { ahead += BusinessCalendar.profile(for: SimDate(daysSinceEpoch: today + d)).demand }
            forwardDemand = ahead
        }
        phase = isFirstDay ? .stores : .opening
    }

    /// The ordinary day's demand multiplier that stock is planned for: the customer
    /// base's growth, or on live days the live scale k (their volume is flat at k times
    /// the baseline, whatever the customer base, so `forwardDemand` is 21 days of 1).
    var stockVolume: Double { isLive ? liveScale : growth }

    /// Produces the next part of the day into `out`. Returns false once the day is complete.
    mutating func produceChunk() -> Bool {
        while out.eventCount < SimulationEngine.chunkEvents {
            switch phase {
            case .stores:
                for s in stores.indices { emitStore(s) }
                phase = .products
            case .products:
                for p in products.indices where products[p].launchDay <= today { launch(p) }
                rebuildProductPicker()
                phase = .customers(0)
            case .customers(let next):
                let end = min(config.initialCustomers, next + SimulationEngine.chunkEvents)
                for _ in next..<end { emitCustomer(createInitialCustomer(), msOfDay: 0) }
                phase = end < config.initialCustomers ? .customers(end) : .inventory(0)
            case .inventory(let next):
                let end = min(stock.count, next + SimulationEngine.chunkEvents)
                for pair in next..<end where products[pair % products.count].launched {
                    emitInventory(pair, msOfDay: 0)
                }
                phase = end < stock.count ? .inventory(end) : .opening
            case .opening:
                openDay()
                phase = isLive ? .slice(floorMs / LiveClock.sliceMs) : .agenda(0)
            case .slice(let s):
                fillSlice(s)
                phase = .agenda(0)
            case .agenda(let next):
                var i = next
                while i < agenda.count && out.eventCount < SimulationEngine.chunkEvents {
                    runAgendaItem(agenda[i])
                    i += 1
                }
                if i < agenda.count {
                    phase = .agenda(i)
                } else if isLive && (slice + 1) * LiveClock.sliceMs < 86_400_000 {
                    phase = .slice(slice + 1)
                } else {
                    phase = .closing(0)
                }
            case .closing(let next):
                if next == 0 { changedPairs.sort() }
                let end = min(changedPairs.count, next + SimulationEngine.chunkEvents)
                for i in next..<end { emitInventory(Int(changedPairs[i]), msOfDay: SimulationEngine.closingMs) }
                phase = end < changedPairs.count ? .closing(end) : .done
            case .done:
                return false
            }
        }
        return phase != .done
    }

    /// Moves to the next day once the current one is fully produced.
    mutating func endDay() {
        changedPairs.removeAll(keepingCapacity: true)
        shipmentsDue[today & (SimulationEngine.horizonDays - 1)].removeAll(keepingCapacity: true)
        restocksDue[today & (SimulationEngine.horizonDays - 1)].removeAll(keepingCapacity: true)
        dueOutcomes.removeAll(keepingCapacity: true)
        dueCursor = 0
        today += 1
        isFirstDay = false
        stats.days += 1
    }

    /// Start of business: launches, price changes, restock deliveries, breakage,
    /// and the day's agenda of shipment outcomes, sign-ups and orders, in time order.
    mutating func openDay() {
        if isLive {
            planLiveDay()
            if today == liveDay {
                // Live volume from here on: shelves sized for it (a delivery at opening).
                for pair in stock.indices where products[pair % products.count].launched { stockForLive(pair) }
            }
        }
        if !isFirstDay {
            var launchedToday = false
            for p in products.indices where products[p].launchDay == today {
                launch(p)
                for s in stores.indices {
                    if isLive { stockForLive(s * products.count + p) }
                    emitInventory(s * products.count + p, msOfDay: 0)
                }
                launchedToday = true
            }
            if launchedToday { rebuildProductPicker() }
        }
        maybeChangePrice()
        receiveRestocks()
        breakSomeStock()

        agenda.removeAll(keepingCapacity: true)
        todaysShipments.removeAll(keepingCapacity: true)
        swap(&todaysShipments, &shipmentsDue[today & (SimulationEngine.horizonDays - 1)])
        for (i, s) in todaysShipments.enumerated() {
            agenda.append(agendaEntry(msOfDay: Int(s.outcomeMs), kind: .shipmentOutcome, index: i))
        }
        if isLive {
            // Orders and sign-ups are drawn slice by slice (`fillSlice`).
            agenda.sort()
            swap(&agenda, &dueOutcomes)
            return
        }
        let busy = 1 + (profile.demand - 1) * 0.5
        let signups = noisyCount(mean: Double(config.signupsPerDay) * busy)
        for _ in 0..<signups { agenda.append(agendaEntry(msOfDay: randomTimeOfDay(), kind: .signup, index: 0)) }
        let orders = noisyCount(mean: Double(config.ordersPerDay) * profile.demand * growth)
        for _ in 0..<orders { agenda.append(agendaEntry(msOfDay: randomTimeOfDay(), kind: .order, index: 0)) }
        agenda.sort()
    }

    /// Today's live volume: as many orders (and sign-ups with them) as the rate leaves
    /// room for beside the events of today's shipment outcomes (see `LiveClock`).
    mutating func planLiveDay() {
        var outcomeEvents = 0
        for s in shipmentsDue[today & (SimulationEngine.horizonDays - 1)] { outcomeEvents += s.eventCount }
        let live = config.live!
        let orders = live.ordersPerDay(outcomeEvents: outcomeEvents, baseOrders: config.ordersPerDay, baseSignups: config.signupsPerDay)
        liveScale = orders / Double(config.ordersPerDay)
        let slices = Double(86_400_000 / LiveClock.sliceMs)
        liveOrdersPerSlice = orders / slices
        liveSignupsPerSlice = liveScale * Double(config.signupsPerDay) / slices
    }

    /// A live slice's agenda: the shipment outcomes due before its end, and its sign-ups
    /// and orders at uniform times (on the live day, none before the start).
    mutating func fillSlice(_ s: Int) {
        slice = s
        let end = (s + 1) * LiveClock.sliceMs
        let from = max(s * LiveClock.sliceMs, floorMs)
        agenda.removeAll(keepingCapacity: true)
        // The last slice takes whatever is left: an outcome is never dropped.
        while dueCursor < dueOutcomes.count && (Int(dueOutcomes[dueCursor] >> 32) < end || end == 86_400_000) {
            agenda.append(dueOutcomes[dueCursor])
            dueCursor += 1
        }
        let share = Double(end - from) / Double(LiveClock.sliceMs)
        let signups = noisyCount(mean: liveSignupsPerSlice * share)
        for _ in 0..<signups { agenda.append(agendaEntry(msOfDay: from + rng.below(end - from), kind: .signup, index: 0)) }
        let orders = noisyCount(mean: liveOrdersPerSlice * share)
        for _ in 0..<orders { agenda.append(agendaEntry(msOfDay: from + rng.below(end - from), kind: .order, index: 0)) }
        agenda.sort()
    }

    /// Every event still to come today is at or after this instant (ms since the epoch,
    /// UTC), so a live day's events up to it can be released in time order. Capped at
    /// closing time: the last slice's events after 23:59:59 come before the snapshots.
    var producesNothingBeforeMs: Int64 {
        let ms: Int
        switch phase {
        case .stores, .products, .customers, .inventory, .opening: ms = 0
        case .slice(let s): ms = s * LiveClock.sliceMs
        case .agenda(let i):
            ms = i < agenda.count ? Int(agenda[i] >> 32) : isLive ? (slice + 1) * LiveClock.sliceMs : SimulationEngine.closingMs
        case .closing: ms = SimulationEngine.closingMs
        case .done: return .max
        }
        return dayEpochMs + Int64(min(max(ms, floorMs), max(SimulationEngine.closingMs, floorMs))) - BusinessCalendar.utcOffsetMs
    }

    @inline(__always)
    func agendaEntry(msOfDay: Int, kind: AgendaKind, index: Int) -> UInt64 {
        UInt64(msOfDay) << 32 | kind.rawValue << 28 | UInt64(index)
    }

    mutating func runAgendaItem(_ entry: UInt64) {
        let ms = Int(entry >> 32)
        switch (entry >> 28) & 0xF {
        case AgendaKind.shipmentOutcome.rawValue: completeShipment(todaysShipments[Int(entry & 0x0FFF_FFFF)])
        case AgendaKind.signup.rawValue: emitCustomer(createNewCustomer(), msOfDay: ms)
        default: processOrder(msOfDay: ms)
        }
    }

    // MARK: Small helpers

    /// A whole number near `mean`: ±10 % noise from a sum of uniforms (no libm, so portable).
    mutating func noisyCount(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let u = rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2  // about ±2, sd 0.58
        return max(0, Int(mean * (1 + 0.17 * u) + rng.unit()))
    }

    mutating func randomTimeOfDay() -> Int {
        hourPicker.pick(&rng) * 3_600_000 + rng.below(3_600_000)
    }

    @inline(__always)
    func later(_ ms: Int, _ delta: Int) -> Int { min(ms + delta, SimulationEngine.lastMsOfDay) }

    /// Starts an event: `{"event_id":"…","event_time":"…"`. On the live day an event due
    /// before the start instant is dated at the start (`floorMs`; 0 on every other day),
    /// here, once, for every time the event carries.
    @inline(__always)
    mutating func beginEvent(msOfDay: Int) {
        eventMs = max(msOfDay, floorMs)
        out.beginEvent()
        out.raw("{\"event_id\":\"")
        out.uuid(rng.next(), rng.next())
        out.raw("\",\"event_time\":\"")
        out.timestamp(dayText: dayText, msOfDay: eventMs)
        out.byte(0x22)
    }

    /// Ends the event begun by `beginEvent`, stamped with its time.
    @inline(__always)
    mutating func endEvent(_ entity: Entity) {
        out.byte(0x7D)
        out.endEvent(entity, timestampMs: dayEpochMs + Int64(eventMs) - BusinessCalendar.utcOffsetMs)
    }
}

import ShopStreamCore
import ShopStreamSilver

/// The event ids the silver sink accepted, each with the coordinates it was accepted at,
/// held for a window of event time: what tells a replay (same coordinates, same insertId) from a
/// duplicate (the same `event_id` published again elsewhere), in about 32 bytes an event.
///
/// An event id that is a canonical UUID (what the topics' schemas require) is held as its 128
/// bits, and coordinates on an entity topic as three integers; anything else is held as text, so
/// nothing depends on the shape of an id. With a window, ids whose event time is more than the
/// window older than the newest event of the same entity are forgotten (whole UTC days: an id
/// is held for at least the window, at most an eighth of it longer): a duplicate that old is
/// inserted again under its own insertId, and the silver views (`_dedup`, `_current`) still
/// show it once.
struct AcceptedEvents {
    /// Where an event was accepted: its topic's entity, partition and offset.
    struct Coordinates: Hashable {
        var entity: Entity
        var partition: Int32
        var offset: Int64
    }

    private struct UUIDKey: Hashable {
        var high: UInt64
        var low: UInt64
    }

    /// Coordinates and the event's UTC day, in two words.
    private struct Packed {
        var offset: Int64
        /// partition (32 bits) | entity index (8) | day since 1970 (24).
        var rest: UInt64

        init(_ c: Coordinates, day: Int32) {
            offset = c.offset
            rest = UInt64(UInt32(bitPattern: c.partition)) << 32 | UInt64(c.entity.index) << 24 | UInt64(AcceptedEvents.clampDay(day))
        }

        /// No coordinates: an entity index of 255 (there are seven).
        static let none = Packed(offset: 0, rest: .max)

        private init(offset: Int64, rest: UInt64) {
            self.offset = offset
            self.rest = rest
        }

        var entityIndex: Int { Int(rest >> 24 & 0xFF) }
        var day: Int32 { Int32(rest & 0xFF_FFFF) }
        var partition: Int32 { Int32(bitPattern: UInt32(rest >> 32)) }
        func sameCoordinates(as other: Packed) -> Bool { offset == other.offset && rest >> 24 == other.rest >> 24 }
    }

    /// An event id held as its UUID, with where and when the event was accepted.
    private struct Held: IdTableEntry {
        var key: UUIDKey
        var packed: Packed

        static let vacant = Held(key: UUIDKey(high: 0, low: 0), packed: .none)
        var isVacant: Bool { packed.rest == Packed.none.rest }

        static func hash(_ key: UUIDKey, seed: UInt64) -> UInt64 {
            mix(key.high ^ mix(key.low ^ seed))
        }
    }

    /// How many days of event time to hold; nil: every id, for ever.
    let windowDays: Int32?
    private var byUUID = IdTable<Held>()
    /// Event ids that are not canonical UUIDs, or whose insert id is not `<entity topic>:<partition>:<offset>`.
    private var other: [String: (insertId: String, entityIndex: Int, day: Int32)] = [:]
    /// The newest event day seen per entity (`Entity.index`).
    private var latestDay = [Int32](repeating: .min, count: Entity.allCases.count)
    /// The newest event day read per partition (`Entity.index`, then the partition; `.min`: none
    /// yet) of the entities that reference another: their slowest partition decides
    /// `referenceHorizon`.
    private var partitionDay = [[Int32]](repeating: [], count: Entity.allCases.count)
    /// The horizon each entity was last purged at.
    private var purgedAt = [Int32](repeating: .min, count: Entity.allCases.count)

    init(window: Duration?) {
        windowDays = window.map(AcceptedEvents.days)
    }

    /// How many event ids are held.
    var count: Int { byUUID.count + other.count }

    /// The first day still held for `entity`: ids of earlier days are forgotten (or not taken).
    func horizon(_ entity: Entity) -> Int32? {
        guard let windowDays, latestDay[entity.index] != .min else { return nil }
        return latestDay[entity.index] - windowDays
    }

    /// The first day of `entity`'s ids that facts still to come may reference, for the reference
    /// gate: the window behind `entity`'s newest day, or behind the slowest partition of the
    /// entities referencing it, whichever is earlier. Reading a backlog, a consumer may be weeks
    /// further in sales than in payments, or in some partitions of payments than in others (one
    /// was 50 days behind its siblings on a 300,000-event backlog); ids forgotten by a window ahead
    /// of them would then be looked up in silver, one query per payment's burst (24,000-30,000
    /// ids a run there). A referrer further behind holds at most three windows more; a
    /// partition not read yet holds nothing, nor does an entity not read at all (a member that
    /// reads no payments keeps sales' own window); an entity read without partitions (Pub/Sub, or
    /// silver at the start) counts by its newest day.
    func referenceHorizon(_ entity: Entity) -> Int32? {
        guard let windowDays, let own = horizon(entity) else { return nil }
        // Asked for every accepted sale on the reading thread: no arrays built.
        var slowest = Int32.max
        for referrer in Self.referrers[entity.index] where latestDay[referrer.index] != .min {
            var byPartition = Int32.max
            for day in partitionDay[referrer.index] where day != .min { byPartition = min(byPartition, day) }
            slowest = min(slowest, byPartition != .max ? byPartition : latestDay[referrer.index])
        }
        guard slowest != .max else { return own }
        return max(own - 3 * windowDays, min(own, slowest - windowDays))
    }

    /// `advance(_:to:)` for an event read from `partition` of `entity`'s topic.
    @discardableResult
    mutating func advance(_ entity: Entity, partition: Int32, to day: Int32) -> Int32? {
        if Self.refersToAnother[entity.index], (0..<4096).contains(partition) {
            let p = Int(partition)
            if partitionDay[entity.index].count <= p {
                partitionDay[entity.index] += repeatElement(.min, count: p + 1 - partitionDay[entity.index].count)
            }
            if day > partitionDay[entity.index][p] { partitionDay[entity.index][p] = day }
        }
        return advance(entity, to: day)
    }

    /// Forgets how far `partitions` of `entity`'s topic were read (revoked: another member reads them now).
    mutating func forgetPartitions(_ entity: Entity, _ partitions: some Sequence<Int32>) {
        for p in partitions where p >= 0 && Int(p) < partitionDay[entity.index].count { partitionDay[entity.index][Int(p)] = .min }
    }

    /// The entities whose events reference each entity (`Entity.index`).
    private static let referrers: [[Entity]] = Entity.allCases.map { target in
        EntityReference.all.filter { $0.target == target }.map(\.entity)
    }

    /// Whether each entity's events reference another (`Entity.index`).
    private static let refersToAnother: [Bool] = Entity.allCases.map { e in EntityReference.all.contains { $0.entity == e } }

    /// The newest event day seen of `entity` (0 before any).
    func latestDay(_ entity: Entity) -> Int32 { max(latestDay[entity.index], 0) }

    /// Records that `eventId` was accepted at `coordinates`, an event of UTC day `day` (call
    /// `advance` first). Returns nil when it is new, or a replay of the same coordinates; else the
    /// insert id it was accepted at before (a duplicate: the caller rejects it, nothing is recorded).
    /// An id older than the window is not held.
    mutating func accept(_ eventId: String, at coordinates: Coordinates, day: Int32) -> String? {
        let packed = Packed(coordinates, day: day)
        if let key = Self.uuid(eventId) {
            if let prior = byUUID[key]?.packed {
                return prior.sameCoordinates(as: packed) ? nil : Self.insertId(prior)
            }
            if other.isEmpty || other[eventId] == nil {
                if isHeld(day, coordinates.entity) { byUUID.put(Held(key: key, packed: packed)) }
                return nil
            }
        }
        let insertId = Self.insertId(coordinates)
        if let prior = other[eventId] {
            return prior.insertId == insertId ? nil : prior.insertId
        }
        if isHeld(day, coordinates.entity) { other[eventId] = (insertId, coordinates.entity.index, day) }
        return nil
    }

    /// `accept(_:at:day:)` for a message from either bus: Kafka coordinates are held packed; a
    /// Pub/Sub message (no offsets) is held by its insert id as text, so a redelivery (the same
    /// message id) is a replay and another message with the same event id a duplicate.
    mutating func accept(_ eventId: String, from source: SourceCoordinates, entity: Entity, day: Int32) -> String? {
        if let partition = source.partition, let offset = source.offset, partition >= 0, offset >= 0 {
            return accept(eventId, at: Coordinates(entity: entity, partition: partition, offset: offset), day: day)
        }
        let insertId = source.insertId
        if let key = Self.uuid(eventId), let prior = byUUID[key]?.packed { return Self.insertId(prior) }
        if let prior = other[eventId] { return prior.insertId == insertId ? nil : prior.insertId }
        if isHeld(day, entity) { other[eventId] = (insertId, entity.index, day) }
        return nil
    }

    /// Takes an event silver already holds (at start), with the insert id it was stored under
    /// (call `advance` first).
    mutating func load(_ eventId: String, insertId: String, entity: Entity, day: Int32) {
        guard isHeld(day, entity) else { return }
        if let key = Self.uuid(eventId), let c = Self.coordinates(insertId), c.entity == entity {
            byUUID.put(Held(key: key, packed: Packed(c, day: day)))
        } else {
            other[eventId] = (insertId, entity.index, day)
        }
    }

    /// Moves `entity`'s newest day on to `day` if it is later. Once the horizon has moved an eighth
    /// of the window (at least a day) since the last time, forgets what fell out of the window and
    /// returns the new horizon (the first day held), so the caller can forget its own old ids.
    @discardableResult
    mutating func advance(_ entity: Entity, to day: Int32) -> Int32? {
        guard day > latestDay[entity.index] else { return nil }
        latestDay[entity.index] = day
        guard let windowDays else { return nil }
        let horizon = day - windowDays
        if purgedAt[entity.index] == .min {
            purgedAt[entity.index] = horizon
            return nil
        }
        guard horizon - purgedAt[entity.index] >= max(1, windowDays / 8) else { return nil }
        purgedAt[entity.index] = horizon
        purge()
        return horizon
    }

    private func isHeld(_ day: Int32, _ entity: Entity) -> Bool {
        Self.isHeld(day: day, entityIndex: entity.index, latestDay: latestDay, windowDays: windowDays)
    }

    private static func isHeld(day: Int32, entityIndex: Int, latestDay: [Int32], windowDays: Int32?) -> Bool {
        guard let windowDays else { return true }
        return Int64(day) >= Int64(latestDay[entityIndex]) - Int64(windowDays)
    }

    /// Forgets every id older than its entity's horizon.
    private mutating func purge() {
        let (latestDay, windowDays) = (latestDay, windowDays)
        byUUID.removeAll {
            !Self.isHeld(day: $0.packed.day, entityIndex: $0.packed.entityIndex, latestDay: latestDay, windowDays: windowDays)
        }
        if !other.isEmpty {
            let old = other.filter {
                !Self.isHeld(day: $0.value.day, entityIndex: $0.value.entityIndex, latestDay: latestDay, windowDays: windowDays)
            }.map(\.key)
            for key in old { other.removeValue(forKey: key) }
        }
    }

    // MARK: Encodings

    /// Whole days of `window`, rounded up (at least one).
    static func days(_ window: Duration) -> Int32 {
        let seconds = window.components.seconds + (window.components.attoseconds > 0 ? 1 : 0)
        return Int32(clamping: max(1, (seconds + 86_399) / 86_400))
    }

    static func clampDay(_ day: Int32) -> UInt32 { UInt32(min(max(day, 0), 0xFF_FFFF)) }

    /// The UTC day of a canonical timestamp or date text (`2025-01-02T…`, `2025-01-02`), days since 1970-01-01.
    static func day(of text: String) -> Int32? {
        var text = text
        return text.withUTF8 { b -> Int32? in
            guard b.count >= 10, b[4] == 45, b[7] == 45 else { return nil }
            func digits(_ from: Int, _ count: Int) -> Int? {
                var v = 0
                for i in from..<(from + count) {
                    let d = Int(b[i]) - 48
                    guard (0...9).contains(d) else { return nil }
                    v = v * 10 + d
                }
                return v
            }
            guard let y = digits(0, 4), let m = digits(5, 2), let d = digits(8, 2), (1...12).contains(m), (1...31).contains(d) else {
                return nil
            }
            return Int32(clamping: CivilCalendar.days(year: y, month: m, day: d))
        }
    }

    /// The 128 bits of a lowercase canonical UUID (`8-4-4-4-12` hex digits); nil for any other text.
    private static func uuid(_ text: String) -> UUIDKey? {
        var text = text
        return text.withUTF8 { b -> UUIDKey? in
            guard b.count == 36, b[8] == 45, b[13] == 45, b[18] == 45, b[23] == 45 else { return nil }
            // Group by group, without a branch per position: every event id goes through here.
            var high: UInt64 = 0
            var low: UInt64 = 0
            guard hex(b, 0..<8, into: &high), hex(b, 9..<13, into: &high), hex(b, 14..<18, into: &high),
                hex(b, 19..<23, into: &low), hex(b, 24..<36, into: &low)
            else { return nil }
            return UUIDKey(high: high, low: low)
        }
    }

    /// Shifts the lowercase hex digits at `range` of `b` into `value`; false at any other byte.
    @inline(__always)
    private static func hex(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into value: inout UInt64) -> Bool {
        for i in range {
            let c = b[i]
            let digit = c &- 48
            let letter = c &- 97
            guard digit < 10 || letter < 6 else { return false }
            value = value << 4 | UInt64(digit < 10 ? digit : letter &+ 10)
        }
        return true
    }

    /// `SilverRow.insertId` of these coordinates.
    static func insertId(_ c: Coordinates) -> String {
        c.entity.topic + ":" + String(c.partition) + ":" + String(c.offset)
    }

    private static func insertId(_ p: Packed) -> String {
        insertId(Coordinates(entity: Entity.allCases[p.entityIndex], partition: p.partition, offset: p.offset))
    }

    /// The coordinates an insert id names, when it is `<entity topic>:<partition>:<offset>`
    /// and writing them back gives the same text.
    static func coordinates(_ insertId: String) -> Coordinates? {
        let parts = insertId.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let entity = Entity(topic: String(parts[0])), let partition = Int32(parts[1]), let offset = Int64(parts[2]),
            partition >= 0, offset >= 0
        else { return nil }
        let c = Coordinates(entity: entity, partition: partition, offset: offset)
        return Self.insertId(c) == insertId ? c : nil
    }
}

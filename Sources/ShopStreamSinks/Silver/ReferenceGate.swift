import ShopStreamCore

/// Holds facts whose dimensions have not arrived yet, for at most a grace period.
///
/// Dimension and fact topics are consumed independently, so a sale can be read
/// before its customer. The gate learns every accepted dimension id; a fact that
/// references an unknown one waits beside the stream (never blocking it) until the
/// id arrives or its deadline passes. Learning an id wakes exactly the items that
/// wait for it, so the cost follows the traffic, not the number waiting.
struct ReferenceGate<Item> {
    struct Reference: Hashable, Sendable {
        var entity: Entity
        var id: String
    }

    private struct Entry {
        var item: Item
        /// What the item is itself, when other items may reference it (a sale, for payments).
        var key: Reference?
        var missing: [Reference]
        var deadline: Moment
    }

    private var known = [KnownIds](repeating: KnownIds(), count: Entity.allCases.count)
    private var entries: [Int: Entry] = [:]
    /// How many references each waiting entry still misses, beside `entries`: `learn` counts one
    /// down without touching the entry. Through the entries' dictionary, even in place (a
    /// mutating method called as `entries[key]?.unresolve()`), the entry was copied out and back,
    /// its fact's every field retained and released (perf, a 700,000-event backlog: ~1.5 % of the sink's cycles in
    /// `learn`'s dictionary access).
    private var unresolved: [Int: Int] = [:]
    private var waitingOn: [Reference: [Int]] = [:]
    /// Entry ids by deadline, the earliest first (then in arrival order): deadlines differ (the
    /// whole grace; a second for a fact asked of silver), so arrival order is not deadline order.
    /// An entry released by `learn` or `drop` leaves its id here until its deadline (skipped then),
    /// or until such ids outnumber the waiting entries (then the queue is built again from those).
    private var deadlines = DeadlineQueue()
    /// Ids in `deadlines`, live or left behind (for the tests).
    var queuedDeadlines: Int { deadlines.count }
    private var ready: [Int] = []
    private var nextId = 0
    /// How many waiting items carry each key.
    private var waitingKeys: [Reference: Int] = [:]

    /// Adds `id` to the known ids of `entity`, seen on UTC day `day` (for `forget`), and wakes
    /// what waited for it. With `hold: false` it only wakes them (an id already out of the window).
    mutating func learn(_ entity: Entity, _ id: String, day: Int32 = .max, hold: Bool = true) {
        if hold {
            guard known[entity.index].insert(id, day: day) else { return }
        }
        guard let waiters = waitingOn.removeValue(forKey: Reference(entity: entity, id: id)) else { return }
        for key in waiters {
            guard let left = unresolved[key] else { continue }  // released already
            if left > 1 {
                unresolved[key] = left - 1
            } else {
                unresolved[key] = nil
                ready.append(key)
            }
        }
    }

    mutating func learn(_ entity: Entity, ids: some Sequence<String>) {
        for id in ids { learn(entity, id) }
    }

    func isKnown(_ ref: Reference) -> Bool { known[ref.entity.index].contains(ref.id) }

    /// Forgets the ids of `entity` last seen before UTC day `day`.
    mutating func forget(_ entity: Entity, before day: Int32) { known[entity.index].forget(before: day) }

    /// How many ids of `entity` are known.
    func knownCount(_ entity: Entity) -> Int { known[entity.index].count }

    func missing(_ refs: [Reference]) -> [Reference] { refs.filter { !isKnown($0) } }

    /// Whether an item keyed `ref` is waiting here: read, but not yet known.
    func isWaiting(_ ref: Reference) -> Bool { waitingKeys[ref] != nil }

    /// Parks `item` until `missing` are all known or `deadline`; `ref` is what the item is, when
    /// others may reference it.
    mutating func park(_ item: consuming Item, as ref: Reference? = nil, missing: [Reference], until deadline: Moment) {
        let key = nextId
        nextId += 1
        let unique = missing.count < 2 ? missing : Array(Set(missing))
        entries[key] = Entry(item: item, key: ref, missing: unique, deadline: deadline)
        unresolved[key] = unique.count
        if let ref { waitingKeys[ref, default: 0] += 1 }
        for ref in unique { waitingOn[ref, default: []].append(key) }
        deadlines.push(key, deadline)
    }

    var waitingCount: Int { entries.count }

    /// Calls `body` with each waiting item, in no order.
    func forEachWaiting(_ body: (Item) -> Void) {
        for e in entries.values { body(e.item) }
    }

    /// The references some waiting item still misses.
    var awaited: Dictionary<Reference, [Int]>.Keys { waitingOn.keys }

    /// Items whose references all arrived, and items whose grace ran out (with what
    /// is still missing). With `expireAll`, every waiting item is expired.
    mutating func release(at now: Moment, expireAll: Bool = false) -> (ready: [Item], expired: [(Item, [Reference])]) {
        var out: [Item] = []
        for key in ready {
            if let e = take(key) {
                unkey(e)
                out.append((consume e).item)
            }
        }
        ready.removeAll(keepingCapacity: true)
        var expired: [(Item, [Reference])] = []
        // All at once (the end of the input): in the order they were parked.
        let due = expireAll ? entries.keys.sorted() : []
        if expireAll { deadlines = DeadlineQueue() }
        var next = due.makeIterator()
        while let key = expireAll ? next.next() : deadlines.popFirst(dueBy: now) {
            guard let e = take(key) else { continue }  // released already
            unkey(e)
            let left = e.missing.filter { !isKnown($0) }
            for ref in left {
                waitingOn[ref]?.removeAll { $0 == key }
                if waitingOn[ref]?.isEmpty == true { waitingOn[ref] = nil }
            }
            expired.append((e.item, left))
        }
        // Most facts leave by `learn` long before their deadline (a year's backlog parks hundreds
        // of thousands for a minute's grace): past twice what waits, the queue keeps only theirs.
        if deadlines.count > 4096 && deadlines.count > 2 * entries.count {
            deadlines = DeadlineQueue()
            for key in entries.keys.sorted() { deadlines.push(key, entries[key]!.deadline) }
        }
        return (out, expired)
    }

    /// Lets go of the waiting items `predicate` picks (those of partitions this member no longer
    /// holds), without releasing them; how many.
    @discardableResult
    mutating func drop(where predicate: (Item) -> Bool) -> Int {
        let keys = entries.filter { predicate($0.value.item) }.map(\.key)
        for key in keys {
            guard let e = take(key) else { continue }
            unkey(e)
            for ref in e.missing {
                waitingOn[ref]?.removeAll { $0 == key }
                if waitingOn[ref]?.isEmpty == true { waitingOn[ref] = nil }
            }
        }
        return keys.count
    }

    /// Takes entry `key` out, with its count of what it misses.
    private mutating func take(_ key: Int) -> Entry? {
        unresolved[key] = nil
        return entries.removeValue(forKey: key)
    }

    private mutating func unkey(_ e: Entry) {
        guard let ref = e.key, let n = waitingKeys[ref] else { return }
        waitingKeys[ref] = n > 1 ? n - 1 : nil
    }
}

/// Entry ids ordered by deadline, then by id (ids grow with arrival): a binary min-heap, so a
/// park and a release each cost a logarithm of what waits.
private struct DeadlineQueue {
    private var heap: [(deadline: Moment, key: Int)] = []

    var count: Int { heap.count }

    mutating func push(_ key: Int, _ deadline: Moment) {
        heap.append((deadline, key))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes out the first id whose deadline is at or before `now`.
    mutating func popFirst(dueBy now: Moment) -> Int? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                let right = left + 1
                let child = right < heap.count && Self.precedes(heap[right], heap[left]) ? right : left
                guard Self.precedes(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        return first.key
    }

    private static func precedes(
        _ a: (deadline: Moment, key: Int), _ b: (deadline: Moment, key: Int)
    ) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.key < b.key
    }
}

import ShopStreamCore

/// Holds facts whose dimensions have not arrived yet, for at most a grace period.
///
/// Dimension and fact topics are consumed independently, so a sale can be read
/// before its customer. The gate learns every accepted dimension id; a fact that
/// references an unknown one waits beside the stream (never blocking it) until the
/// id arrives or its deadline passes.
struct ReferenceGate<Item> {
    struct Reference: Hashable, Sendable {
        var entity: Entity
        var id: String
    }

    private var known: [Entity: Set<String>] = [:]
    private var waiting: [(item: Item, missing: [Reference], deadline: ContinuousClock.Instant)] = []

    mutating func learn(_ entity: Entity, _ id: String) {
        known[entity, default: []].insert(id)
    }

    mutating func learn(_ entity: Entity, ids: some Sequence<String>) {
        known[entity, default: []].formUnion(ids)
    }

    func isKnown(_ ref: Reference) -> Bool { known[ref.entity]?.contains(ref.id) ?? false }

    func missing(_ refs: [Reference]) -> [Reference] { refs.filter { !isKnown($0) } }

    mutating func park(_ item: Item, missing: [Reference], deadline: ContinuousClock.Instant) {
        waiting.append((item, missing, deadline))
    }

    var waitingCount: Int { waiting.count }

    /// Items whose references all arrived, and items whose grace ran out (with what
    /// is still missing). With `expireAll`, every waiting item is expired (shutdown).
    mutating func release(now: ContinuousClock.Instant, expireAll: Bool = false) -> (ready: [Item], expired: [(Item, [Reference])]) {
        guard !waiting.isEmpty else { return ([], []) }
        var ready: [Item] = [], expired: [(Item, [Reference])] = []
        var still: [(item: Item, missing: [Reference], deadline: ContinuousClock.Instant)] = []
        for w in waiting {
            let left = w.missing.filter { !isKnown($0) }
            if left.isEmpty { ready.append(w.item) }
            else if expireAll || now >= w.deadline { expired.append((w.item, left)) }
            else { still.append((w.item, left, w.deadline)) }
        }
        waiting = still
        return (ready, expired)
    }
}

/// An entry of an `IdTable`: a key of fixed width and what is held for it, stored side by side.
protocol IdTableEntry {
    associatedtype Key: Equatable
    var key: Key { get }
    /// The entry of a free slot: a bit pattern no held entry has.
    static var vacant: Self { get }
    var isVacant: Bool { get }
    /// The key's bits mixed with the table's seed (a different one per table and process).
    static func hash(_ key: Key, seed: UInt64) -> UInt64
}

/// The silver sink's largest maps (the event ids it accepted, the dimension ids it knows: hundreds
/// of thousands of entries for a year's backlog, one look-up or more an event) as a hash table of
/// fixed-width entries: open addressing with linear probing, each entry's key and value in one
/// array, so a look-up usually touches one cache line where a `Dictionary` (its occupancy bitmap,
/// keys and values in three arrays, SipHash on every key) touched three, and hashed for longer
/// than it probed.
///
/// Its hash is a seeded mix of the key's bits (`IdTableEntry.mix`), not a keyed cryptographic hash as
/// `Dictionary`'s: ids come from the shop's own topics, and the seed is drawn per table and process,
/// so a producer cannot choose ids that land in one run of slots without knowing it.
///
/// Held at most three quarters full, as `Dictionary` is: the same slots for as many entries. Like
/// it, it does not shrink when entries go.
struct IdTable<Entry: IdTableEntry> {
    private var slots: [Entry]
    private(set) var count = 0
    private let seed: UInt64

    init(seed: UInt64 = .random(in: .min ... .max)) {
        self.seed = seed
        slots = Array(repeating: .vacant, count: Self.smallest)
    }

    private static var smallest: Int { 16 }

    /// Slots there are (a power of two), for the tests.
    var capacity: Int { slots.count }

    /// The entry held for `key`, or nil.
    subscript(key: Entry.Key) -> Entry? {
        let (index, found) = find(key)
        return found ? slots[index] : nil
    }

    /// Holds `entry`, in place of the entry of the same key if there is one.
    mutating func put(_ entry: Entry) {
        precondition(!entry.isVacant, "an IdTable entry cannot have the vacant bit pattern")
        var (index, found) = find(entry.key)
        if !found {
            if (count + 1) * 4 > slots.count * 3 {
                rebuild(capacity: slots.count * 2)
                index = find(entry.key).index
            }
            count += 1
        }
        slots[index] = entry
    }

    /// Lets go of every entry `predicate` picks, in place (each one's run of slots closed up
    /// behind it: no slot marked deleted, no table built again).
    mutating func removeAll(where predicate: (Entry) -> Bool) {
        var index = 0
        while index < slots.count {
            if !slots[index].isVacant && predicate(slots[index]) {
                remove(at: index)  // a later entry may have moved here: looked at again
            } else {
                index += 1
            }
        }
    }

    /// Empties slot `index` and moves up the entries after it that would no longer be found
    /// (their probe from their home slot passed through it), so every run stays unbroken.
    private mutating func remove(at index: Int) {
        let mask = slots.count - 1
        var hole = index
        var next = index
        while true {
            next = (next + 1) & mask
            if slots[next].isVacant { break }
            let home = home(slots[next].key, mask)
            // The entry at `next` stays when its home lies after the hole, up to `next`, cyclically.
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if stays { continue }
            slots[hole] = slots[next]
            hole = next
        }
        slots[hole] = .vacant
        count -= 1
    }

    /// Every entry, in no order (for the tests).
    var entries: [Entry] { slots.filter { !$0.isVacant } }

    /// Where `key` is (`found`), or the free slot where it would go.
    private func find(_ key: Entry.Key) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            var index = home(key, mask)
            while true {
                let entry = slots[index]
                if entry.isVacant { return (index, false) }
                if entry.key == key { return (index, true) }
                index = (index + 1) & mask
            }
        }
    }

    /// The slot where `key`'s probe starts.
    @inline(__always)
    private func home(_ key: Entry.Key, _ mask: Int) -> Int { Int(truncatingIfNeeded: Entry.hash(key, seed: seed)) & mask }

    private mutating func rebuild(capacity: Int) {
        let old = slots
        slots = Array(repeating: .vacant, count: capacity)
        count = 0
        for entry in old where !entry.isVacant {
            slots[find(entry.key).index] = entry
            count += 1
        }
    }
}

extension IdTableEntry {
    /// A bijective mix of 64 bits (MurmurHash3's finalizer), for `hash`: every bit of the input
    /// moves about half the bits of the output, so the low bits that pick a slot depend on all of them.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var x = x
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}

/// The ids of one entity the reference gate knows, each with the UTC day it was last seen, so a
/// fact's ids (sales) can be forgotten once older than a window.
///
/// An id shaped like the topics' ids (`SAL-0000000042`: one to three capital letters, a dash,
/// one to twelve digits) is held as one integer that spells it exactly, leading zeros and all;
/// anything else is held as text, so nothing depends on the shape.
struct KnownIds {
    /// An id held packed (`pack`), with its day.
    private struct Compact: IdTableEntry {
        var key: UInt64
        var day: Int32

        /// `pack` uses 59 bits: no id is all ones.
        static let vacant = Compact(key: .max, day: 0)
        var isVacant: Bool { key == .max }

        static func hash(_ key: UInt64, seed: UInt64) -> UInt64 { mix(key ^ seed) }
    }

    private var compact = IdTable<Compact>()
    private var other: [String: Int32] = [:]

    var count: Int { compact.count + other.count }

    func contains(_ id: String) -> Bool {
        if let key = Self.pack(id) { return compact[key] != nil }
        return other[id] != nil
    }

    /// Adds `id` (or moves its day on); true when it was not known.
    @discardableResult
    mutating func insert(_ id: String, day: Int32) -> Bool {
        if let key = Self.pack(id) {
            if let was = compact[key]?.day {
                if day > was { compact.put(Compact(key: key, day: day)) }
                return false
            }
            compact.put(Compact(key: key, day: day))
            return true
        }
        if let was = other[id] {
            if day > was { other[id] = day }
            return false
        }
        other[id] = day
        return true
    }

    /// Forgets the ids last seen before `day`.
    mutating func forget(before day: Int32) {
        compact.removeAll { $0.day < day }
        let oldText = other.filter { $0.value < day }.map(\.key)
        for key in oldText { other.removeValue(forKey: key) }
    }

    /// Letters (5 bits each, A = 1), the digit count (4 bits) and the number (40 bits): 59 bits
    /// that spell `[A-Z]{1,3}-[0-9]{1,12}` one to one; nil for any other text.
    static func pack(_ id: String) -> UInt64? {
        var id = id
        return id.withUTF8 { b -> UInt64? in
            guard b.count >= 3, b.count <= 16 else { return nil }
            var letters: UInt64 = 0
            var i = 0
            while i < b.count, i < 3, (65...90).contains(b[i]) {
                letters = letters << 5 | UInt64(b[i] - 64)
                i += 1
            }
            guard i > 0, i < b.count, b[i] == 45 else { return nil }
            i += 1
            let digits = b.count - i
            guard (1...12).contains(digits) else { return nil }
            var number: UInt64 = 0
            while i < b.count {
                guard (48...57).contains(b[i]) else { return nil }
                number = number * 10 + UInt64(b[i] - 48)
                i += 1
            }
            return letters << 44 | UInt64(digits) << 40 | number
        }
    }
}

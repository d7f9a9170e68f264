import XCTest

@testable import ShopStreamSinks

/// The table behind the silver sink's event ids and known ids holds what a `Dictionary` would:
/// the same entries after any run of puts and removals, whatever its hash does.
final class IdTableTests: XCTestCase {
    /// A key and a value; `buckets` homes: with few, every entry shares its run of slots with
    /// others, and runs wrap past the table's end.
    fileprivate struct Entry<let buckets: Int>: IdTableEntry {
        var key: UInt64
        var value: Int

        static var vacant: Self { Self(key: .max, value: 0) }
        var isVacant: Bool { key == .max }
        static func hash(_ key: UInt64, seed: UInt64) -> UInt64 {
            buckets == 0 ? mix(key ^ seed) : mix(key % UInt64(buckets) ^ seed)
        }
    }

    func testItHoldsWhatADictionaryHoldsAfterPutsAndRemovals() {
        check(Entry<0>.self, "a well-spread hash")
        check(Entry<3>.self, "three homes: long runs that wrap around")
        check(Entry<1>.self, "one home: a single run")
    }

    private func check<E: IdTableEntryForTest>(_: E.Type, _ hashing: String) {
        var random = SeededGenerator(seed: 11)
        var table = IdTable<E>(seed: 0x5eed)
        var model: [UInt64: Int] = [:]
        for round in 0..<60 {
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                let key = UInt64.random(in: 0..<200, using: &random)
                let value = Int.random(in: 0..<1_000, using: &random)
                table.put(E(key: key, value: value))
                model[key] = value
            }
            if round % 3 == 2 {
                let cut = Int.random(in: 0..<1_000, using: &random)
                table.removeAll { $0.value < cut }
                model = model.filter { $0.value >= cut }
            }
            XCTAssertEqual(table.count, model.count, "\(hashing), round \(round): the count")
            for key in 0..<UInt64(200) {
                XCTAssertEqual(table[key]?.value, model[key], "\(hashing), round \(round): key \(key)")
            }
            var seen: [UInt64: Int] = [:]
            for entry in table.entries { seen[entry.key] = entry.value }
            XCTAssertEqual(seen, model, "\(hashing), round \(round): every entry once")
        }
        XCTAssertLessThanOrEqual(table.count * 4, table.capacity * 3, "\(hashing): at most three quarters full")
    }

    func testRemovingEverythingLeavesAnEmptyTableThatTakesEntriesAgain() {
        var table = IdTable<Entry<2>>(seed: 1)
        for key in 0..<UInt64(500) { table.put(Entry(key: key, value: Int(key))) }
        table.removeAll { _ in true }
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table[7])
        table.put(Entry(key: 7, value: 70))
        XCTAssertEqual(table[7]?.value, 70)
        XCTAssertEqual(table.count, 1)
    }
}

/// `IdTableTests.Entry` as the generic check builds it.
private protocol IdTableEntryForTest: IdTableEntry where Key == UInt64 {
    init(key: UInt64, value: Int)
    var value: Int { get }
}

extension IdTableTests.Entry: IdTableEntryForTest {}

/// A deterministic generator (SplitMix64), so a failure is the same on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

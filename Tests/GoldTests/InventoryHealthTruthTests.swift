import Foundation
import ShopStreamCore
import ShopStreamGold
import ShopStreamWarehouse
import XCTest

/// gold.inventory_health held, row by row, against what the published inventory events say,
/// worked out here in Swift from their JSON (never through silver's or gold's SQL), as
/// sql/gold/tables.*.sql defines each column.
final class InventoryHealthTruthTests: XCTestCase {
    func testEveryStockPairEqualsWhatItsPublishedSnapshotsSayAfterAFullAndAnIncrementalPass() throws {
        try holdInventoryHealthAgainstItsSnapshots(in: sqliteWarehouse())
    }

    func testEveryStockPairEqualsWhatItsPublishedSnapshotsSayOnTheEmulator() throws {
        try holdInventoryHealthAgainstItsSnapshots(in: emulatorWarehouse())
    }

    private func holdInventoryHealthAgainstItsSnapshots(in warehouse: any Warehouse) throws {
        let seed: UInt64 = 7
        print("InventoryHealthTruthTests: simulation seed \(seed)")  // to replay a failure
        // Only the topics inventory_health reads: the others cost time and change none of its rows.
        let history = try History(into: warehouse, seed: seed, ordersPerDay: 40, topics: [.inventory, .products, .stores])
        let compactor = try compactor(warehouse)

        // Past 90 days, so the restock window leaves some restocks out.
        var events = try history.load(days: 100)
        XCTAssertTrue(try compactor.compact().plan.fullRefresh)
        let full = try InventoryTruth(events: events)
        try assertGoldEquals(full, in: warehouse, "after the full pass")
        // Each column's cases occur, so each comparison can fail.
        XCTAssertGreaterThan(full.rows.values.filter { $0.belowReorder }.count, 0, "pairs below their reorder level")
        XCTAssertGreaterThan(full.rows.values.filter { !$0.belowReorder }.count, 0, "pairs at or above it")
        XCTAssertGreaterThan(full.rows.values.filter { $0.damagedUnits > 0 }.count, 0, "pairs with damaged units")
        XCTAssertGreaterThan(full.rows.values.filter { $0.restocks >= 3 }.count, 0, "pairs with a restock cycle over several restocks")
        XCTAssertGreaterThan(full.rows.values.filter { $0.restocks == 0 }.count, 0, "pairs not restocked in the 90 days")
        XCTAssertGreaterThan(full.leftOutByTheWindow, 0, "restock dates that snapshots inside the window carry but are older than 90 days")

        // Twenty more days: an incremental pass rebuilds only the pairs they name.
        let more = try history.load(days: 20)
        events += more
        let report = try compactor.compact()
        XCTAssertFalse(report.plan.fullRefresh)
        let newDays = try Set(
            more.filter { $0.entity == .inventory }.map {
                try InventoryTruth.pakistanDate(JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any] ?? [:])
            }
        ).sorted()
        XCTAssertEqual(newDays.count, 20, "a snapshot every new day")
        XCTAssertEqual(report.plan.tables[.inventoryHealth], .dates(newDays), "the pairs of the new days' snapshots, not the whole table")
        let incremental = try InventoryTruth(events: events)
        XCTAssertNotEqual(incremental.rows, full.rows, "the new days moved some pairs")
        try assertGoldEquals(incremental, in: warehouse, "after an incremental pass")
    }

    /// Every row of gold.inventory_health equals `truth`'s row of the same pair, and no pair is
    /// missing or extra.
    private func assertGoldEquals(
        _ truth: InventoryTruth, in warehouse: any Warehouse, _ when: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let result = try warehouse.query(
            """
            SELECT inventory_id, store_id, store_name, product_id, model_name, category, snapshot_date, stock_level,
              reorder_level, below_reorder, damaged_units, last_restock_date, restocks, avg_restock_cycle_days
            FROM gold.inventory_health
            """)
        var gold: [String: InventoryTruth.Row] = [:]
        for cells in result.rows {
            let row = try InventoryTruth.Row(gold: cells)
            XCTAssertNil(
                gold.updateValue(row, forKey: row.inventoryId), "\(when): one row per pair, \(row.inventoryId) twice", file: file,
                line: line)
        }
        XCTAssertEqual(
            Set(gold.keys).subtracting(truth.rows.keys).sorted(), [], "\(when): pairs in gold that no snapshot names", file: file,
            line: line)
        XCTAssertEqual(Set(truth.rows.keys).subtracting(gold.keys).sorted(), [], "\(when): pairs missing from gold", file: file, line: line)
        let wrong = truth.rows.keys.sorted().filter { gold[$0] != nil && gold[$0] != truth.rows[$0] }
        XCTAssertEqual(
            wrong.count, 0,
            "\(when): \(wrong.count) of \(truth.rows.count) pairs differ, e.g.\n"
                + wrong.prefix(3).map { "gold  \(gold[$0]!)\ntruth \(truth.rows[$0]!)" }.joined(separator: "\n"), file: file, line: line)
    }
}

/// inventory_health as the column comments of sql/gold/tables.*.sql define it, computed from the
/// published JSON of the inventory, products and stores events.
struct InventoryTruth {
    struct Row: Equatable, CustomStringConvertible {
        var inventoryId, storeId, storeName, productId, modelName, category: String
        /// The business date (Pakistan) of the pair's latest snapshot.
        var snapshotDate: String
        var stockLevel, reorderLevel: Int
        var belowReorder: Bool
        var damagedUnits: Int
        var lastRestockDate: String
        /// Distinct restock dates in the 90 days up to snapshotDate.
        var restocks: Int
        /// Days from the first to the last of those restocks / (restocks - 1), in hundredths
        /// rounded half away from zero (ROUND(x, 2)); nil under two restocks.
        var cycleHundredths: Int?

        var description: String {
            "\(inventoryId) \(storeName) | \(modelName) (\(category)) \(snapshotDate) stock \(stockLevel)/\(reorderLevel) below \(belowReorder) "
                + "damaged \(damagedUnits) last restock \(lastRestockDate) restocks \(restocks) cycle \(cycleHundredths.map { "\(Double($0) / 100)" } ?? "NULL")"
        }
    }

    /// Per inventory_id.
    var rows: [String: Row] = [:]
    /// Restock dates that a snapshot inside the pair's 90-day event window reports but that
    /// fall before the 90 days: the case where "restock dates in the 90 days" and "dates the
    /// last 90 days' snapshots report" differ.
    var leftOutByTheWindow = 0

    init(events: [Event]) throws {
        var latestStore: [String: [String: Any]] = [:], latestProduct: [String: [String: Any]] = [:]
        var snapshots: [String: [(time: Date, json: [String: Any])]] = [:]
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func instant(_ value: Any?) throws -> Date {
            let text = try Self.text(value)
            return try XCTUnwrap(formatter.date(from: text), "an event_time: \(text)")
        }
        // Events in publication order: among equal times, the later published is the newer.
        for event in events {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(event.value)) as? [String: Any])
            let time = try instant(json["event_time"])
            func isNewer(_ current: [String: Any]?) throws -> Bool {
                guard let current else { return true }
                return try time >= instant(current["event_time"])
            }
            switch event.entity {
            case .stores:
                let id = try Self.text(json["store_id"])
                if try isNewer(latestStore[id]) { latestStore[id] = json }
            case .products:
                let id = try Self.text(json["product_id"])
                if try isNewer(latestProduct[id]) { latestProduct[id] = json }
            case .inventory:
                snapshots[try Self.text(json["inventory_id"]), default: []].append((time, json))
            default: break
            }
        }
        for (id, list) in snapshots {
            // The latest snapshot: the greatest event_time, the last published among equals.
            var latest = list[0]
            for snapshot in list.dropFirst() where snapshot.time >= latest.time { latest = snapshot }
            let json = latest.json
            let snapshotDate = try Self.pakistanDate(json)
            let today = try Self.day(snapshotDate)
            // Restocks are known by the restock dates the pair's snapshots (all up to the latest) report.
            let reported = try Set(list.map { try Self.text($0.json["last_restock_date"]) })
            let inWindow = try reported.filter { try (today - 89...today).contains(Self.day($0)) }.sorted()
            let windowStart = latest.time.addingTimeInterval(-90 * 86_400)
            leftOutByTheWindow += try Set(
                list.filter { $0.time > windowStart && $0.time <= latest.time }
                    .map { try Self.text($0.json["last_restock_date"]) }
            ).subtracting(inWindow).count
            var cycle: Int?
            if inWindow.count > 1 {
                let span = try Self.day(inWindow.last!) - Self.day(inWindow.first!), gaps = inWindow.count - 1
                cycle = (200 * span + gaps) / (2 * gaps)  // 100 × span / gaps, rounded half up (never negative)
            }
            let storeId = try Self.text(json["store_id"]), productId = try Self.text(json["product_id"])
            let stock = try Self.int(json["stock_level"]), reorder = try Self.int(json["reorder_level"])
            // Every store and product is published, so no pair falls back to gold's 'unknown'.
            let store = try XCTUnwrap(latestStore[storeId], "\(storeId) was published")
            let product = try XCTUnwrap(latestProduct[productId], "\(productId) was published")
            rows[id] = Row(
                inventoryId: id, storeId: storeId, storeName: try Self.text(store["store_name"]),
                productId: productId, modelName: try Self.text(product["model_name"]), category: try Self.text(product["category"]),
                snapshotDate: snapshotDate, stockLevel: stock, reorderLevel: reorder, belowReorder: stock < reorder,
                damagedUnits: try Self.int(json["damaged_units"]), lastRestockDate: try Self.text(json["last_restock_date"]),
                restocks: inWindow.count, cycleHundredths: cycle)
        }
    }

    static func text(_ value: Any?) throws -> String { try XCTUnwrap(value as? String, "a string field: \(String(describing: value))") }
    static func int(_ value: Any?) throws -> Int {
        try XCTUnwrap((value as? NSNumber)?.intValue, "an integer field: \(String(describing: value))")
    }

    /// The business date of an event: the generator writes event_time in Pakistan time (+05:00), so its date.
    static func pakistanDate(_ json: [String: Any]) throws -> String {
        let text = try text(json["event_time"])
        XCTAssertTrue(text.hasSuffix("+05:00"), text)
        return String(text.prefix(10))
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD`.
    static func day(_ date: String) throws -> Int {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { throw Malformed("not a date: \(date)") }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let instant = try XCTUnwrap(calendar.date(from: components))
        return Int(instant.timeIntervalSince1970 / 86_400)
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension InventoryTruth.Row {
    /// A row of gold.inventory_health as either engine prints it.
    init(gold cells: [String?]) throws {
        func cell(_ i: Int) throws -> String { try XCTUnwrap(cells[i], "column \(i) is NULL: \(cells)") }
        func int(_ i: Int) throws -> Int { try XCTUnwrap(Int(cell(i)), "column \(i) is not an integer: \(cells)") }
        let below = try cell(9)
        guard ["1", "0", "true", "false"].contains(below) else { throw InventoryTruth.Malformed("below_reorder \(below)") }
        self.init(
            inventoryId: try cell(0), storeId: try cell(1), storeName: try cell(2), productId: try cell(3), modelName: try cell(4),
            category: try cell(5), snapshotDate: String(try cell(6).prefix(10)), stockLevel: try int(7), reorderLevel: try int(8),
            belowReorder: below == "1" || below == "true", damagedUnits: try int(10), lastRestockDate: String(try cell(11).prefix(10)),
            restocks: try int(12),
            cycleHundredths: try cells[13].map { text in
                Int((try XCTUnwrap(Double(text), "avg_restock_cycle_days \(text)") * 100).rounded())
            })
    }
}

import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamGold
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// The repository's sql/ folder.
let sqlDirectory = TopicCatalog.sourceDirectory.deletingLastPathComponent().appendingPathComponent("sql")
let catalog = try! TopicCatalog.load(directory: TopicCatalog.sourceDirectory)

/// An empty SQLite warehouse in a temporary folder, silver tables and views created.
func sqliteWarehouse() throws -> any Warehouse {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gold-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try prepared(makeWarehouse(url: "sqlite://\(dir.path)/warehouse.db"))
}

/// A project of its own on the BigQuery emulator, silver created. Under CI=true a missing
/// emulator fails the test; elsewhere it skips.
func emulatorWarehouse() throws -> any Warehouse {
    _ = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")
    return try prepared(
        makeWarehouse(
            url: "bigquery://gold-\(UUID().uuidString.prefix(8).lowercased())",
            environment: ProcessInfo.processInfo.environment))
}

private func prepared(_ warehouse: any Warehouse) throws -> any Warehouse {
    let setup = WarehouseSetup(warehouse: warehouse, sqlDirectory: sqlDirectory, schema: try SilverSchema(catalog: catalog))
    XCTAssertEqual(try setup.apply(), [], "silver matches sql/")
    return warehouse
}

func compactor(_ warehouse: any Warehouse) throws -> Compactor {
    try Compactor(warehouse: warehouse, sql: GoldSQL(directory: sqlDirectory, dialect: warehouse.dialect))
}

/// A simulation whose days are loaded into silver one call at a time.
final class History: @unchecked Sendable {
    let simulator: Simulator
    let backfill: SilverBackfill
    /// The topics loaded into silver; the others are simulated and left out.
    let topics: Set<Entity>

    init(into warehouse: any Warehouse, seed: UInt64 = 7, ordersPerDay: Int = 120, topics: Set<Entity> = Set(Entity.allCases)) throws {
        var config = SimulationConfig(seed: seed, startDate: SimDate(year: 2025, month: 1, day: 28), ordersPerDay: ordersPerDay)
        config.initialCustomers = 400
        simulator = Simulator(config: config)
        self.topics = topics
        backfill = try SilverBackfill(
            warehouse: warehouse, catalog: catalog, batchSize: 500,
            workers: warehouse.dialect == .bigquery ? 4 : 1)
    }

    /// Loads the next `days` days and waits for the inserts. Returns the events loaded.
    @discardableResult
    func load(days: Int) throws -> [Event] {
        var tee = Tee(backfill: backfill, topics: topics)
        for _ in 0..<days { _ = try simulator.emitNextDay(into: &tee) }
        backfill.sync()
        let totals = backfill.progress
        XCTAssertEqual(totals.refused, 0, totals.firstProblem ?? "")
        XCTAssertEqual(totals.failedRows, 0, totals.firstProblem ?? "")
        return tee.events
    }

    /// Hands every event of `topics` to the backfill and keeps a copy.
    struct Tee: EventSink {
        let backfill: SilverBackfill
        let topics: Set<Entity>
        var events: [Event] = []
        mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool
        {
            guard topics.contains(entity) else { return true }
            events.append(Event(entity: entity, key: Array(key), value: Array(value), timestampMs: timestampMs))
            let sink = backfill
            return try sink.emit(entity, key: key, value: value, timestampMs: timestampMs)
        }
    }
}

/// Every gold table's rows, each cell in one spelling for both engines (decimals without
/// trailing zeros, floats to 4 places), sorted: equal snapshots mean equal gold.
func goldSnapshot(_ warehouse: any Warehouse) throws -> [GoldTable: [[String]]] {
    var out: [GoldTable: [[String]]] = [:]
    for table in GoldTable.allCases {
        let result = try warehouse.query("SELECT * FROM \(table.qualifiedName)")
        out[table] = result.rows.map { $0.map(canonical) }.sorted { $0.lexicographicallyPrecedes($1) }
    }
    return out
}

/// Every table of the gold dataset that sql/gold declares — the gold tables, the ledger
/// customer_spend_daily and the compactor's gold._state — by name, each row exactly as the
/// engine prints it (no rounding), rows sorted: equal snapshots mean gold is byte for byte the same.
func rawGoldSnapshot(_ warehouse: any Warehouse) throws -> [String: [[String]]] {
    var out: [String: [[String]]] = [:]
    for table in try GoldSQL(directory: sqlDirectory, dialect: warehouse.dialect).declaredColumns.keys {
        let result = try warehouse.query("SELECT * FROM \(GoldTable.dataset).\(table)")
        out[table] = result.rows.map { $0.map { $0 ?? "NULL" } }.sorted { $0.lexicographicallyPrecedes($1) }
    }
    return out
}

func canonical(_ cell: String?) -> String {
    guard let cell else { return "NULL" }
    if cell.count >= 10, cell.dropFirst(4).first == "-", cell.dropFirst(7).first == "-" { return String(cell.prefix(10)) }
    guard let value = Decimal(string: cell), cell.first.map({ $0.isNumber || $0 == "-" }) == true else { return cell }
    var rounded = Decimal()
    var source = value
    NSDecimalRound(&rounded, &source, 4, .plain)
    return "\(rounded)"
}

/// The business dates the events carry, per source, as the compactor should see them; a
/// customer counts as a sign-up only the first time its id appears (`known` remembers).
func businessDates(of events: [Event], knownCustomers known: inout Set<String>) throws -> [SilverSource: Set<String>] {
    var out: [SilverSource: Set<String>] = [:]
    for event in events {
        let json = try JSONSerialization.jsonObject(with: Data(event.value)) as! [String: Any]
        switch event.entity {
        case .sales: out[.sales, default: []].insert(json["sale_date"] as! String)
        case .shipping: out[.shipping, default: []].insert(json["shipped_date"] as! String)
        case .payments:
            // event_time is written in Pakistan time (+05:00): its date is the business date.
            let time = json["event_time"] as! String
            XCTAssertTrue(time.hasSuffix("+05:00"), time)
            out[.payments, default: []].insert(String(time.prefix(10)))
        case .customers:
            if known.insert(json["customer_id"] as! String).inserted {
                out[.signups, default: []].insert(json["signup_date"] as! String)
            }
        default: break
        }
    }
    return out
}

/// `PKR 1,234`, as the dashboard writes money (rounded to the rupee).
func pkr(_ paisa: Int64) -> String {
    "PKR " + grouped((paisa + 50) / 100)
}

/// `12,345`, as the dashboard writes counts.
func grouped(_ n: some BinaryInteger) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}

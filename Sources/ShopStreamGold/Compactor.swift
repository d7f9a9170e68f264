import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import Synchronization

/// Builds the gold tables from silver, incrementally.
///
/// Each pass: count silver's rows per business date (`@detect` blocks), compare with the
/// counts of the last pass (`gold._state`), and rebuild the gold keys those changes touch —
/// delete them, insert them again from silver — together with the new state, in ONE
/// transaction. So a pass is all or nothing; a row that lands in silver during a pass is
/// either read by it or changes a count the state does not have, and the next pass rebuilds
/// its date (never half-counted); and a pass with nothing new changes nothing (idempotent).
/// Blocks that read the same silver rows share a `@stage` (SQLite): a temporary table made
/// first in that transaction, from every date its readers rebuild, and dropped at its end.
///
/// On SQLite (`ComputesAside`), the blocks that read silver alone (salespeople, payments, shipping, stock)
/// have their queries run on a second connection while the transaction runs the others, and
/// their rows inserted into it before it commits: a pass then keeps both cores busy, and is still
/// one transaction. Their reads see silver as committed when they start, after the counts were
/// taken: a row that lands meanwhile is read or changes a count, as above.
///
/// Run one compactor per warehouse: two at once would contend for the same gold rows.
public final class Compactor: Sendable {
    public let warehouse: any Warehouse
    public let sql: GoldSQL
    /// Whether blocks may run beside the transaction where the warehouse can (for the tests,
    /// which compare gold built both ways).
    let computesAside: Bool
    /// Whether the gold tables were checked against sql/ (once per compactor).
    private let tablesReady = Atomic<Bool>(false)

    public convenience init(warehouse: any Warehouse, sql: GoldSQL) throws {
        try self.init(warehouse: warehouse, sql: sql, computesAside: true)
    }

    init(warehouse: any Warehouse, sql: GoldSQL, computesAside: Bool) throws {
        guard sql.dialect == warehouse.dialect else {
            throw GoldError(.sqlFiles, "the gold SQL is for \(sql.dialect) but the warehouse \(warehouse.url) speaks \(warehouse.dialect)")
        }
        self.warehouse = warehouse
        self.sql = sql
        self.computesAside = computesAside
    }

    /// Creates the gold dataset, tables and views that are missing, and the BI views
    /// (idempotent). A gold table whose columns differ from sql/ (made by an older build) is
    /// an error naming the difference, or, when `recreatingDrifted` (a full refresh, which
    /// rebuilds every table anyway), dropped and made again. Returns the tables re-created.
    @discardableResult
    public func prepare(recreatingDrifted: Bool = false) throws -> [TableName] {
        guard !tablesReady.load(ordering: .acquiring) else { return [] }
        // Facts first: a warehouse without silver is named by silver.sales.
        for entity in Entity.allCases.filter({ !$0.isDimension }) + Entity.allCases.filter(\.isDimension) {
            let table = TableName("silver", entity.rawValue)
            guard try warehouse.columns(of: table) != nil else {
                throw GoldError(
                    .warehouse,
                    "\(warehouse.url) has no table \(table): gold is built from silver; run shopstream warehouse init (or a silver sink) first"
                )
            }
        }
        try warehouse.createDataset(GoldTable.dataset)
        let drifted = try drift()
        if !drifted.isEmpty {
            guard recreatingDrifted else {
                throw GoldError(
                    .drift,
                    "gold differs from sql/gold/tables.\(sql.dialect).sql (an older ShopStream made these tables): "
                        + drifted.map(\.description).joined(separator: "; ")
                        + ". Run shopstream compact --full-refresh: it re-creates the tables that differ and rebuilds gold from silver")
            }
            for table in drifted { try warehouse.execute("DROP TABLE IF EXISTS \(table.table);") }
        }
        try warehouse.execute(sql.tables)
        if let views = sql.views { try warehouse.execute(views) }
        tablesReady.store(true, ordering: .releasing)
        return drifted.map(\.table)
    }

    /// The gold tables that exist with other columns than sql/ declares.
    public func drift() throws -> [TableDrift] {
        var drifted: [TableDrift] = []
        for (name, declared) in sql.declaredColumns.sorted(by: { $0.key < $1.key }) {
            let table = TableName(GoldTable.dataset, name)
            guard let existing = try warehouse.columns(of: table)?.map(\.name) else { continue }
            let missing = declared.filter { !existing.contains($0) }
            let extra = existing.filter { !declared.contains($0) }
            if !missing.isEmpty || !extra.isEmpty { drifted.append(TableDrift(table: table, missing: missing, extra: extra)) }
        }
        return drifted
    }

    /// One pass. `fullRefresh` rebuilds every table whole.
    @discardableResult
    public func compact(fullRefresh: Bool = false) throws -> CompactionReport {
        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = Self.timestamp(Date())
        let recreated = try prepare(recreatingDrifted: fullRefresh)
        let previous = try readState()
        let current = try detect()
        let plan = CompactionPlan(previous: previous, current: current, fullRefresh: fullRefresh)
        if plan.isUpToDate {
            return CompactionReport(plan: plan, recreated: recreated, elapsed: clock.now - started)
        }
        var script: [String] = []
        // Stages first (the silver rows their readers share), dropped once the builds are done.
        let stages = sql.stages.compactMap { stage in plan.keys(for: stage).map { (stage, $0) } }
        for (stage, keys) in stages {
            script.append("-- stage \(stage.name)\n" + (try sql.create(stage, keys: keys)))
        }
        let beside = computesAside ? warehouse as? any ComputesAside : nil
        var aside: [AsideInsert] = []
        // Labels set again after the rows computed aside are in.
        var labelsAfterAside: [String] = []
        for table in GoldTable.allCases {
            var isAside = false
            if let keys = plan.tables[table] {
                let block = try sql.render(table, keys: keys)
                if beside != nil, let split = sql.aside(table, rendered: block) {
                    script.append("-- \(table.qualifiedName): its rows computed aside\n" + split.deletes)
                    aside.append(split.insert)
                    isAside = true
                } else {
                    script.append("-- \(table.qualifiedName)\n" + block)
                }
            }
            if plan.relabel.contains(table), let relabel = sql.relabel[table] {
                let labels = "-- \(table.qualifiedName): labels\n" + relabel
                if isAside { labelsAfterAside.append(labels) } else { script.append(labels) }
            }
        }
        let end = labelsAfterAside + stages.map { sql.drop($0.0) } + stateUpdate(plan, at: startedAt)
        if let beside, !aside.isEmpty {
            try beside.executeTransaction(script.joined(separator: "\n"), aside: aside, then: end.joined(separator: "\n"))
        } else {
            try warehouse.executeTransaction((script + end).joined(separator: "\n"))
        }
        return CompactionReport(plan: plan, recreated: recreated, computedAside: aside.map(\.table), elapsed: clock.now - started)
    }

    /// The counts silver has now.
    public func detect() throws -> SilverCounts {
        var counts: SilverCounts = [:]
        for source in SilverSource.allCases {
            let result = try warehouse.query(sql.detect[source]!)
            var byDate: [String?: Int] = [:]
            for row in result.rows {
                guard row.count >= 2, let text = row[1], let n = Int(text) else {
                    throw GoldError(.state, "@detect \(source.rawValue) must return (business_date, row_count); got \(result.columns)")
                }
                byDate[row[0].map(Self.day)] = n
            }
            counts[source] = byDate
        }
        return counts
    }

    /// The counts the last pass stored (empty: never compacted).
    public func readState() throws -> SilverCounts {
        let result = try warehouse.query("SELECT source, business_date, row_count FROM gold._state")
        var counts: SilverCounts = [:]
        for row in result.rows {
            guard let name = row[0], let source = SilverSource(rawValue: name), let text = row[2], let n = Int(text) else { continue }
            counts[source, default: [:]][row[1].map(Self.day)] = n
        }
        return counts
    }

    /// Statements that make `gold._state` hold the plan's counts for what it touched.
    func stateUpdate(_ plan: CompactionPlan, at time: String) -> [String] {
        var statements: [String] = []
        var rows: [String] = []
        let stamp = sql.timestampLiteral(time)
        func row(_ source: SilverSource, _ day: String?, _ n: Int) -> String {
            "('\(source.rawValue)', \(day.map(sql.dateLiteral) ?? "NULL"), \(n), \(stamp))"
        }
        if plan.fullRefresh {
            statements.append("DELETE FROM gold._state WHERE TRUE;")
            for source in SilverSource.allCases {
                for (day, n) in (plan.counts[source] ?? [:]).sorted(by: { ($0.key ?? "") < ($1.key ?? "") }) {
                    rows.append(row(source, day, n))
                }
            }
        } else {
            for source in SilverSource.allCases {
                guard let keys = plan.touched[source] else { continue }
                let days = keys.compactMap { $0 }
                var conditions: [String] = []
                if !days.isEmpty { conditions.append("business_date IN (\(days.map(sql.dateLiteral).joined(separator: ", ")))") }
                if keys.contains(where: { $0 == nil }) { conditions.append("business_date IS NULL") }
                statements.append(
                    "DELETE FROM gold._state WHERE source = '\(source.rawValue)' AND (\(conditions.joined(separator: " OR ")));")
                for key in keys { if let n = plan.counts[source]?[key] { rows.append(row(source, key, n)) } }
            }
        }
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + 400, rows.count)]
            statements.append(
                "INSERT INTO gold._state (source, business_date, row_count, compacted_at) VALUES\n  " + chunk.joined(separator: ",\n  ")
                    + ";")
            start += 400
        }
        return statements
    }

    /// `2025-01-01` from a DATE as either engine prints it.
    static func day(_ text: String) -> String { String(text.prefix(10)) }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// What a pass did.
public struct CompactionReport: Sendable {
    public let plan: CompactionPlan
    /// Tables dropped and made again because their columns differed from sql/.
    public let recreated: [TableName]
    /// Tables whose rows were computed on a second connection beside the pass (`ComputesAside`).
    public let computedAside: [TableName]
    public let elapsed: Duration

    public init(plan: CompactionPlan, recreated: [TableName] = [], computedAside: [TableName] = [], elapsed: Duration) {
        self.plan = plan
        self.recreated = recreated
        self.computedAside = computedAside
        self.elapsed = elapsed
    }

    /// One line per re-created table, then one per rebuilt table, e.g.
    /// `daily_sales: 2 dates (2025-03-01 … 2025-03-02)`.
    public var lines: [String] {
        recreated.map { "re-created \($0): its columns differed from sql/" }
            + GoldTable.allCases.compactMap { table in
                var parts: [String] = []
                switch plan.tables[table] {
                case nil: break
                case .whole: parts.append("whole table")
                case .dates(let d): parts.append("\(d.count) date\(d.count == 1 ? "" : "s") (\(Self.span(d)))")
                case .months(let m, _):
                    parts.append("\(m.count) month\(m.count == 1 ? "" : "s") (\(Self.span(m.map { String($0.prefix(7)) })))")
                }
                if plan.relabel.contains(table) { parts.append("labels from the current stores and products") }
                return parts.isEmpty ? nil : "\(table.rawValue): " + parts.joined(separator: "; ")
            }
    }

    /// One sentence.
    public var summary: String {
        let seconds = String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        if plan.isUpToDate { return "gold is up to date: nothing new in silver (\(seconds) s)" }
        let kind = plan.fullRefresh ? "full refresh" : "incremental"
        return "\(kind): rebuilt \(plan.changedTables.count) of \(GoldTable.allCases.count) gold tables in \(seconds) s"
    }

    static func span(_ keys: [String]) -> String {
        guard let first = keys.first, let last = keys.last else { return "" }
        return first == last ? first : "\(first) … \(last)"
    }
}

/// A gold table whose columns are not the ones sql/ declares.
public struct TableDrift: Sendable, Equatable, CustomStringConvertible {
    public let table: TableName
    /// Declared in sql/, absent from the table.
    public let missing: [String]
    /// In the table, not declared in sql/.
    public let extra: [String]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("lacks \(missing.joined(separator: ", "))") }
        if !extra.isEmpty { parts.append("has \(extra.joined(separator: ", ")) that sql/ no longer declares") }
        return "\(table) " + parts.joined(separator: " and ")
    }
}

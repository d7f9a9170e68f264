/// Row counts of the watched silver tables: per source, per business date (nil: the whole table).
public typealias SilverCounts = [SilverSource: [String?: Int]]

/// What one compaction pass rebuilds, decided from the counts silver has now and the counts
/// the last pass saw (kept in `gold._state`).
///
/// A business date is touched when its row count changed. Silver only grows (at least once:
/// a duplicate grows a count too, and rebuilding that date is harmless), so a date with the
/// same count holds the same rows, and its gold rows stand.
public struct CompactionPlan: Sendable, Equatable {
    public let fullRefresh: Bool
    /// The keys whose count changed, per source (nil: the whole-table count).
    public let touched: [SilverSource: [String?]]
    /// The tables to rebuild and which of their keys; a table not here stays as it is.
    public let tables: [GoldTable: RebuildKeys]
    /// The tables whose dimension labels are set again from the current stores and products
    /// (after their rebuilt keys, if any): a store or product changed.
    public let relabel: Set<GoldTable>
    /// The counts this pass stores as its state.
    public let counts: SilverCounts

    /// Past this many dates a table is rebuilt whole: one scan beats a long IN list.
    public static let wholeTableThreshold = 400

    public init(previous: SilverCounts, current: SilverCounts, fullRefresh: Bool) {
        self.counts = current
        var touched: [SilverSource: [String?]] = [:]
        for source in SilverSource.allCases {
            let now = current[source] ?? [:], before = previous[source] ?? [:]
            let keys = Set(now.keys).union(before.keys).filter { now[$0] != before[$0] }
            if !keys.isEmpty { touched[source] = keys.sorted { ($0 ?? "") < ($1 ?? "") } }
        }
        self.touched = touched
        // Never compacted (or told to): everything, whole.
        let everything = fullRefresh || previous.values.allSatisfy(\.isEmpty)
        self.fullRefresh = everything
        if everything {
            tables = Dictionary(uniqueKeysWithValues: GoldTable.allCases.map { ($0, .whole) })
            relabel = []
            return
        }

        func dates(_ source: SilverSource) -> Set<String> { Set((touched[source] ?? []).compactMap { $0 }) }
        let allSaleDates = (current[.sales] ?? [:]).keys.compactMap { $0 }.sorted()
        let allSignupDates = (current[.signups] ?? [:]).keys.compactMap { $0 }
        func byDate(_ days: Set<String>) -> RebuildKeys? {
            if days.isEmpty { return nil }
            return days.count > CompactionPlan.wholeTableThreshold ? .whole : .dates(days.sorted())
        }
        func byMonth(_ days: Set<String>) -> RebuildKeys? {
            let months = Set(days.map { String($0.prefix(7)) + "-01" })
            if months.isEmpty { return nil }
            let inside = allSaleDates.filter { months.contains(String($0.prefix(7)) + "-01") }
            return inside.count > CompactionPlan.wholeTableThreshold ? .whole : .months(months.sorted(), saleDates: inside)
        }

        let sales = dates(.sales)
        // A sign-up moves the cumulative count of every later day.
        var customerDays = sales
        if let earliest = dates(.signups).min() {
            customerDays.formUnion(allSaleDates.filter { $0 >= earliest })
            customerDays.formUnion(allSignupDates.filter { $0 >= earliest })
        }
        var tables: [GoldTable: RebuildKeys] = [:]
        tables[.dailySales] = byDate(sales)
        tables[.productDaily] = byDate(sales)
        tables[.salespersonMonthly] = byMonth(sales)
        tables[.paymentDaily] = byDate(dates(.payments))
        tables[.shippingDaily] = byDate(dates(.shipping))
        tables[.customerDaily] = byDate(customerDays)
        tables[.executiveMonthly] = byMonth(customerDays)
        // Keyed by entity: the customers (stock pairs) of the touched days, found by the SQL.
        tables[.customerTotals] = byDate(sales)
        if touched[.customers] != nil || !sales.isEmpty { tables[.customerSegments] = .whole }
        // A launched, renamed or re-priced product (or a store) changes the labels of pairs whose
        // stock did not move: set them again rather than rebuild every pair from its history.
        tables[.inventoryHealth] = byDate(dates(.inventory))
        self.relabel = touched[.products] != nil || touched[.stores] != nil ? Set(GoldTable.relabelled) : []
        self.tables = tables
    }

    /// The dates a stage holds this pass: every date its readers rebuild (a monthly reader's
    /// sale dates), whole when one of them is rebuilt whole or past the threshold; nil when
    /// the pass rebuilds none of them (the stage is not made).
    public func keys(for stage: GoldStage) -> RebuildKeys? {
        var days = Set<String>()
        var read = false
        for reader in stage.readers {
            switch tables[reader] {
            case nil: continue
            case .whole: return .whole
            case .dates(let d): days.formUnion(d)
            case .months(_, let d): days.formUnion(d)
            }
            read = true
        }
        guard read else { return nil }
        return days.count > CompactionPlan.wholeTableThreshold ? .whole : .dates(days.sorted())
    }

    /// Nothing changed since the last pass.
    public var isUpToDate: Bool { tables.isEmpty && relabel.isEmpty }

    /// The tables this pass changes: rebuilt, relabelled or both.
    public var changedTables: Set<GoldTable> { Set(tables.keys).union(relabel) }
}

import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import Synchronization

/// An ordered list of checks, run together against one warehouse. Start from the standard suite
/// and append your own:
///
/// ```swift
/// var suite = try CheckSuite.standard(catalog: catalog, configuration: configuration)
/// suite.append(.unique(table: TableName("gold", "daily_sales"), columns: ["business_date", "store_id"]))
/// let report = suite.selecting(["unique*"]).run(on: warehouse)
/// print(report.lines.joined(separator: "\n"))
/// ```
public struct CheckSuite: Sendable {
    public private(set) var checks: [Check]

    /// A suite of `checks`, in the order they are reported. Names must be unique.
    public init(_ checks: [Check] = []) {
        self.checks = []
        append(contentsOf: checks)
    }

    /// Adds a check at the end. Its name must not be in the suite already.
    public mutating func append(_ check: Check) {
        precondition(
            !checks.contains { $0.name == check.name }, "the suite already has a check named \(check.name); give the new one another name")
        checks.append(check)
    }

    public mutating func append(contentsOf checks: [Check]) {
        for check in checks { append(check) }
    }

    /// The names, in order.
    public var names: [String] { checks.map(\.name) }

    /// The checks whose name matches any of `patterns`: a glob (`*` any text, `?` one character)
    /// when the pattern has one, else a substring (`unique`, `silver.sales_dedup`). No patterns:
    /// the whole suite.
    public func selecting(_ patterns: [String]) -> CheckSuite {
        guard !patterns.isEmpty else { return self }
        return CheckSuite(checks.filter { check in patterns.contains { CheckSuite.matches(check.name, pattern: $0) } })
    }

    static func matches(_ name: String, pattern: String) -> Bool {
        guard pattern.contains("*") || pattern.contains("?") else { return name.contains(pattern) }
        return Glob.matches(Array(name.unicodeScalars), Array(pattern.unicodeScalars))
    }

    /// How a suite runs.
    public struct RunConfiguration: Sendable {
        /// Offending rows shown per failed check (default 5).
        public var sampleSize: Int
        /// Checks in flight at once (default 4). BigQuery answers each query in about a second,
        /// so running several at once matters there; SQLite runs them one by one anyway.
        public var parallelism: Int

        public init(sampleSize: Int = 5, parallelism: Int = 4) {
            self.sampleSize = sampleSize
            self.parallelism = parallelism
        }
    }

    /// Runs every check and reports each. A check whose query fails is a FAIL naming the error;
    /// the others still run. Blocks the calling thread (as the warehouse does); call it from a
    /// thread of your own, not from Swift concurrency's cooperative pool.
    public func run(on warehouse: any Warehouse, configuration: RunConfiguration = RunConfiguration()) -> CheckReport {
        let started = ContinuousClock.now
        let results = ResultSlots(count: checks.count)
        let workers = max(1, min(configuration.parallelism, checks.count))
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            startThread(named: "check") { [checks] in
                while let index = results.claim() {
                    results.set(index, CheckSuite.run(checks[index], on: warehouse, sampleSize: configuration.sampleSize))
                }
                group.leave()
            }
        }
        group.wait()
        return CheckReport(results: results.all, warehouse: warehouse.url, elapsed: ContinuousClock.now - started)
    }

    /// One check: its required tables, then its offending rows (a sample, and a count when the
    /// sample is full).
    static func run(_ check: Check, on warehouse: any Warehouse, sampleSize: Int) -> CheckResult {
        let started = ContinuousClock.now
        func result(_ status: CheckResult.Status, _ offending: Check.Offending? = nil, _ detail: String? = nil, _ sql: String? = nil)
            -> CheckResult
        {
            CheckResult(
                name: check.name, kind: check.kind, status: status, offending: offending, detail: detail, sql: sql,
                elapsed: ContinuousClock.now - started)
        }
        do {
            for requirement in check.requires where try warehouse.columns(of: requirement.table) == nil {
                return result(requirement.severity == .warn ? .warn : .fail, nil, requirement.whenMissing)
            }
        } catch {
            return result(.fail, nil, "could not look for the tables it needs: \(oneLine(error))")
        }
        let sql = check.sql.text(for: warehouse.dialect).trimmingCharacters(
            in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
        do {
            // One query when the check passes (the usual case); a count only when the sample is full.
            let sample = try warehouse.query("SELECT * FROM (\n\(sql)\n) AS offending ORDER BY 1 LIMIT \(sampleSize + 1)")
            if sample.rows.isEmpty { return result(.pass, nil, nil, sql) }
            var count = sample.rows.count
            if count > sampleSize {
                let counted = try warehouse.query("SELECT COUNT(*) AS offending_rows FROM (\n\(sql)\n) AS offending")
                count = counted.scalar.flatMap { Int($0) } ?? count
            }
            let offending = Check.Offending(
                count: count, sample: QueryResult(columns: sample.columns, rows: Array(sample.rows.prefix(sampleSize))))
            let detail = check.explain?(offending) ?? offending.described
            return result(check.severity == .warn ? .warn : .fail, offending, detail, sql)
        } catch {
            return result(.fail, nil, "could not run: \(oneLine(error))", sql)
        }
    }

    private static func oneLine(_ error: Error) -> String {
        "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Results written by the worker threads, each into its own slot.
private final class ResultSlots: Sendable {
    private let state: Mutex<(next: Int, slots: [CheckResult?])>

    init(count: Int) { state = Mutex((0, Array(repeating: nil, count: count))) }

    /// The next check to run, or nil when every one is taken.
    func claim() -> Int? {
        state.withLock { state in
            guard state.next < state.slots.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    func set(_ index: Int, _ result: CheckResult) { state.withLock { $0.slots[index] = result } }
    var all: [CheckResult] { state.withLock { $0.slots.map { $0! } } }
}

/// `*` and `?` wildcards, nothing else (check names are full of brackets and dots).
enum Glob {
    static func matches(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        var t = 0, p = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                t += 1; p += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

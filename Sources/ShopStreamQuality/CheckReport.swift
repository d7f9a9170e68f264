/// The results of a suite's run, in the suite's order.
public struct CheckReport: Sendable {
    public var results: [CheckResult]
    /// Which warehouse the checks ran against.
    public var warehouse: String
    public var elapsed: Duration

    public init(results: [CheckResult], warehouse: String, elapsed: Duration) {
        self.results = results
        self.warehouse = warehouse
        self.elapsed = elapsed
    }

    public var passed: Int { results.count(where: { $0.status == .pass }) }
    public var failed: Int { results.count(where: { $0.status == .fail }) }
    public var warnings: Int { results.count(where: { $0.status == .warn }) }

    /// True when no check failed (warnings do not count).
    public var succeeded: Bool { failed == 0 }

    /// `43 checks: 42 passed, 1 failed, 0 warnings`.
    public var summary: String {
        "\(results.count) \(results.count == 1 ? "check" : "checks"): \(passed) passed, \(failed) failed, \(warnings) \(warnings == 1 ? "warning" : "warnings")"
    }

    /// One line per check, then the summary.
    public var lines: [String] { results.map(\.line) + [summary] }

    /// The result of the check called `name`, if it ran.
    public subscript(name: String) -> CheckResult? { results.first { $0.name == name } }
}

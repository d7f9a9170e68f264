/// Why an event was refused: at least one violation, with the sentence and field
/// the dead-letter record and `silver.rejects` carry.
public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
    public var violations: [Violation]

    /// Longest reason kept (the dead-letter schema allows 1000 characters).
    public static let maxReasonLength = 1000

    public init(_ violations: [Violation]) {
        precondition(!violations.isEmpty, "a rejection needs a reason")
        self.violations = violations
    }

    public init(_ violation: Violation) { self.init([violation]) }

    /// Every violation, `; `-separated, cut to `maxReasonLength` characters.
    public var reason: String {
        let text = violations.map(\.description).joined(separator: "; ")
        guard text.count > Rejection.maxReasonLength else { return text }
        return String(text.prefix(Rejection.maxReasonLength - 1)) + "…"
    }

    /// The first violation's field (nil when the message as a whole is bad).
    public var field: String? { violations[0].field }

    public var description: String { reason }
}

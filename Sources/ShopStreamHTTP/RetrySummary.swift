/// What a client retried, so a caller can report "retried 3 times: 503, 503, reset".
public struct RetrySummary: Sendable, Equatable, CustomStringConvertible {
    /// How many retries were made.
    public private(set) var count: Int = 0
    /// Why, oldest first: an HTTP status ("503") or a transport failure ("reset", "timeout",
    /// "refused", "dropped", "tls", "dead keep-alive"). Only the last `reasonLimit` are kept;
    /// `count` and `countsByReason` are exact.
    public private(set) var reasons: [String] = []
    /// How many retries each reason caused.
    public private(set) var countsByReason: [String: Int] = [:]

    static let reasonLimit = 100

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public mutating func record(_ reason: String) {
        count += 1
        countsByReason[reason, default: 0] += 1
        reasons.append(reason)
        if reasons.count > Self.reasonLimit { reasons.removeFirst(reasons.count - Self.reasonLimit) }
    }

    public mutating func merge(_ other: RetrySummary) {
        count += other.count
        countsByReason.merge(other.countsByReason, uniquingKeysWith: +)
        reasons.append(contentsOf: other.reasons)
        if reasons.count > Self.reasonLimit { reasons.removeFirst(reasons.count - Self.reasonLimit) }
    }

    /// "no retries", or "retried 3 times: 503, 503, reset".
    public var description: String {
        switch count {
        case 0: return "no retries"
        case 1: return "retried once: \(reasons.joined(separator: ", "))"
        default:
            let shown = reasons.joined(separator: ", ")
            return "retried \(count) times: " + (count > reasons.count ? "…, " + shown : shown)
        }
    }
}

/// How a resource on a bus (a Kafka topic, a Pub/Sub topic or subscription) compares with its
/// definition in topics/, after a reconcile. One type for both buses, so `topics` reports them alike.
public enum ReconcileState: Sendable, Equatable, CustomStringConvertible {
    /// There as defined.
    case matches
    /// Not there.
    case missing
    /// Created by this run.
    case created
    /// There but different; left as it is. Each entry is one difference.
    case drifted([String])
    /// Was drifted; what the bus lets change in place was changed (`topics apply --alter`).
    case altered([String])

    /// Different from its definition and left so: what `topics` exits non-zero for.
    public var isDrifted: Bool {
        if case .drifted = self { return true }
        return false
    }

    /// The state column of `topics`: "ok", "missing", "created", "altered: …", "DRIFT: …".
    public var description: String {
        switch self {
        case .matches: "ok"
        case .missing: "missing"
        case .created: "created"
        case .altered(let diffs): "altered: " + diffs.joined(separator: "; ")
        case .drifted(let diffs): "DRIFT: " + diffs.joined(separator: "; ")
        }
    }
}

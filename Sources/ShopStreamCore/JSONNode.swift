/// A JSON value as it was written: numbers keep their text, so money is never
/// rounded through a binary float, and object members keep their order.
public enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's exact text, e.g. `74999.00`.
    case number(String)
    case string(String)
    case array([JSONNode])
    /// Members in the order written (keys are unique; the parser rejects repeats).
    case object([(key: String, value: JSONNode)])

    public static func == (a: JSONNode, b: JSONNode) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The JSON Schema type name of this value (`integer` is refined by the validator).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Compact JSON text, for messages; cut to `limit` characters (rendering
    /// stops there, so a huge document costs no more than a small one).
    public func snippet(limit: Int = 80) -> String {
        var out = ""
        render(into: &out, budget: limit + 1)
        guard out.count > limit else { return out }
        return String(out.prefix(limit - 1)) + "…"
    }

    private func render(into out: inout String, budget: Int) {
        guard out.count < budget else { return }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += JSONNode.quoted(String(s.prefix(budget)))
        case .array(let items):
            out += "["
            for (k, item) in items.enumerated() {
                guard out.count < budget else { return }
                if k > 0 { out += "," }
                item.render(into: &out, budget: budget)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (k, member) in members.enumerated() {
                guard out.count < budget else { return }
                if k > 0 { out += "," }
                out += JSONNode.quoted(String(member.key.prefix(budget))) + ":"
                member.value.render(into: &out, budget: budget)
            }
            out += "}"
        }
    }

    public static func quoted(_ s: String) -> String { JSONText.quoted(s) }
}

import ShopStreamCore
import ShopStreamWarehouse

/// A field after casting, before it becomes a `WarehouseValue`: what the
/// sanity rules compare (day numbers, microseconds, exact decimals).
enum TypedValue: Sendable {
    case null
    case string(String)
    case int(Int64)
    case decimal(ExactDecimal, scale: Int)
    case float(Double)
    case bool(Bool)
    /// Day number and the text as written (`YYYY-MM-DD`).
    case date(Int, String)
    /// The instant and the text as written (with its offset).
    case timestamp(ParsedDateTime, String)

    var warehouseValue: WarehouseValue {
        switch self {
        case .null: return .null
        case .string(let s): return .string(s)
        case .int(let i): return .int64(i)
        case .decimal(let d, let scale): return .numeric(d.text(scale: scale))
        case .float(let f): return .float64(f)
        case .bool(let b): return .bool(b)
        case .date(_, let text): return .date(text)
        case .timestamp(let t, _): return .timestamp(CivilTime.timestampText(utcMicros: t.utcMicros))
        }
    }

    /// The value as written, for messages.
    var written: String {
        switch self {
        case .null: return "null"
        case .string(let s): return JSONNode.quoted(s)
        case .int(let i): return String(i)
        case .decimal(let d, let scale): return d.text(scale: scale)
        case .float(let f): return String(f)
        case .bool(let b): return b ? "true" : "false"
        case .date(_, let text), .timestamp(_, let text): return text
        }
    }
}

/// The cast fields of one event, in the order of its topic's columns, also found by name.
struct TypedFields {
    let layout: RowLayout
    var values: [TypedValue] = []

    init(layout: RowLayout, capacity: Int) {
        self.layout = layout
        values.reserveCapacity(capacity)
    }

    init(layout: RowLayout, values: [TypedValue]) {
        self.layout = layout
        self.values = values
    }

    subscript(name: String) -> TypedValue? { self[at: layout.position(name)] }

    /// The value at `position` (`SanityRules.FieldPositions`), nil for none.
    subscript(at position: Int?) -> TypedValue? {
        guard let position, position < values.count else { return nil }
        return values[position]
    }

    func string(at k: Int?) -> String? { if case .string(let s)? = self[at: k] { return s }; return nil }
    func int(at k: Int?) -> Int64? { if case .int(let i)? = self[at: k] { return i }; return nil }
    func decimal(at k: Int?) -> ExactDecimal? { if case .decimal(let d, _)? = self[at: k] { return d }; return nil }
    func day(at k: Int?) -> Int? { if case .date(let d, _)? = self[at: k] { return d }; return nil }
    func timestamp(at k: Int?) -> ParsedDateTime? { if case .timestamp(let t, _)? = self[at: k] { return t }; return nil }
    func isNull(at k: Int?) -> Bool { if case .null? = self[at: k] { return true }; return self[at: k] == nil }

    /// The field's text as written, for messages ("null" for none).
    func written(_ name: String) -> String { self[name]?.written ?? "null" }
}

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

    subscript(name: String) -> TypedValue? {
        guard let k = layout.position(name), k < values.count else { return nil }
        return values[k]
    }

    func string(_ name: String) -> String? { if case .string(let s)? = self[name] { return s }; return nil }
    func int(_ name: String) -> Int64? { if case .int(let i)? = self[name] { return i }; return nil }
    func decimal(_ name: String) -> ExactDecimal? { if case .decimal(let d, _)? = self[name] { return d }; return nil }
    func day(_ name: String) -> Int? { if case .date(let d, _)? = self[name] { return d }; return nil }
    func timestamp(_ name: String) -> ParsedDateTime? { if case .timestamp(let t, _)? = self[name] { return t }; return nil }
    func isNull(_ name: String) -> Bool { if case .null? = self[name] { return true }; return self[name] == nil }
    func written(_ name: String) -> String { self[name]?.written ?? "null" }
}

import Foundation
import ShopStreamCore
import ShopStreamGenerator
import XCTest

// MARK: Running the simulator

/// Small enough for debug-build tests, busy enough to show every pattern.
func smallConfig(seed: UInt64 = 42, start: SimDate = SimDate(year: 2025, month: 1, day: 1)) -> SimulationConfig {
    SimulationConfig(seed: seed, startDate: start, ordersPerDay: 120, initialCustomers: 600, signupsPerDay: 3)
}

/// The first `count` events of a simulation.
func collect(_ config: SimulationConfig = SimulationConfig(), events count: Int) throws -> [Event] {
    var sink = EventCollector(limit: count)
    try Simulator(config: config).run(days: nil, into: &sink)
    return sink.events
}

/// Every event of `days` days.
func collect(_ config: SimulationConfig, days: Int) throws -> [Event] {
    var sink = EventCollector()
    try Simulator(config: config).run(days: days, into: &sink)
    return sink.events
}

// MARK: Live simulations

/// Milliseconds since the epoch of a wall-clock time in Pakistan (UTC+05:00, the business's time zone).
func pakistanTime(_ date: SimDate, _ hour: Int, _ minute: Int = 0, _ second: Int = 0, ms: Int = 0) -> Int64 {
    date.epochMilliseconds + Int64(((hour * 60 + minute) * 60 + second) * 1000 + ms) - 5 * 3_600_000
}

/// An instant as the generator writes `event_time`: `2026-09-15T15:42:17.123+05:00`.
func pakistanTimestamp(_ ms: Int64) -> String {
    let local = ms + 5 * 3_600_000
    let day = SimDate(daysSinceEpoch: Int(local / 86_400_000))
    let t = Int(local % 86_400_000)
    func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: w - String(v).count) + String(v) }
    return "\(day)T\(pad(t / 3_600_000, 2)):\(pad(t / 60_000 % 60, 2)):\(pad(t / 1000 % 60, 2)).\(pad(t % 1000, 3))+05:00"
}

/// Every event dated before `endMs`: the simulation stops at the first one at or after it.
func collect(_ config: SimulationConfig, until endMs: Int64) throws -> [Event] {
    var sink = Until(endMs: endMs, inner: EventCollector())
    try Simulator(config: config).run(days: nil, into: &sink)
    return sink.inner.events
}

/// Counts events per hour and per day (both as numbered since the epoch, days in Pakistan),
/// without keeping them, until the first event at or after `endMs`.
func countPerHourAndDay(_ config: SimulationConfig, until endMs: Int64) throws -> (perHour: [Int: Int], perDay: [Int: Int]) {
    var sink = Until(endMs: endMs, inner: HourAndDayCounter())
    try Simulator(config: config).run(days: nil, into: &sink)
    return (sink.inner.perHour, sink.inner.perDay)
}

/// Hands on events dated before `endMs`; asks to stop at the first one at or after it.
struct Until<Inner: EventSink>: EventSink {
    let endMs: Int64
    var inner: Inner

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        guard timestampMs < endMs else { return false }
        return try inner.emit(entity, key: key, value: value, timestampMs: timestampMs)
    }
}

struct HourAndDayCounter: EventSink {
    var perHour: [Int: Int] = [:]
    var perDay: [Int: Int] = [:]

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        perHour[Int(timestampMs / 3_600_000), default: 0] += 1
        perDay[Int((timestampMs + 5 * 3_600_000) / 86_400_000), default: 0] += 1
        return true
    }
}

// MARK: References

/// Where `events` break referential integrity: a reference to an id not published
/// earlier in the sequence, or a payment or shipment dated before its sale. At most
/// ten, as "event i: what"; also how many sales were seen.
func referenceProblems(_ events: [Event]) -> (problems: [String], sales: Int) {
    var customers = Set<String>(), products = Set<String>(), stores = Set<String>()
    var saleTimes: [String: String] = [:]
    var problems: [String] = []
    func require(_ set: Set<String>, _ id: String, _ what: String, _ i: Int) {
        if !set.contains(id) && problems.count < 10 { problems.append("event \(i): \(what) \(id) not published before") }
    }
    for (i, event) in events.enumerated() {
        func e(_ name: String) -> String { event.field(name) ?? "<missing \(name)>" }
        switch event.entity {
        case .customers: customers.insert(e("customer_id"))
        case .products: products.insert(e("product_id"))
        case .stores: stores.insert(e("store_id"))
        case .inventory:
            require(stores, e("store_id"), "store", i)
            require(products, e("product_id"), "product", i)
        case .sales:
            require(customers, e("customer_id"), "customer", i)
            require(products, e("product_id"), "product", i)
            require(stores, e("store_id"), "store", i)
            saleTimes[e("sale_id")] = e("event_time")
        case .payments, .shipping:
            let sale = e("sale_id")
            if let saleTime = saleTimes[sale] {
                // Same fixed-width format and offset, so text order is time order.
                if e("event_time") < saleTime && problems.count < 10 {
                    problems.append("event \(i): \(event.entity) at \(e("event_time")) before its sale at \(saleTime)")
                }
            } else if problems.count < 10 {
                problems.append("event \(i): \(event.entity) for unpublished sale \(sale)")
            }
        }
    }
    return (problems, saleTimes.count)
}

/// Sales per day and customers at the end of each day, over the year 2025 (small config).
struct YearOfSales: Sendable {
    var start: SimDate
    var salesPerDay: [Int] = []
    var customersAtEndOfDay: [Int] = []
    /// Sales per hour of the day (UTC) over the year, from the sales events themselves.
    var salesPerHour = [Int](repeating: 0, count: 24)
    /// Per day: discount and line value (quantity × unit price) in paisa, and sales carrying a promotion.
    var discountPerDay: [Int64] = []
    var lineValuePerDay: [Int64] = []
    var promotedSalesPerDay: [Int] = []

    func sales(on date: SimDate) -> Int { salesPerDay[date.daysSinceEpoch - start.daysSinceEpoch] }

    /// Mean sales per day over `first…last`.
    func meanSales(_ first: SimDate, _ last: SimDate) -> Double {
        let days = (first.daysSinceEpoch...last.daysSinceEpoch).map { salesPerDay[$0 - start.daysSinceEpoch] }
        return Double(days.reduce(0, +)) / Double(days.count)
    }

    static let shared: YearOfSales = {
        let config = smallConfig()
        let simulator = Simulator(config: config)
        var year = YearOfSales(start: config.startDate)
        var sink = SalesTally()
        for _ in 0..<365 {
            sink.startDay()
            _ = try! simulator.emitNextDay(into: &sink)
            year.salesPerDay.append(sink.sales)
            year.customersAtEndOfDay.append(simulator.stats.customers)
            year.discountPerDay.append(sink.discount)
            year.lineValuePerDay.append(sink.lineValue)
            year.promotedSalesPerDay.append(sink.promoted)
        }
        year.salesPerHour = sink.perHour
        return year
    }()
}

/// Reads the sales events of a day as they pass.
struct SalesTally: EventSink {
    var sales = 0, promoted = 0
    var discount: Int64 = 0, lineValue: Int64 = 0
    var perHour = [Int](repeating: 0, count: 24)

    mutating func startDay() { sales = 0; promoted = 0; discount = 0; lineValue = 0 }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        guard entity == .sales else { return true }
        let bytes = Array(value)
        func money(_ name: String) -> Int64 { JSON.number(field(name, in: bytes)!).paisa }
        sales += 1
        perHour[Int(field("event_time", in: bytes)!.dropFirst(11).prefix(2))!] += 1
        discount += money("discount")
        lineValue += Int64(field("quantity", in: bytes)!)! * money("unit_price")
        if field("promotion", in: bytes) != "null" { promoted += 1 }
        return true
    }
}

// MARK: Topics

/// The repository's `topics/` folder, found from this file (symlinks resolved,
/// so the tests also find it when built through a package that links this folder).
let topicsDirectory: URL = {
    let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("topics")
}()

func loadTopic(_ name: String) throws -> TopicDefinition {
    let data = try Data(contentsOf: topicsDirectory.appendingPathComponent("\(name).json"))
    return try JSONDecoder().decode(TopicDefinition.self, from: data)
}

func loadEntityTopics() throws -> [Entity: TopicDefinition] {
    var topics: [Entity: TopicDefinition] = [:]
    for entity in Entity.allCases { topics[entity] = try loadTopic(entity.rawValue) }
    return topics
}

// MARK: A JSON reader that keeps numbers as written

/// Parsed JSON whose numbers keep their text, so tests can check `74999.00`
/// exactly (two decimals, `multipleOf 0.01`) rather than through a `Double`.
indirect enum JSON: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ bytes: [UInt8]) throws -> JSON {
        var p = Parser(bytes: bytes)
        let value = try p.value()
        p.skipSpace()
        guard p.i == bytes.count else { throw SyntaxError(description: "trailing bytes at \(p.i)") }
        return value
    }

    subscript(key: String) -> JSON {
        if case .object(let o) = self, let v = o[key] { return v }
        return .null
    }

    var string: String { if case .string(let s) = self { return s }; return "" }
    var int: Int { if case .number(let n) = self { return Int(n) ?? Int.min }; return Int.min }

    /// A money amount (`123.45`) in paisa; requires exactly two decimals.
    var paisa: Int64 {
        guard case .number(let n) = self, let dot = n.firstIndex(of: "."),
            n.distance(from: dot, to: n.endIndex) == 3,
            let rupees = Int64(n[..<dot]), let cents = Int64(n[n.index(after: dot)...])
        else { return Int64.min }
        return rupees * 100 + cents
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        func fail(_ what: String) -> SyntaxError { SyntaxError(description: "\(what) at byte \(i)") }

        mutating func value() throws -> JSON {
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws {
            for b in word.utf8 {
                guard i < bytes.count, bytes[i] == b else { throw fail("bad literal") }
                i += 1
            }
        }

        mutating func object() throws -> JSON {
            i += 1
            var members: [String: JSON] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                guard members[key] == nil else { throw fail("duplicate key \(key)") }
                members[key] = try value()
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                i += 1
                return .object(members)
            }
        }

        mutating func array() throws -> JSON {
            i += 1
            var items: [JSON] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                i += 1
                return .array(items)
            }
        }

        mutating func string() throws -> String {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw fail("bad escape") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count,
                            let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16),
                            let scalar = Unicode.Scalar(code)
                        else { throw fail("bad \\u escape") }
                        i += 4
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw fail("bad escape")
                    }
                case 0x00..<0x20: throw fail("control character in string")
                default: out.append(b)
                }
            }
            throw fail("unterminated string")
        }

        mutating func number() throws -> String {
            let start = i
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            func digits() -> Int {
                let s = i
                while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
                return i - s
            }
            let intDigits = digits()
            guard intDigits > 0, !(intDigits > 1 && bytes[i - intDigits] == 0x30) else { throw fail("bad number") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { throw fail("bad fraction") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw fail("bad exponent") }
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
    }
}

// MARK: A JSON Schema checker for the keywords topics/*.json use

/// Checks a value against a draft 2020-12 schema, for the keywords the topic
/// schemas use: type, enum, required, properties, additionalProperties, items,
/// minimum, maximum, minLength, maxLength, pattern, format (date, date-time,
/// email) and multipleOf 0.01 (on the number's text). Any other keyword is an
/// error, so a schema can't silently outgrow the checker.
final class SchemaChecker {
    private var regexes: [String: NSRegularExpression] = [:]
    private static let annotations: Set<String> = ["$schema", "$id", "title", "description"]
    private static let date = try! NSRegularExpression(pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    private static let dateTime = try! NSRegularExpression(
        pattern:
            "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
    )
    private static let email = try! NSRegularExpression(pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")

    /// Problems found, as "path: what"; empty when the value is valid.
    func errors(_ value: JSON, _ schema: JSONValue, path: String = "$") -> [String] {
        var errors: [String] = []
        check(value, schema, path, &errors)
        return errors
    }

    private func check(_ value: JSON, _ schema: JSONValue, _ path: String, _ errors: inout [String]) {
        guard let s = schema.objectValue else { errors.append("\(path): schema is not an object"); return }
        for (keyword, rule) in s.sorted(by: { $0.key < $1.key }) {
            switch keyword {
            case _ where SchemaChecker.annotations.contains(keyword):
                break
            case "type":
                let types = rule.arrayValue?.compactMap(\.stringValue) ?? [rule.stringValue ?? ""]
                if !types.contains(where: { matches(value, type: $0) }) {
                    errors.append("\(path): \(describe(value)) is not of type \(types)")
                }
            case "enum":
                if !(rule.arrayValue ?? []).contains(where: { equal(value, $0) }) {
                    errors.append("\(path): \(describe(value)) is not one of the enum values")
                }
            case "required":
                if case .object(let o) = value {
                    for name in rule.arrayValue?.compactMap(\.stringValue) ?? [] where o[name] == nil {
                        errors.append("\(path): missing required \(name)")
                    }
                }
            case "properties":
                if case .object(let o) = value, let props = rule.objectValue {
                    for (name, sub) in props.sorted(by: { $0.key < $1.key }) {
                        if let v = o[name] { check(v, sub, "\(path).\(name)", &errors) }
                    }
                }
            case "additionalProperties":
                if case .object(let o) = value {
                    let declared = Set(s["properties"]?.objectValue?.keys.map { $0 } ?? [])
                    for name in o.keys.sorted() where !declared.contains(name) {
                        if case .bool(false) = rule {
                            errors.append("\(path): unexpected property \(name)")
                        } else {
                            check(o[name]!, rule, "\(path).\(name)", &errors)
                        }
                    }
                }
            case "items":
                if case .array(let items) = value {
                    for (i, item) in items.enumerated() { check(item, rule, "\(path)[\(i)]", &errors) }
                }
            case "minimum", "maximum":
                if case .number(let text) = value, case .number(let bound) = rule, let n = Double(text) {
                    if keyword == "minimum" ? n < bound : n > bound {
                        errors.append("\(path): \(text) is \(keyword == "minimum" ? "below the minimum" : "above the maximum") \(bound)")
                    }
                }
            case "minLength", "maxLength":
                if case .string(let str) = value, case .number(let bound) = rule {
                    if keyword == "minLength" ? str.count < Int(bound) : str.count > Int(bound) {
                        errors.append("\(path): length \(str.count) breaks \(keyword) \(Int(bound))")
                    }
                }
            case "pattern":
                if case .string(let str) = value, let pattern = rule.stringValue, !matches(str, regex(pattern)) {
                    errors.append("\(path): \"\(str)\" does not match \(pattern)")
                }
            case "format":
                if case .string(let str) = value {
                    switch rule.stringValue {
                    case "date":
                        if !matches(str, SchemaChecker.date) || SimDate(str) == nil { errors.append("\(path): \"\(str)\" is not a date") }
                    case "date-time":
                        if !matches(str, SchemaChecker.dateTime) || SimDate(String(str.prefix(10))) == nil {
                            errors.append("\(path): \"\(str)\" is not a date-time")
                        }
                    case "email":
                        if !matches(str, SchemaChecker.email) { errors.append("\(path): \"\(str)\" is not an e-mail address") }
                    default:
                        errors.append("\(path): format \(rule) is not supported by the checker")
                    }
                }
            case "multipleOf":
                guard case .number(0.01) = rule else { errors.append("\(path): multipleOf \(rule) is not supported by the checker"); break }
                if case .number(let text) = value {
                    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
                    let ok = !text.contains("e") && !text.contains("E") && (parts.count == 1 || parts[1].count <= 2)
                    if !ok { errors.append("\(path): \(text) is not a multiple of 0.01") }
                }
            default:
                errors.append("\(path): keyword \(keyword) is not supported by the checker")
            }
        }
    }

    private func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number):
            return true
        case ("integer", .number(let text)):
            return !text.contains(".") && !text.contains("e") && !text.contains("E")
        default:
            return false
        }
    }

    private func equal(_ value: JSON, _ schemaValue: JSONValue) -> Bool {
        switch (value, schemaValue) {
        case (.null, .null): return true
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return Double(a) == b
        default: return false
        }
    }

    private func describe(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let n): return n
        case .string(let s): return "\"\(s)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private func regex(_ pattern: String) -> NSRegularExpression {
        if let r = regexes[pattern] { return r }
        let r = try! NSRegularExpression(pattern: pattern)
        regexes[pattern] = r
        return r
    }

    private func matches(_ s: String, _ regex: NSRegularExpression) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}

/// Reads one top-level field of the generator's flat JSON without parsing the
/// rest: the string's contents, or a literal's text. Far faster than `JSON.parse`
/// in debug builds, for tests that walk hundreds of thousands of events
/// (well-formedness is checked elsewhere with the full parser).
func field(_ name: String, in value: [UInt8]) -> String? {
    let needle = Array("\"\(name)\":".utf8)
    return value.withUnsafeBytes { hay -> String? in
        let base = hay.baseAddress!
        var from = 0
        var found = -1
        // memchr for the opening quote, memcmp for the rest (memmem is not in Glibc's overlay).
        while from + needle.count <= hay.count, let q = memchr(base + from, Int32(needle[0]), hay.count - from) {
            let at = UnsafeRawPointer(q) - base
            if at + needle.count <= hay.count && memcmp(base + at, needle, needle.count) == 0 { found = at; break }
            from = at + 1
        }
        guard found >= 0 else { return nil }
        var i = found + needle.count
        let quoted = hay[i] == UInt8(ascii: "\"")
        if quoted { i += 1 }
        let start = i
        while i < hay.count {
            let b = hay[i]
            if quoted ? b == UInt8(ascii: "\"") : (b == UInt8(ascii: ",") || b == UInt8(ascii: "}")) { break }
            i += 1
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: hay[start..<i]), as: UTF8.self)
    }
}

extension Event {
    func field(_ name: String) -> String? { GeneratorTests.field(name, in: value) }

    var json: JSON { get throws { try JSON.parse(value) } }
    var keyString: String { String(decoding: key, as: UTF8.self) }
}

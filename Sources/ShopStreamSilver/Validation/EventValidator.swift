import Foundation
import ShopStreamCore
import ShopStreamWarehouse

/// Checks raw message bytes against the topic's JSON Schema (draft 2020-12, the
/// keywords topics/ uses) and `SanityRules`, and casts the fields to their
/// silver column types.
///
/// Order: size (before anything is read), UTF-8, JSON syntax, the schema, the
/// cast, the sanity rules. A message that fails an early step gets that one
/// reason; the schema step reports every field that fails.
///
/// Safe to share between threads: everything is compiled at init.
public struct EventValidator: Sendable {
    /// 1 MiB: about Kafka's default largest message; events are about 400 bytes.
    public static let defaultMaxMessageBytes = 1 << 20

    public let schema: SilverSchema
    /// Larger messages are refused before parsing.
    public let maxMessageBytes: Int
    public let rules: SanityRules

    public init(schema: SilverSchema, maxMessageBytes: Int = defaultMaxMessageBytes, rules: SanityRules = SanityRules()) {
        precondition(maxMessageBytes > 0, "maxMessageBytes must be positive")
        self.schema = schema
        self.maxMessageBytes = maxMessageBytes
        self.rules = rules
    }

    /// Compiles the seven entity schemas of `catalog`; throws on any keyword,
    /// format or type the validator does not implement.
    public init(catalog: TopicCatalog, maxMessageBytes: Int = defaultMaxMessageBytes, rules: SanityRules = SanityRules())
        throws(SilverError)
    {
        self.init(schema: try SilverSchema(catalog: catalog), maxMessageBytes: maxMessageBytes, rules: rules)
    }

    /// Validates one message value of `entity`'s topic. `now` bounds the future
    /// (see `SanityRules.futureTolerance`).
    public func validate(_ value: [UInt8], entity: Entity, now: Date) -> Result<ValidatedEvent, Rejection> {
        value.withUnsafeBytes { validate($0, entity: entity, now: now) }
    }

    public func validate(_ value: UnsafeRawBufferPointer, entity: Entity, now: Date) -> Result<ValidatedEvent, Rejection> {
        validate(value, entity: entity, now: now, scan: true)
    }

    /// `scan: false` skips the one-pass `ColumnScanner` and parses a tree, as every message the
    /// scan does not take; tests hold the two to the same verdict.
    func validate(_ value: UnsafeRawBufferPointer, entity: Entity, now: Date, scan: Bool) -> Result<ValidatedEvent, Rejection> {
        guard value.count <= maxMessageBytes else {
            return .failure(
                Rejection(
                    Violation(
                        field: nil, rule: .size, value: nil,
                        message:
                            "message is \(NumberText.grouped(value.count)) bytes, over the limit of \(NumberText.grouped(maxMessageBytes)) bytes"
                    )))
        }
        let bytes = value.bindMemory(to: UInt8.self)
        if let bad = UTF8Check.firstInvalidOffset(bytes) {
            return .failure(Rejection(Violation(field: nil, rule: .utf8, value: nil, message: "not valid UTF-8 (byte \(bad))")))
        }
        let topic = schema.topics[entity]!
        if scan, let scanner = topic.scanner, let values = scanner.scan(bytes) {
            return finish(TypedFields(layout: topic.layout, values: values), topic, now: now, stringsChecked: true)
        }
        let document: JSONNode
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            return .failure(Rejection(Violation(field: nil, rule: .json, value: nil, message: "not valid JSON: \(error.description)")))
        }
        var violations: [Violation] = []
        topic.root.validate(document, at: nil, into: &violations)
        guard violations.isEmpty else { return .failure(Rejection(violations)) }
        guard case .object(let members) = document else {  // the root schema is an object schema; belt and braces
            return .failure(
                Rejection(
                    Violation(field: nil, rule: .type, value: document.snippet(), message: "\(document.snippet()) is not of type object")))
        }

        var fields = TypedFields(layout: topic.layout, capacity: topic.columns.count)
        // Members usually come in the columns' order: look where the last one was found first.
        var next = 0
        for plan in topic.columns {
            let raw: JSONNode
            if next < members.count, members[next].key == plan.name {
                raw = members[next].value
                next += 1
            } else if let k = members.firstIndex(where: { $0.key == plan.name }) {
                raw = members[k].value
                next = k + 1
            } else {
                raw = .null
            }
            switch EventValidator.cast(raw, plan) {
            case .value(let v): fields.values.append(v)
            case .violation(let v):
                violations.append(v)
                fields.values.append(.null)  // keeps the later fields at their columns' positions
            }
        }
        guard violations.isEmpty else { return .failure(Rejection(violations)) }
        return finish(fields, topic, now: now)
    }

    /// The sanity rules over fields that passed the schema and the cast, then the event.
    /// `stringsChecked`: the scanner already refused every string holding a control character.
    private func finish(
        _ fields: TypedFields, _ topic: CompiledTopic, now: Date, stringsChecked: Bool = false
    ) -> Result<ValidatedEvent, Rejection> {
        let violations = rules.check(
            topic.entity, fields, columns: topic.columns, at: topic.sanityPositions, now: now, stringsChecked: stringsChecked)
        guard violations.isEmpty else { return .failure(Rejection(violations)) }
        // Room for the metadata columns SilverRow appends, so the row needs no second allocation.
        var values: [WarehouseValue] = []
        values.reserveCapacity(topic.layout.names.count)
        for v in fields.values { values.append(v.warehouseValue) }
        return .success(ValidatedEvent(entity: topic.entity, ordered: values, positions: topic.positions))
    }

    /// A schema-valid field as its column type; fails where the column cannot
    /// hold it (INT64 overflow, NUMERIC beyond 29 integer digits, sub-microsecond
    /// or out-of-range times).
    /// `parsed`: what validating `raw` against `plan`'s schema already parsed of it.
    static func cast(_ raw: JSONNode, _ plan: CompiledTopic.ColumnPlan, parsed: ParsedScalar = ParsedScalar()) -> CastOutcome {
        func fail(_ message: String) -> CastOutcome {
            .violation(Violation(field: plan.name, rule: .cast, value: raw.snippet(), message: "\(raw.snippet()) \(message)"))
        }
        if case .null = raw { return .value(.null) }
        switch (plan.type, raw) {
        case (.string, .string(let s)):
            return .value(.string(s))
        case (.int64, .number(let text)):
            guard let i = (parsed.decimal ?? ExactDecimal(text))?.int64 else { return fail("does not fit in INT64") }
            return .value(.int(i))
        case (.numeric, .number(let text)):
            guard let d = parsed.decimal ?? ExactDecimal(text), d.fractionDigits <= plan.scale else {
                return fail("has more than \(plan.scale) decimals")
            }
            guard d.integerDigits <= 29 else { return fail("has more than 29 digits before the decimal point (NUMERIC)") }
            return .value(.decimal(d, scale: plan.scale))
        case (.float64, .number(let text)):
            guard let f = Double(text), f.isFinite else { return fail("does not fit in FLOAT64") }
            return .value(.float(f))
        case (.bool, .bool(let b)):
            return .value(.bool(b))
        case (.date, .string(let s)):
            if let day = parsed.day { return .value(.date(day, s)) }
            guard case .success(let day) = CivilTime.parseDate(s) else { return fail("is not a date") }
            return .value(.date(day, s))
        case (.timestamp, .string(let s)):
            let parsedTime = parsed.dateTime.map { Result<ParsedDateTime, DateTimeError>.success($0) } ?? CivilTime.parseDateTime(s)
            guard case .success(let t) = parsedTime else { return fail("is not a date-time") }
            guard !t.subMicrosecond else { return fail("is finer than a microsecond, which TIMESTAMP cannot hold") }
            guard t.utcDay >= CivilTime.firstDay, t.utcDay <= CivilTime.lastDay else {
                return fail("is outside 0001-01-01…9999-12-31 in UTC")
            }
            return .value(.timestamp(t, s))
        default:
            return fail("cannot be stored as \(plan.type.rawValue)")
        }
    }

    enum CastOutcome {
        case value(TypedValue)
        case violation(Violation)
    }

}

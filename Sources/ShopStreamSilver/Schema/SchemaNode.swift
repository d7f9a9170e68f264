import ShopStreamCore

/// The JSON Schema type names.
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer
}

/// The `format` values the validator asserts.
enum Format: String, Sendable {
    case date
    case dateTime = "date-time"
    case email
}

/// A value allowed by `enum` or `const`.
enum Literal: Sendable, Equatable {
    case null
    case bool(Bool)
    case string(String)
    case number(ExactDecimal)

    func matches(_ v: JSONNode) -> Bool {
        switch (self, v) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let text)): return ExactDecimal(text).map { $0 == a } ?? false
        default: return false
        }
    }

    /// As a person reads it in a list: strings bare, the rest as JSON.
    var display: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .number(let n): return n.description
        }
    }
}

/// One compiled (sub)schema: the keywords of draft 2020-12 that topics/ uses,
/// each checked once at load so validation does no parsing of the schema.
final class SchemaNode: Sendable {
    /// Where this schema sits, for load-time errors (`shop.sales value_schema/properties/quantity`).
    let location: String
    let types: [JSONType]?
    let enumValues: [Literal]?
    let constValue: Literal?
    let minimum: ExactDecimal?
    let maximum: ExactDecimal?
    let exclusiveMinimum: ExactDecimal?
    let exclusiveMaximum: ExactDecimal?
    let multipleOf: ExactDecimal?
    let minLength: Int?
    let maxLength: Int?
    let pattern: Pattern?
    let format: Format?
    /// Properties: the `required` ones in that order, then the others by name.
    let properties: [(name: String, schema: SchemaNode)]
    let required: [String]
    /// nil: any extra member is allowed (also `true`); `.some(nil)`: none is (`false`).
    let additionalProperties: SchemaNode??
    let items: SchemaNode?
    let minItems: Int?
    let maxItems: Int?

    /// Annotations: kept by the schema, no effect on validity.
    static let annotations: Set<String> = [
        "$id", "$comment", "title", "description", "examples", "default",
        "deprecated", "readOnly", "writeOnly",
    ]
    static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// Compiles `schema`; throws on any keyword this validator does not implement,
    /// so a new constraint in topics/ can never be ignored silently.
    init(_ schema: JSONValue, location: String, isRoot: Bool = false) throws(SilverError) {
        self.location = location
        guard case .object(let keywords) = schema else {
            throw SilverError(.unsupportedSchema, "\(location): only object schemas are supported here (found \(SchemaNode.kind(schema)))")
        }
        func fail(_ keyword: String, _ expected: String) -> SilverError {
            SilverError(.invalidSchema, "\(location): \(keyword) must be \(expected)")
        }
        func number(_ keyword: String) throws(SilverError) -> ExactDecimal? {
            guard let v = keywords[keyword] else { return nil }
            guard case .number(let d) = v, d.isFinite else { throw fail(keyword, "a number") }
            return ExactDecimal(d)
        }
        func count(_ keyword: String) throws(SilverError) -> Int? {
            guard let v = keywords[keyword] else { return nil }
            guard case .number(let d) = v, d >= 0, d == d.rounded(), d < 1e15 else { throw fail(keyword, "a non-negative integer") }
            return Int(d)
        }
        func literal(_ v: JSONValue, _ keyword: String) throws(SilverError) -> Literal {
            switch v {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .string(let s): return .string(s)
            case .number(let d): return .number(ExactDecimal(d))
            case .array, .object:
                throw SilverError(.unsupportedSchema, "\(location): \(keyword) with array or object values is not supported")
            }
        }

        let known: Set<String> = [
            "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "multipleOf", "minLength", "maxLength", "pattern", "format", "properties", "required",
            "additionalProperties", "items", "minItems", "maxItems", "$schema",
        ]
        for keyword in keywords.keys.sorted() where !known.contains(keyword) && !SchemaNode.annotations.contains(keyword) {
            throw SilverError(
                .unsupportedSchema,
                "\(location): the keyword \"\(keyword)\" is not supported by the silver validator; support it in Sources/ShopStreamSilver/Schema or remove it from the topic"
            )
        }
        if let dialect = keywords["$schema"] {
            guard isRoot, dialect.stringValue == SchemaNode.dialect else {
                throw SilverError(.unsupportedSchema, "\(location): $schema must be \(SchemaNode.dialect), and only at the root")
            }
        }

        switch keywords["type"] {
        case nil: types = nil
        case .string(let name)?:
            guard let t = JSONType(rawValue: name) else { throw fail("type", "one of \(JSONType.allCases.map(\.rawValue))") }
            types = [t]
        case .array(let names)?:
            var ts: [JSONType] = []
            for n in names {
                guard let s = n.stringValue, let t = JSONType(rawValue: s), !ts.contains(t) else {
                    throw fail("type", "a list of distinct type names")
                }
                ts.append(t)
            }
            guard !ts.isEmpty else { throw fail("type", "a non-empty list") }
            types = ts
        default: throw fail("type", "a type name or a list of them")
        }

        if let e = keywords["enum"] {
            guard case .array(let values) = e, !values.isEmpty else { throw fail("enum", "a non-empty array") }
            var lits: [Literal] = []
            for v in values { lits.append(try literal(v, "enum")) }
            enumValues = lits
        } else {
            enumValues = nil
        }
        if let c = keywords["const"] { constValue = try literal(c, "const") } else { constValue = nil }

        minimum = try number("minimum")
        maximum = try number("maximum")
        exclusiveMinimum = try number("exclusiveMinimum")
        exclusiveMaximum = try number("exclusiveMaximum")
        multipleOf = try number("multipleOf")
        if let m = multipleOf, m.isZero || m < ExactDecimal.zero { throw fail("multipleOf", "greater than 0") }
        minLength = try count("minLength")
        maxLength = try count("maxLength")
        minItems = try count("minItems")
        maxItems = try count("maxItems")

        if let p = keywords["pattern"] {
            guard let source = p.stringValue else { throw fail("pattern", "a string") }
            do { pattern = try Pattern(source) } catch {
                throw SilverError(.invalidSchema, "\(location): pattern \(source) does not compile: \(error)")
            }
        } else {
            pattern = nil
        }
        if let f = keywords["format"] {
            guard let name = f.stringValue else { throw fail("format", "a string") }
            guard let known = Format(rawValue: name) else {
                throw SilverError(
                    .unsupportedSchema, "\(location): format \"\(name)\" is not supported (supported: date, date-time, email)")
            }
            format = known
        } else {
            format = nil
        }

        let requiredNames: [String]
        if let r = keywords["required"] {
            guard case .array(let names) = r else { throw fail("required", "an array of names") }
            var list: [String] = []
            for n in names {
                guard let s = n.stringValue, !list.contains(s) else { throw fail("required", "an array of distinct names") }
                list.append(s)
            }
            requiredNames = list
        } else {
            requiredNames = []
        }
        required = requiredNames
        if let p = keywords["properties"] {
            guard case .object(let members) = p else { throw fail("properties", "an object of schemas") }
            let order = requiredNames.filter { members[$0] != nil } + members.keys.filter { !requiredNames.contains($0) }.sorted()
            var compiled: [(name: String, schema: SchemaNode)] = []
            for name in order {
                compiled.append((name, try SchemaNode(members[name]!, location: "\(location)/properties/\(name)")))
            }
            properties = compiled
        } else {
            properties = []
        }
        switch keywords["additionalProperties"] {
        case nil, .bool(true)?: additionalProperties = nil
        case .bool(false)?: additionalProperties = .some(nil)
        case let s?: additionalProperties = .some(try SchemaNode(s, location: "\(location)/additionalProperties"))
        }
        if let i = keywords["items"] {
            if case .array = i { throw SilverError(.unsupportedSchema, "\(location): items as an array (prefixItems) is not supported") }
            items = try SchemaNode(i, location: "\(location)/items")
        } else {
            items = nil
        }
    }

    private static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

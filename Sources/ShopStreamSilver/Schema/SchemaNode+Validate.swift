import Foundation
import ShopStreamCore

extension SchemaNode {
    /// Appends the violations of `value`, found at `path` (nil: the document itself).
    ///
    /// A value gets at most one violation of its own (the first rule it breaks,
    /// in the order type, enum/const, format, pattern, length, range, multipleOf),
    /// so a reason reads as one clear sentence per field; an object reports every
    /// member that fails.
    func validate(_ value: JSONNode, at path: String?, into out: inout [Violation]) {
        var parsed = ParsedScalar()
        validate(value, at: path, into: &out, parsed: &parsed)
    }

    /// The same, handing back what it parsed on the way (the number, the date or date-time of a
    /// `format`), so the cast that follows need not parse it again.
    func validate(_ value: JSONNode, at path: String?, into out: inout [Violation], parsed: inout ParsedScalar) {
        var decimal: ExactDecimal?
        if case .number(let text) = value {
            decimal = ExactDecimal(text)
            parsed.decimal = decimal
            if decimal == nil {
                out.append(
                    Violation(
                        field: path, rule: .cast, value: value.snippet(), message: "\(value.snippet()) is too large a number to handle"))
                return
            }
        }
        if let types, !types.contains(where: { SchemaNode.matches($0, value, decimal) }) {
            let names = types.map(\.rawValue).joined(separator: " or ")
            out.append(Violation(field: path, rule: .type, value: value.snippet(), message: "\(value.snippet()) is not of type \(names)"))
            return
        }
        if let enumValues, !enumValues.contains(where: { $0.matches(value) }) {
            out.append(
                Violation(
                    field: path, rule: .enumeration, value: value.snippet(),
                    message: "\(value.snippet()) is not one of \(SchemaNode.list(enumValues))"))
            return
        }
        if let constValue, !constValue.matches(value) {
            out.append(
                Violation(field: path, rule: .constant, value: value.snippet(), message: "\(value.snippet()) is not \(constValue.display)"))
            return
        }
        switch value {
        case .string(let s):
            if let v = stringViolation(s, value, parsed: &parsed) {
                out.append(Violation(field: path, rule: v.rule, value: value.snippet(), message: v.message))
            }
        case .number:
            if let v = numberViolation(decimal!, value) {
                out.append(Violation(field: path, rule: v.rule, value: value.snippet(), message: v.message))
            }
        case .object(let members):
            validateObject(members, at: path, into: &out)
        case .array(let elements):
            if let minItems, elements.count < minItems {
                out.append(
                    Violation(
                        field: path, rule: .minItems, value: value.snippet(),
                        message: "has \(elements.count) items, fewer than the minimum \(minItems)"))
            } else if let maxItems, elements.count > maxItems {
                out.append(
                    Violation(
                        field: path, rule: .maxItems, value: value.snippet(),
                        message: "has \(elements.count) items, more than the maximum \(maxItems)"))
            }
            if let items {
                for (k, e) in elements.enumerated() { items.validate(e, at: SchemaNode.child(path, String(k)), into: &out) }
            }
        case .null, .bool:
            break
        }
    }

    private func validateObject(_ members: [(key: String, value: JSONNode)], at path: String?, into out: inout [Violation]) {
        // Each member's property found once (members mostly come in the properties' order: the
        // one after the last found is tried first), and the required ones checked off as bits,
        // instead of a scan of the members for every required name and of the properties for
        // every member.
        var found: UInt64 = 0
        var next = 0
        let positions = members.map { member -> Int in
            let k: Int
            if next < properties.count, properties[next].name == member.key {
                k = next
            } else {
                guard let p = properties.firstIndex(where: { $0.name == member.key }) else { return -1 }
                k = p
            }
            next = k + 1
            if k < 64 { found |= 1 << UInt64(k) }
            return k
        }
        for (j, name) in required.enumerated() {
            // `properties` begins with the required names it has, in `required`'s order.
            let present =
                j < properties.count && properties[j].name == name && j < 64
                ? found & (1 << UInt64(j)) != 0 : members.contains(where: { $0.key == name })
            if !present {
                out.append(Violation(field: SchemaNode.child(path, name), rule: .required, value: nil, message: "missing (required)"))
            }
        }
        for ((key, v), k) in zip(members, positions) {
            if k >= 0 {
                properties[k].schema.validate(v, at: SchemaNode.child(path, key), into: &out)
            } else if let additional = additionalProperties {
                if let schema = additional {
                    schema.validate(v, at: SchemaNode.child(path, key), into: &out)
                } else {
                    out.append(
                        Violation(
                            field: SchemaNode.child(path, key), rule: .additionalProperties, value: v.snippet(),
                            message: "is not an allowed field (additionalProperties is false)"))
                }
            }
        }
    }

    private func stringViolation(
        _ s: String, _ value: JSONNode, parsed: inout ParsedScalar
    ) -> (rule: Violation.Rule, message: String)? {
        var shown: String { value.snippet() }
        if let format {
            switch format {
            case .date:
                switch CivilTime.parseDate(s) {
                case .success(let day): parsed.day = day
                case .failure(let e): return (.format, "\(shown) is not a valid date: \(e.message)")
                }
            case .dateTime:
                switch CivilTime.parseDateTime(s) {
                case .success(let t): parsed.dateTime = t
                case .failure(let e): return (.format, "\(shown) is not a valid date-time: \(e.message)")
                }
            case .email:
                if !SchemaNode.isEmail(s) { return (.format, "\(shown) is not a valid email address") }
            }
        }
        if let pattern, !pattern.matches(s) { return (.pattern, "\(shown) does not match \(pattern.source)") }
        if minLength != nil || maxLength != nil {
            let length = s.unicodeScalars.count
            if let minLength, length < minLength { return (.minLength, "\(shown) is shorter than the minimum length \(minLength)") }
            if let maxLength, length > maxLength {
                return (.maxLength, "\(shown) is longer than the maximum length \(maxLength) (\(length) characters)")
            }
        }
        return nil
    }

    private func numberViolation(_ d: ExactDecimal, _ value: JSONNode) -> (rule: Violation.Rule, message: String)? {
        var shown: String { value.snippet() }
        if let minimum, d < minimum { return (.minimum, "\(shown) is below the minimum \(minimum)") }
        if let exclusiveMinimum, d <= exclusiveMinimum {
            return (.exclusiveMinimum, "\(shown) is not above the exclusive minimum \(exclusiveMinimum)")
        }
        if let maximum, d > maximum { return (.maximum, "\(shown) is above the maximum \(maximum)") }
        if let exclusiveMaximum, d >= exclusiveMaximum {
            return (.exclusiveMaximum, "\(shown) is not below the exclusive maximum \(exclusiveMaximum)")
        }
        if let multipleOf, !d.isMultiple(of: multipleOf) {
            if let scale = multipleOf.powerOfTenScale, scale > 0 {
                return (.multipleOf, "\(shown) is not a multiple of \(multipleOf) (more than \(scale) decimals)")
            }
            return (.multipleOf, "\(shown) is not a multiple of \(multipleOf)")
        }
        return nil
    }

    static func matches(_ type: JSONType, _ v: JSONNode, _ decimal: ExactDecimal?) -> Bool {
        switch (type, v) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.number, .number), (.string, .string):
            return true
        case (.integer, .number):
            return decimal?.isInteger ?? false
        default:
            return false
        }
    }

    /// A JSON Pointer step (RFC 6901 escaping), without the leading slash at the top.
    /// The member with an empty name at the top is `""`: its pointer would be blank there.
    static func child(_ path: String?, _ key: String) -> String {
        if key.isEmpty && path == nil { return "\"\"" }
        let escaped =
            key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") })
            ? key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") : key
        guard let path else { return escaped }
        return path + "/" + escaped
    }

    /// `a, b, c`, cut short when the list is long.
    static func list(_ values: [Literal]) -> String {
        var text = ""
        for (k, v) in values.enumerated() {
            let next = (k == 0 ? "" : ", ") + v.display
            if text.count + next.count > 400 { return text + ", … (\(values.count) values)" }
            text += next
        }
        return text
    }

    /// A pragmatic RFC 5321 shape check: one `@`, a dot-atom local part of at most
    /// 64 characters, a domain of dot-separated labels with a dot in it.
    static func isEmail(_ s: String) -> Bool {
        // Over the bytes, without splitting into substrings (the split was ~20k instructions an
        // address). Any byte outside ASCII fails below, so bytes and characters agree.
        var s = s
        return s.withUTF8 { b in
            guard b.count <= 254, let at = b.firstIndex(of: 64), b[(at + 1)...].firstIndex(of: 64) == nil else { return false }
            let local = b[..<at], domain = b[(at + 1)...]
            guard !local.isEmpty, local.count <= 64, !domain.isEmpty, domain.contains(46) else { return false }
            guard local.first != 46, local.last != 46 else { return false }
            var previous: UInt8 = 0
            for byte in local {
                guard emailLocalBytes[Int(byte)], !(byte == 46 && previous == 46) else { return false }  // allowed, no ".."
                previous = byte
            }
            var labelStart = domain.startIndex
            for k in domain.startIndex...domain.endIndex where k == domain.endIndex || b[k] == 46 {
                let label = b[labelStart..<k]
                guard !label.isEmpty, label.count <= 63, label.first != 45, label.last != 45,
                    label.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 })
                else { return false }
                labelStart = k + 1
            }
            return true
        }
    }

    /// The bytes a dot-atom local part may hold (ASCII letters, digits and ``!#$%&'*+/=?^_`{|}~-.``).
    private static let emailLocalBytes: [Bool] = {
        var allowed = [Bool](repeating: false, count: 256)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.".utf8 { allowed[Int(byte)] = true }
        return allowed
    }()
}

/// What `SchemaNode.validate` parsed of a scalar on its way, for the cast to reuse.
struct ParsedScalar {
    var decimal: ExactDecimal?
    /// A `format: date` string's day number.
    var day: Int?
    /// A `format: date-time` string.
    var dateTime: ParsedDateTime?
}

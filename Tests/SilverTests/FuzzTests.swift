import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSilver

/// Random bytes and mutated events thrown at the validator. Whatever arrives on a topic, the
/// validator answers: an event it accepts is typed consistently (validating it again gives the
/// same row), anything else is refused with a reason; nothing crashes, and nothing runs unbounded
/// (nesting, numbers and member counts are limited, not recursed or compared without end).
///
/// The seed is printed; `SHOPSTREAM_FUZZ_SEED=<n>` replays a run, `SHOPSTREAM_FUZZ_CASES=<n>`
/// runs more (or fewer) cases.
final class FuzzTests: XCTestCase {
    static let defaultSeed: UInt64 = 20_261_203
    static let defaultCases = 12_000

    func testRandomBytesAndMutatedEventsAreEitherTypedConsistentlyOrRefusedWithAReason() {
        let seed = FuzzTests.environmentNumber("SHOPSTREAM_FUZZ_SEED") ?? FuzzTests.defaultSeed
        let cases = Int(FuzzTests.environmentNumber("SHOPSTREAM_FUZZ_CASES") ?? UInt64(FuzzTests.defaultCases))
        print("fuzz seed \(seed), \(cases) cases (replay: SHOPSTREAM_FUZZ_SEED=\(seed))")
        var random = SplitMix64(seed: seed)
        var tally: [String: Int] = [:]
        var failures = 0
        for n in 0..<cases {
            let (entity, bytes, how, original) = FuzzCase.make(&random)
            let verdict = validator.validate(bytes, entity: entity, now: testNow)
            var problem = FuzzTests.problem(with: verdict, bytes: bytes, entity: entity)
            // The one-pass scan answers exactly as the tree path does (it may only hand a message to it).
            let tree = bytes.withUnsafeBytes { validator.validate($0, entity: entity, now: testNow, scan: false) }
            if problem == nil, verdict != tree { problem = "\(verdict) differs from the tree path's verdict: \(tree)" }
            if FuzzTests.scanned(bytes, entity) { tally["(taken by the scan)", default: 0] += 1 }
            if problem == nil, let original {
                // The same JSON written another way gets the same verdict: the same row, value for
                // value, or the same violations (reported in member order, so compared as sets).
                let expected = validator.validate(Array(original.utf8), entity: entity, now: testNow)
                switch (verdict, expected) {
                case (.success(let a), .success(let b)) where a == b: break
                case (.failure(let a), .failure(let b)) where Set(a.violations) == Set(b.violations): break
                default: problem = "\(verdict) differs from the verdict on the sample as written: \(expected)"
                }
            }
            switch verdict {
            case .success: tally["accepted", default: 0] += 1
            case .failure(let r): tally[r.violations[0].rule.rawValue, default: 0] += 1
            }
            if let problem {
                failures += 1
                XCTFail(
                    "case \(n) (seed \(seed), \(entity.rawValue), \(how)): \(problem)\nbytes (base64): \(Data(bytes.prefix(2000)).base64EncodedString())"
                )
                if failures >= 10 { break }
            }
        }
        print("fuzz verdicts by first rule: \(tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        // The mutations must reach past the parser, or the schema and the casts go untested.
        if cases >= 2_000 {
            XCTAssertGreaterThan(tally["accepted", default: 0], cases / 50, "some mutated events still pass: \(tally)")
            XCTAssertGreaterThan(tally.count, 12, "the cases reach many rules: \(tally)")
            // And the scan must take many of them, or the comparison above compares the tree with itself.
            XCTAssertGreaterThan(tally["(taken by the scan)", default: 0], cases / 50, "the scan takes cases: \(tally)")
        }
    }

    /// Inputs built to exhaust a naive parser: each is refused by a limit (depth, size, exponent),
    /// by one linear pass, and reported briefly.
    func testPathologicalDocumentsAreRefusedByLimitsNotByExhaustion() {
        let sale = Samples.first(.sales)
        let limit = EventValidator.defaultMaxMessageBytes
        func deep(_ open: String, _ close: String, _ depth: Int) -> String {
            String(repeating: open, count: depth) + String(repeating: close, count: depth)
        }
        struct Case {
            var name: String
            var bytes: [UInt8]
            var field: String?
            var rule: Violation.Rule
            var reasonStart: String
        }
        let cases: [Case] = [
            Case(
                name: "100,000 nested arrays", bytes: Array(deep("[", "]", 100_000).utf8), field: nil, rule: .json,
                reasonStart: "(root): not valid JSON: nesting deeper than 64 at byte 64"),
            Case(
                name: "100,000 nested objects", bytes: Array(deep("{\"a\":", "}", 100_000).utf8), field: nil, rule: .json,
                reasonStart: "(root): not valid JSON: nesting deeper than 64"),
            Case(
                name: "deep nesting inside a field", bytes: Array(with(sale, "promotion", deep("[", "]", 200_000)).utf8), field: nil,
                rule: .json,
                reasonStart: "(root): not valid JSON: nesting deeper than 64"),
            Case(
                name: "nesting that never closes", bytes: Array(String(repeating: "[", count: limit).utf8), field: nil, rule: .json,
                reasonStart: "(root): not valid JSON: nesting deeper than 64"),
            Case(
                name: "an exponent of a billion", bytes: Array(with(sale, "quantity", "1e1000000000").utf8), field: "quantity", rule: .cast,
                reasonStart: "quantity: 1e1000000000 is too large a number to handle"),
            Case(
                name: "a number of 900,000 digits",
                bytes: Array(with(sale, "unit_price", "9" + String(repeating: "0", count: 900_000)).utf8),
                field: "unit_price", rule: .cast, reasonStart: "unit_price: 9000"),
            Case(
                name: "a fraction of 900,000 digits",
                bytes: Array(with(sale, "discount", "0." + String(repeating: "0", count: 900_000) + "1").utf8),
                field: "discount", rule: .multipleOf, reasonStart: "discount: 0.0000"),
            Case(
                name: "a string of 900,000 escapes",
                bytes: Array(with(sale, "salesperson", "\"" + String(repeating: "\\u00e9", count: 150_000) + "\"").utf8),
                field: "salesperson", rule: .maxLength, reasonStart: "salesperson: \"ééé"),
            Case(
                name: "an id of 900,000 characters",
                bytes: Array(with(sale, "customer_id", "\"CUS-" + String(repeating: "0", count: 900_000) + "\"").utf8),
                field: "customer_id", rule: .pattern, reasonStart: "customer_id: \"CUS-0000"),
            Case(
                name: "90,000 distinct unknown members", bytes: Array(FuzzTests.manyMembers(sale, count: 90_000, distinct: true).utf8),
                field: "m0", rule: .additionalProperties, reasonStart: "m0: is not an allowed field"),
            Case(
                name: "90,000 members, the last a repeat", bytes: Array(FuzzTests.manyMembers(sale, count: 90_000, distinct: false).utf8),
                field: nil, rule: .json, reasonStart: "(root): not valid JSON: duplicate member \"m0\""),
            Case(
                name: "an array of 300,000 numbers",
                bytes: Array(with(sale, "promotion", "[" + Array(repeating: "1", count: 300_000).joined(separator: ",") + "]").utf8),
                field: "promotion", rule: .type, reasonStart: "promotion: [1,1,1"),
        ]
        for c in cases {
            XCTAssertLessThanOrEqual(c.bytes.count, limit, "\(c.name): under the size limit, so the parser has to read it")
            let started = ContinuousClock.now
            let verdict = FuzzTests.validateWithin(.seconds(30), c.bytes, .sales)
            print("\(c.name): \(ContinuousClock.now - started)")
            guard let verdict else { XCTFail("\(c.name): still validating after 30 s (a hang, not slowness)"); continue }
            guard case .failure(let r) = verdict else { XCTFail("\(c.name): accepted"); continue }
            XCTAssertEqual(r.field, c.field, c.name)
            XCTAssertEqual(r.violations[0].rule, c.rule, "\(c.name): \(r.reason.prefix(200))")
            XCTAssert(r.reason.hasPrefix(c.reasonStart), "\(c.name): \(r.reason.prefix(200))")
            XCTAssertLessThanOrEqual(r.reason.count, Rejection.maxReasonLength, c.name)
            XCTAssertNil(FuzzTests.problem(with: verdict, bytes: c.bytes, entity: .sales), c.name)
        }
    }

    // MARK: What every verdict must satisfy

    /// Why `verdict` breaks the validator's promises, or nil.
    static func problem(with verdict: Result<ValidatedEvent, Rejection>, bytes: [UInt8], entity: Entity) -> String? {
        switch verdict {
        case .failure(let r):
            guard !r.violations.isEmpty, !r.reason.isEmpty else { return "refused without a reason" }
            guard r.reason.count <= Rejection.maxReasonLength else { return "a reason of \(r.reason.count) characters" }
            guard r.reason.hasPrefix("\(r.field ?? "(root)"): ") else { return "the reason does not start with its field: \(r.reason)" }
            for v in r.violations {
                if v.message.isEmpty { return "a violation without a message: \(v)" }
                if let f = v.field, f.isEmpty { return "an empty field name: \(v)" }
            }
            return nil
        case .success(let event):
            guard event.entity == entity else { return "accepted as \(event.entity.rawValue)" }
            let again = validator.validate(bytes, entity: entity, now: testNow)
            guard case .success(let second) = again, second == event else { return "validating again gave \(again), not \(event)" }
            let topic = silverSchema.topics[entity]!
            guard Set(event.values.keys) == Set(topic.columns.map(\.name)) else {
                return "values \(event.values.keys.sorted()) are not the columns \(topic.columns.map(\.name).sorted())"
            }
            for plan in topic.columns {
                let value = event.values[plan.name]!
                if let problem = typeProblem(value, plan) { return "\(plan.name): \(problem)" }
            }
            return nil
        }
    }

    /// Why `value` is not what its column holds, or nil.
    static func typeProblem(_ value: WarehouseValue, _ plan: CompiledTopic.ColumnPlan) -> String? {
        switch (plan.type, value) {
        case (_, .null):
            return plan.nullable ? nil : "NULL in a required column"
        case (.string, .string(let s)):
            return String(validating: Array(s.utf8), as: UTF8.self) == nil ? "not UTF-8" : nil
        case (.int64, .int64), (.bool, .bool):
            return nil
        case (.float64, .float64(let f)):
            return f.isFinite ? nil : "\(f)"
        case (.numeric, .numeric(let text)):
            guard let d = ExactDecimal(text), d.text(scale: plan.scale) == text else {
                return "\(text) is not a decimal with \(plan.scale) places"
            }
            return d < ExactDecimal.zero ? "\(text) is negative" : nil
        case (.date, .date(let text)):
            guard case .success = CivilTime.parseDate(text) else { return "\(text) is not a date" }
            return nil
        case (.timestamp, .timestamp(let text)):
            guard case .success(let t) = CivilTime.parseDateTime(text), CivilTime.timestampText(utcMicros: t.utcMicros) == text else {
                return "\(text) is not a UTC timestamp with microseconds"
            }
            return nil
        default:
            return "\(value) in a \(plan.type.rawValue) column"
        }
    }

    // MARK: Helpers

    /// Whether the one-pass `ColumnScanner` takes `bytes` itself (valid UTF-8 only, as `validate` calls it).
    static func scanned(_ bytes: [UInt8], _ entity: Entity) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil, let scanner = silverSchema.topics[entity]!.scanner else { return false }
        return bytes.withUnsafeBufferPointer { scanner.scan($0) } != nil
    }

    static func environmentNumber(_ name: String) -> UInt64? {
        guard let text = ProcessInfo.processInfo.environment[name], !text.isEmpty else { return nil }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }

    /// The sale with `count` more members `m0`, `m1`, …; the last repeats `m0` unless `distinct`.
    static func manyMembers(_ sale: String, count: Int, distinct: Bool) -> String {
        var extra = (0..<count).map { "\"m\($0)\":0" }
        if !distinct { extra[count - 1] = "\"m0\":0" }
        return "{" + extra.joined(separator: ",") + "," + sale.dropFirst()
    }

    /// The verdict, or nil if it took longer than `bound` (the validation then runs on in the background).
    static func validateWithin(_ bound: Duration, _ bytes: [UInt8], _ entity: Entity) -> Result<ValidatedEvent, Rejection>? {
        let box = VerdictBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.verdict = validator.validate(bytes, entity: entity, now: testNow)
            done.signal()
        }
        thread.stackSize = 1 << 20  // a recursing parser would overflow here rather than hang
        thread.start()
        guard done.wait(timeout: .now() + bound.timeInterval) == .success else { return nil }
        return box.verdict
    }
}

/// One verdict handed from a validating thread to the test (written before the semaphore is signalled).
private final class VerdictBox: @unchecked Sendable {
    var verdict: Result<ValidatedEvent, Rejection>?
}

extension Duration {
    fileprivate var timeInterval: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

// MARK: The cases

enum FuzzCase {
    /// One case: the entity it is validated as, its bytes, how it was made (for a failure message),
    /// and the sample it means exactly when it is only a rewriting of one.
    static func make(_ r: inout SplitMix64) -> (Entity, [UInt8], String, String?) {
        let entity = r.pick(Entity.allCases)
        // Mostly the entity's own events, sometimes another's (a message on the wrong topic).
        let source = r.chance(90) ? entity : r.pick(Entity.allCases)
        let sample = r.pick(Samples.events(source))
        switch r.below(100) {
        case 0..<10:
            return (entity, Array(rewritten(&r, sample).utf8), "the sample rewritten (whitespace, member order, escapes)", sample)
        case 10..<16:
            return (entity, r.bytes(r.below(600)), "random bytes", nil)
        case 16..<22:
            return (entity, Array(tokenSoup(&r).utf8), "token soup", nil)
        case 22..<32:
            return (entity, Array(randomObject(&r, entity).utf8), "a random object of the entity's fields", nil)
        case 32..<36:
            return (entity, Array(repeatedMember(&r, sample).utf8), "a member of the sample written twice", nil)
        default:
            var steps: [String] = []
            var text = sample
            // First edits on the text (so the result is mostly still JSON), then on the bytes.
            for _ in 0..<(1 + r.below(3)) where r.chance(70) {
                let (edited, how) = editValue(&r, text, entity)
                text = edited
                steps.append(how)
            }
            var bytes = Array(text.utf8)
            for _ in 0..<(r.chance(40) ? 1 + r.below(3) : 0) {
                let (mutated, how) = mutateBytes(&r, bytes)
                bytes = mutated
                steps.append(how)
            }
            return (entity, bytes, steps.isEmpty ? "a sample as is" : steps.joined(separator: ", "), nil)
        }
    }

    /// Bytes that mean something to a JSON parser or a UTF-8 decoder.
    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x08, 0x0A, 0x0D, 0x1F, 0x20, 0x22, 0x2B, 0x2C, 0x2D, 0x2E, 0x30, 0x31, 0x39, 0x3A, 0x45, 0x5B, 0x5C, 0x5D,
        0x65, 0x6E, 0x74, 0x75, 0x7B, 0x7D, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFE, 0xFF,
    ]

    static func mutateBytes(_ r: inout SplitMix64, _ b: [UInt8]) -> ([UInt8], String) {
        var b = b
        let at = r.below(b.count + 1)
        switch r.below(8) {
        case 0:
            let flips = 1 + r.below(8)
            for _ in 0..<flips where !b.isEmpty { b[r.below(b.count)] ^= 1 << UInt8(r.below(8)) }
            return (b, "\(flips) bit flips")
        case 1:
            for _ in 0..<(1 + r.below(4)) where !b.isEmpty { b[r.below(b.count)] = r.pick(interestingBytes) }
            return (b, "interesting bytes set")
        case 2:
            return (Array(b.prefix(at)), "cut at \(at)")
        case 3:
            let inserted = r.chance(50) ? r.bytes(1 + r.below(16)) : (0..<(1 + r.below(4))).map { _ in r.pick(interestingBytes) }
            b.insert(contentsOf: inserted, at: at)
            return (b, "\(inserted.count) bytes inserted at \(at)")
        case 4:
            let n = min(b.count - min(at, b.count), 1 + r.below(24))
            b.removeSubrange(min(at, b.count)..<(min(at, b.count) + n))
            return (b, "\(n) bytes deleted at \(at)")
        case 5:
            guard !b.isEmpty else { return (b, "nothing to repeat") }
            let start = r.below(b.count), length = 1 + r.below(min(64, b.count - start))
            b.insert(contentsOf: b[start..<(start + length)], at: at)
            return (b, "\(length) bytes repeated at \(at)")
        case 6:
            let other = Array(r.pick(Samples.events(r.pick(Entity.allCases))).utf8)
            let cut = r.below(other.count + 1)
            return (Array(b.prefix(at)) + other.suffix(from: cut), "spliced at \(at) with another event from \(cut)")
        default:
            let from = r.below(b.count + 1), to = r.below(b.count + 1)
            if from < to { b[from..<to].reverse() }
            return (b, "bytes \(from)..<\(to) reversed")
        }
    }

    /// Values that sit at or past a limit: of numbers, of money, of dates, of Unicode, of nesting.
    static func edgeValue(_ r: inout SplitMix64) -> String {
        let numbers = [
            "0", "-0", "-0.0", "1", "-1", "0.01", "-0.01", "0.001", "1.0", "1.00000000000000000001", "1e0", "1E2", "5e1", "0.5e2", "1e-2",
            "-1e-400",
            "1e400", "1e10000", "1e10001", "1e99999999999999999999", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "100000000", "100000000.00", "100000000.01",
            "99999999999999999999999999999.99", "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308",
            "1" + String(repeating: "0", count: 400), "0." + String(repeating: "0", count: 400) + "1", "50", "51", "16", "15", "90", "91",
            "60", "61",
        ]
        let strings = [
            #""""#, #"" ""#, #""\u0000""#, #""a\u0000b""#, #""\ud800""#, #""\udc00""#, #""\ud800\udc00""#, #""\ud83d\ude00""#,
            #""\ud83d\u0041""#, "\"\u{FEFF}x\"", "\"\u{FFFF}\"", "\"\u{10FFFF}\"", "\"e\u{301}\"", "\"\u{202E}CUS-00000001\"",
            "\"\u{0660}\u{0661}\"",
            "\"CUS-0000000\u{0661}\"", #""\/\b\f\n\r\t\"\\""#, "\"" + String(repeating: "x", count: 100) + "\"",
            "\"" + String(repeating: "ü", count: 100) + "\"", "\"" + String(repeating: "x", count: 101) + "\"",
            "\"" + String(repeating: "😀", count: 101) + "\"",
            #""CUS-00000001""#, #""SAL-0000000001""#, #""PRD-0001""#, #""STR-01""#, #""STR-01:PRD-0001""#, #""In-Store""#, #""Completed""#,
            #""Delivered""#, #""PKR""#, #""Bronze""#, #""a@b.co""#, #""Ramadan Offer""#,
        ]
        let times = [
            #""2025-03-21""#, #""2024-02-29""#, #""2025-02-29""#, #""0000-01-01""#, #""0001-01-01""#, #""9999-12-31""#, #""1999-12-31""#,
            #""2000-01-01""#, #""2025-06-02""#, #""2025-06-03""#, #""2025-13-01""#, #""2025-1-1""#, #""20250321""#,
            #""2025-03-21T00:01:38.974+05:00""#, #""2025-03-21T00:01:38.974Z""#, #""2025-03-21T00:01:38.974z""#,
            #""2025-03-21t00:01:38.974Z""#,
            #""2025-03-21T00:01:38Z""#, #""2025-03-21T00:01:38.9741234567Z""#, #""2025-03-21T00:01:38.974+0500""#,
            #""2025-03-21T00:01:38.974+24:00""#,
            #""2025-03-21T00:01:38.974+23:59""#, #""2025-03-21T00:01:38.974-23:59""#, #""2025-03-21 00:01:38.974+05:00""#,
            #""2025-03-21T23:59:60.000Z""#, #""2025-03-21T24:00:00.000Z""#, #""0001-01-01T00:00:00.000+00:01""#,
            #""9999-12-31T23:59:59.999-00:01""#,
            #""1999-12-31T23:59:59.999-05:00""#, #""2000-01-01T00:00:00.000Z""#, #""2025-06-02T00:00:00.000Z""#,
            #""2025-06-02T00:00:00.001Z""#,
            #""2025-03-21T00:01:38.974 PKT""#, #""2025-03-21T00:01:38.974+05:00:00""#,
        ]
        switch r.below(10) {
        case 0..<3: return r.pick(numbers)
        case 3..<6: return r.pick(strings)
        case 6..<8: return r.pick(times)
        case 8:
            // Nesting around the limit of 64.
            let depth = 1 + r.below(100)
            return r.chance(50)
                ? String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
                : String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
        default:
            return r.pick([
                "true", "false", "null", "[]", "{}", "[null]", "{\"a\":1}", "[1,\"a\",{}]", "\"\\u00e9\"", "-", "1.", ".5", "01", "+1",
                "NaN", "Infinity", "tru", "nul",
            ])
        }
    }

    /// The text with one member's value replaced (or the member removed, or an unknown one added).
    static func editValue(_ r: inout SplitMix64, _ text: String, _ entity: Entity) -> (String, String) {
        let fields = silverSchema.topics[entity]!.columns.map(\.name)
        let field = r.chance(92) ? r.pick(fields) : r.pick(["zzz", "event_id ", "Event_ID", "", "\u{0}", "a/b~c"])
        if r.chance(8) { return (with(text, field, nil), "\(field) removed") }
        let value = edgeValue(&r)
        return (with(text, field, value), "\(field) = \(value.prefix(60))")
    }

    /// The same JSON written another way: whitespace between tokens, members in another order,
    /// characters of strings as `\u` escapes (astral ones as surrogate pairs). It means the same.
    static func rewritten(_ r: inout SplitMix64, _ json: String) -> String {
        let bytes = Array(json.utf8)
        let node = try! bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
        func space() -> String { r.chance(30) ? r.pick([" ", "\n", "\t", "\r\n", "  "]) : "" }
        func string(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                if r.chance(20) || scalar.value < 0x20 || scalar == "\"" || scalar == "\\" {
                    for unit in String(scalar).utf16 { out += "\\u" + String(format: r.chance(50) ? "%04x" : "%04X", unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        func write(_ n: JSONNode) -> String {
            switch n {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .number(let text): return text
            case .string(let s): return string(s)
            case .array(let items): return "[" + items.map { space() + write($0) + space() }.joined(separator: ",") + "]"
            case .object(let members):
                var order = Array(members.indices)
                for k in order.indices.reversed() where k > 0 { order.swapAt(k, r.below(k + 1)) }
                return "{"
                    + order.map { space() + string(members[$0].key) + space() + ":" + space() + write(members[$0].value) + space() }
                    .joined(separator: ",") + "}"
            }
        }
        return space() + write(node) + space()
    }

    /// Random JSON-ish tokens: mostly not JSON, sometimes so.
    static func tokenSoup(_ r: inout SplitMix64) -> String {
        let tokens = [
            "{", "}", "[", "]", ",", ":", "\"event_id\"", "\"quantity\"", "\"a\"", "1", "-1.5e3", "0", "true", "false", "null",
            "\"\\u00e9\"", "\"\\ud800\"", " ", "\n", "\"", "\\", "1e999", "\"2025-03-21\"",
        ]
        return (0..<r.below(60)).map { _ in r.pick(tokens) }.joined()
    }

    /// The sample with one of its members written again at the end, value and all (a repeat that
    /// is valid in every other way: only the parser's duplicate check refuses it).
    static func repeatedMember(_ r: inout SplitMix64, _ json: String) -> String {
        guard case .object(let members) = try! Array(json.utf8).withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
            return json
        }
        let member = r.pick(members)
        return String(json.dropLast()) + "," + JSONText.quoted(member.key) + ":" + member.value.snippet(limit: 10_000) + "}"
    }

    /// An object of the entity's own field names (some missing, some twice) with edge values.
    static func randomObject(_ r: inout SplitMix64, _ entity: Entity) -> String {
        let fields = silverSchema.topics[entity]!.columns.map(\.name)
        var members: [String] = []
        for name in fields where r.chance(85) {
            let value = edgeValue(&r)
            members.append("\"\(name)\":\(value)")
        }
        if r.chance(10), let again = members.first { members.append(again) }
        return "{" + members.joined(separator: ",") + "}"
    }
}

import Foundation
import ShopStreamCore
import XCTest

@testable import ShopStreamSilver

final class PatternTests: XCTestCase {
    /// Every `pattern` in topics/, with where it is.
    func topicPatterns() -> [(field: String, pattern: String)] {
        var found: [(String, String)] = []
        func walk(_ v: JSONValue, _ path: String) {
            guard case .object(let o) = v else { return }
            if let p = o["pattern"]?.stringValue { found.append((path, p)) }
            for (k, child) in o { walk(child, path + "/" + k) }
        }
        for def in catalog.definitions { walk(def.valueSchema, def.name) }
        return found
    }

    func testEveryTopicPatternRunsOnTheFastMatcherAndAgreesWithICU() throws {
        var values = Set<String>()
        for entity in Entity.allCases {
            for json in Samples.events(entity) {
                let doc = try Array(json.utf8).withUnsafeBufferPointer { try JSONParser.parse($0) }
                guard case .object(let members) = doc else { continue }
                for (_, v) in members { if case .string(let s) = v { values.insert(s) } }
            }
        }
        // Near misses: every value with one character changed, dropped, doubled; a line break; other digits.
        var candidates = values
        for v in values {
            let chars = Array(v)
            for i in chars.indices {
                var changed = chars; changed[i] = "x"; candidates.insert(String(changed))
                var dropped = chars; dropped.remove(at: i); candidates.insert(String(dropped))
                var doubled = chars; doubled.insert(chars[i], at: i); candidates.insert(String(doubled))
            }
            candidates.insert(v + "\n")
            candidates.insert("\n" + v)
            candidates.insert(v.replacingOccurrences(of: "0", with: "٠"))  // Arabic-Indic zero
            candidates.insert(v.uppercased())
        }
        candidates.formUnion([
            "", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000+05:00", "2025-01-01T00:00:00.000+5:00",
            "a@b.co", "a@b.c", "a@@b.co", "A@b.co", "+923001234567", "+92300123456",
        ])
        var checked = 0
        var fixedLength = Set<String>()
        for (field, source) in topicPatterns() {
            let pattern = try Pattern(source)
            XCTAssert(pattern.isSimple, "\(field): \(source) falls back to ICU")
            let simple = try XCTUnwrap(SimplePattern(source))
            if simple.isFixedLength { fixedLength.insert(source) }
            for s in candidates {
                XCTAssertEqual(pattern.matches(s), pattern.matchesWithICU(s), "\(field) \(source) on \(s.debugDescription)")
                XCTAssertEqual(
                    simple.matches(s), simple.matchesNFA(s), "\(field) \(source) on \(s.debugDescription): fixed-length and NFA differ")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 10_000)
        // Every id, date and date-time pattern (all but the email, the free text and the phone's
        // neighbours) takes the fixed-length way.
        XCTAssertGreaterThanOrEqual(fixedLength.count, 12, "\(fixedLength.sorted())")
        XCTAssert(fixedLength.contains(#"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}(Z|[+-][0-9]{2}:[0-9]{2})$"#))
    }

    func testTheFastMatcherAgreesWithICUOnOtherShapes() throws {
        let cases: [(String, [String])] = [
            ("^a+b?$", ["a", "aab", "b", "", "abb", "ab\n"]),
            ("^(ab|cd){2,3}$", ["abcd", "ab", "abcdab", "abcdabcd", "cdcd"]),
            ("^[^0-9]+$", ["abc", "a1c", "", "é"]),
            ("^\\d{3}$", ["123", "١٢٣", "12"]),
            ("^[\\w.-]*@x\\.pk$", ["a.b-c_d@x.pk", "@x.pk", "a@xxpk"]),
            ("^(a|)+$", ["", "a", "aa", "b"]),
            ("^a{2,}$", ["a", "aa", "aaaa"]),
            ("^colou?r$", ["color", "colour", "colouur"]),
        ]
        for (source, inputs) in cases {
            let pattern = try Pattern(source)
            XCTAssert(pattern.isSimple, source)
            for s in inputs { XCTAssertEqual(pattern.matches(s), pattern.matchesWithICU(s), "\(source) on \(s.debugDescription)") }
        }
        // Fixed-length shapes, alternatives of different lengths among them.
        for (source, inputs) in [
            ("^(ab|c)[0-9]{2}$", ["ab12", "c12", "abc12", "c1", "ab123", ""]), ("^x(|y)z$", ["xz", "xyz", "xyyz"]),
            ("^[^a]{3}$", ["bcd", "abc", "é€😀", "bc"]),
        ] {
            let simple = try XCTUnwrap(SimplePattern(source))
            XCTAssert(simple.isFixedLength, source)
            for s in inputs {
                XCTAssertEqual(simple.matches(s), simple.matchesNFA(s), "\(source) on \(s.debugDescription)")
                XCTAssertEqual(simple.matches(s), try Pattern(source).matchesWithICU(s), "\(source) on \(s.debugDescription)")
            }
        }
    }

    func testOtherPatternsUseICUWithECMASemantics() throws {
        let unanchored = try Pattern("PRD")
        XCTAssertFalse(unanchored.isSimple)
        XCTAssert(unanchored.matches("x-PRD-1"))
        let dot = try Pattern("^a.c$")
        XCTAssertFalse(dot.isSimple)
        XCTAssert(dot.matches("abc"))
        XCTAssertFalse(dot.matches("abc\n"), "ECMA's $ does not match before a final line break")
        XCTAssertEqual(Pattern.icu(fromECMA: #"^[$\d]\d\$$"#), #"^[$0-9][0-9]\$\z"#)
    }
}

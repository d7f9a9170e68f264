import Foundation
import ShopStreamCore
import TestSupport
import XCTest

@testable import ShopStreamSilver

/// The one-pass scan (`ColumnScanner`) reads a message straight into column slots and leaves
/// everything it does not take on the spot to the tree path. These are the inputs where a byte-wise
/// reader is easiest to get wrong: each gets the tree path's verdict, and the typical event is
/// taken by the scan itself (else the scan would be dead code and the comparison empty).
final class ColumnScanTests: XCTestCase {
    func testEveryGeneratedEventIsTakenByTheScanWithTheTreesRow() {
        for entity in Entity.allCases {
            for json in Samples.events(entity) {
                XCTAssertTrue(FuzzTests.scanned(Array(json.utf8), entity), "\(entity.rawValue): the scan takes \(json)")
                XCTAssertEqual(verdicts(json, entity).scan, verdicts(json, entity).tree, json)
            }
        }
    }

    func testInputsAByteReaderGetsWrongGetTheTreesVerdict() {
        let sale = Samples.first(.sales)
        let body = String(sale.dropFirst().dropLast())  // the members without the braces
        // (what the message is, the JSON, the first rule of its rejection or nil: accepted)
        let cases: [(String, String, Violation.Rule?)] = [
            ("a key twice, same value", "{" + body + #","quantity":1}"#, .json),
            ("an optional key twice, both null", with(sale, "promotion", "null").dropLast() + #","promotion":null}"#, .json),
            ("a key written with an escape", sale.replacingOccurrences(of: #""sale_id""#, with: #""sale\u005fid""#), nil),
            ("a key escaped that repeats one written plainly", "{" + body + #","sale\u005fid":"SAL-0000037339"}"#, .json),
            ("a key that is a prefix of a field", sale.replacingOccurrences(of: #""sale_id""#, with: #""sale_i""#), .required),
            ("a key that a field is a prefix of", sale.replacingOccurrences(of: #""sale_id""#, with: #""sale_idx""#), .required),
            ("a key with a NUL", sale.replacingOccurrences(of: #""sale_id""#, with: "\"sale_id\u{0}\""), .json),
            ("a value with escapes", with(sale, "salesperson", #""Umar\u0020Anwar""#), nil),
            ("a value with a raw tab", with(sale, "salesperson", "\"Umar\tAnwar\""), .json),
            // The scan leaves the control-character rule to the tree path (the rules skip it for
            // scanned strings): DEL and the C1 controls are refused alike, other C2 characters taken.
            ("a value with a raw DEL", with(sale, "salesperson", "\"Umar\u{7F}Anwar\""), .control),
            ("a value with a raw NEL (C2 85)", with(sale, "salesperson", "\"Umar\u{85}Anwar\""), .control),
            ("a value with a raw U+009F (C2 9F)", with(sale, "salesperson", "\"Umar\u{9F}Anwar\""), .control),
            ("a value with a no-break space (C2 A0)", with(sale, "salesperson", "\"Umar\u{A0}Anwar\""), nil),
            ("a value with an é (C3 A9)", with(sale, "salesperson", "\"Umar Ané\""), nil),
            ("cut right after the last number", String(sale.dropLast()), .json),
            ("cut inside the last number", String(sale.dropLast(3)), .json),
            ("cut inside a key", String(sale.prefix(5)), .json),
            ("a number then a second point", with(sale, "unit_price", "2299.00.1"), .json),
            ("a leading zero", with(sale, "quantity", "01"), .json),
            ("a minus alone", with(sale, "quantity", "-"), .json),
            ("a point with no digit", with(sale, "unit_price", "2299."), .json),
            ("an exponent with no digit", with(sale, "quantity", "1e"), .json),
            ("an exponent that makes an integer", with(sale, "quantity", "1e0"), nil),
            ("a literal cut short", with(sale, "promotion", "nul"), .json),
            ("a literal run on", with(sale, "promotion", "nullx"), .json),
            ("an object for a string", with(sale, "promotion", #"{"a":1}"#), .type),
            ("an array for a string", with(sale, "promotion", "[]"), .type),
            ("a second document", sale + "{}", .json),
            ("a brace too many", sale + "}", .json),
            ("whitespace around every token", spaced(sale), nil),
            ("an empty object", "{}", .required),
            ("not an object", "[]", .type),
        ]
        for (name, json, rule) in cases {
            let (scan, tree) = verdicts(json, .sales)
            XCTAssertEqual(scan, tree, name)
            switch (scan, rule) {
            case (.success, nil): break
            case (.failure(let r), let rule?): XCTAssertEqual(r.violations[0].rule, rule, "\(name): \(r.reason)")
            default: XCTFail("\(name): \(scan), expected \(rule.map { "a rejection by \($0.rawValue)" } ?? "acceptance")")
            }
        }
        XCTAssertTrue(FuzzTests.scanned(Array(spaced(sale).utf8), .sales), "whitespace is the scan's to skip")
        XCTAssertTrue(FuzzTests.scanned(Array(with(sale, "salesperson", "\"Umar Ané\"").utf8), .sales), "an é is the scan's")
        for control in ["\u{7F}", "\u{80}", "\u{85}", "\u{9F}"] {
            XCTAssertFalse(
                FuzzTests.scanned(Array(with(sale, "salesperson", "\"Umar\(control)Anwar\"").utf8), .sales),
                "a control character is the tree path's to word")
        }
    }

    /// The scan skips plain string text eight bytes at a time: each byte that ends a string or
    /// needs the tree path (an escape, a raw control, DEL, a C2 lead) must still be seen wherever it
    /// falls in the word, and a string of plain text or other non-ASCII must still be the scan's,
    /// with its value whole. Every such byte at every offset of strings of 1 to 40 bytes.
    func testEveryByteAStringScanMustSeeIsSeenAtEveryOffset() throws {
        let store = Samples.first(.stores)
        // (what goes in, as JSON text; whether the scan takes it; the value it stands for)
        let specials: [(json: String, scanned: Bool, value: String)] = [
            ("x", true, "x"), ("é", true, "é"), ("€", true, "€"), ("\\\"", false, "\""), ("\\n", false, "\n"), ("\t", false, ""),
            ("\u{7F}", false, ""), ("\u{85}", false, ""), ("\u{A0}", false, "\u{A0}"), ("\u{1}", false, ""),
        ]
        var scannedCount = 0
        for length in 1...40 {
            for offset in 0..<length {
                for special in specials {
                    let before = String(repeating: "a", count: offset)
                    let after = String(repeating: "b", count: length - offset - 1)
                    let json = with(store, "address", "\"" + before + special.json + after + "\"")
                    let (scan, tree) = verdicts(json, .stores)
                    XCTAssertEqual(scan, tree, "\(special.json.debugDescription) at \(offset) of \(length)")
                    let scanned = FuzzTests.scanned(Array(json.utf8), .stores)
                    XCTAssertEqual(
                        scanned, special.scanned, "\(special.json.debugDescription) at \(offset) of \(length): taken by the scan")
                    if scanned {
                        scannedCount += 1
                        XCTAssertEqual(try scan.get().text("address"), before + special.value + after)
                    }
                }
            }
        }
        XCTAssertEqual(scannedCount, 3 * 820, "every plain and non-ASCII string is the scan's")
    }

    /// The verdict as `validate` gives it (the scan first) and through the tree path alone.
    private func verdicts(_ json: String, _ entity: Entity) -> (
        scan: Result<ValidatedEvent, Rejection>, tree: Result<ValidatedEvent, Rejection>
    ) {
        let bytes = Array(json.utf8)
        return (
            validator.validate(bytes, entity: entity, now: testNow),
            bytes.withUnsafeBytes { validator.validate($0, entity: entity, now: testNow, scan: false) }
        )
    }

    /// The JSON with whitespace of every kind around each structural character outside strings.
    private func spaced(_ json: String) -> String {
        var out = " \n"
        var inString = false
        for c in json {
            if c == "\"" { inString.toggle() }
            if !inString, "{}:,".contains(c) { out += "\t" + String(c) + "\r\n " } else { out.append(c) }
        }
        return out
    }
}

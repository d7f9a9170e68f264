import ShopStreamCore
import XCTest

@testable import ShopStreamSilver

/// RFC 8259's number grammar, as the reason a rejected event gives: each broken rule named, at the
/// byte where the number stops being one.
final class JSONNumberTests: XCTestCase {
    private func syntaxError(_ json: String) -> JSONParser.SyntaxError? {
        let utf8 = [UInt8](json.utf8)
        return utf8.withUnsafeBufferPointer { bytes -> JSONParser.SyntaxError? in
            do {
                _ = try JSONParser.parse(bytes)
                return nil
            } catch {
                return error as? JSONParser.SyntaxError
            }
        }
    }

    func testEachBrokenRuleOfANumberIsNamedAtItsByte() {
        let cases: [(json: String, message: String, offset: Int)] = [
            (#"{"q":01}"#, "invalid number (leading zero)", 6),
            (#"{"q":-007}"#, "invalid number (leading zero)", 7),
            (#"{"q":2299.}"#, "invalid number (no digit after '.')", 10),
            (#"{"q":1e}"#, "invalid number (no digit in the exponent)", 7),
            (#"{"q":1e+}"#, "invalid number (no digit in the exponent)", 8),
            (#"{"q":-}"#, "invalid number", 6),
            (#"{"q":.5}"#, "unexpected '.'", 5),
        ]
        for c in cases {
            XCTAssertEqual(syntaxError(c.json), JSONParser.SyntaxError(message: c.message, offset: c.offset), c.json)
        }
    }

    func testNumbersTheGrammarAllowsParse() {
        for json in [#"{"q":0}"#, #"{"q":-0}"#, #"{"q":0.05}"#, #"{"q":10}"#, #"{"q":1E-9}"#, #"{"q":2299.00}"#] {
            XCTAssertNil(syntaxError(json), json)
        }
    }
}

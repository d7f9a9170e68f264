import Foundation
import ShopStreamCore
import XCTest

@testable import ShopStreamSinks

/// The bronze sink stores a value as a JSON line only if `JSONLine` finds it one JSON document;
/// it reads a string's plain text eight bytes at a time, so every byte that ends or breaks a
/// string must be seen wherever it lies against those eight-byte steps.
final class JSONLineTests: XCTestCase {
    /// A string of 1 to 40 bytes with one byte (or two) changed at every position: the verdict is
    /// Foundation's JSON parser's, and what is refused is refused for that byte.
    func testEveryByteThatEndsOrBreaksAStringIsFoundAtEveryOffset() throws {
        let changes: [(name: String, bytes: [UInt8])] = [
            ("a quote", [0x22]), ("an escaped quote", [0x5C, 0x22]), ("a backslash before x", [0x5C, 0x78]),
            ("an escaped n", [0x5C, 0x6E]), ("NUL", [0x00]), ("a tab", [0x09]), ("a line break", [0x0A]), ("0x1F", [0x1F]),
            ("a space", [0x20]), ("DEL", [0x7F]), ("é", [0xC3, 0xA9]), ("a lone continuation byte", [0x80]), ("0xFF", [0xFF]),
        ]
        var refused = 0
        for length in 1...40 {
            for at in 0..<length {
                for change in changes where at + change.bytes.count <= length {
                    var text = Array(repeating: UInt8(ascii: "a"), count: length)
                    text.replaceSubrange(at..<(at + change.bytes.count), with: change.bytes)
                    let line = Array(#"{"k":""#.utf8) + text + Array(#"","n":1}"#.utf8)
                    let foundation = (try? JSONSerialization.jsonObject(with: Data(line))) != nil
                    XCTAssertEqual(JSONLine.isValid(line), foundation, "\(change.name) at \(at) of \(length) bytes")
                    if !foundation { refused += 1 }
                }
            }
        }
        XCTAssertGreaterThan(refused, 5_000, "most changes break the line: the test reaches the refusals")
    }

    /// The scan skips to the lowest flagged byte of a word: it must be the first byte that is not
    /// plain text, and a word of plain text has none.
    func testTheLowestFlagOfAWordIsItsFirstByteThatIsNotPlainText() {
        func firstFlagged(_ s: String) -> Int? {
            precondition(s.utf8.count == 8, "a word is 8 bytes")
            let flags = Array(s.utf8).withUnsafeBytes { JSONText.specialBytes($0.loadUnaligned(as: UInt64.self)) }
            return flags == 0 ? nil : flags.trailingZeroBitCount / 8
        }
        XCTAssertNil(firstFlagged("abcdefgh"))
        XCTAssertNil(firstFlagged(" ~!#$%&'"))
        XCTAssertEqual(firstFlagged("a\u{7F}cdefgh"), 1, "DEL is JSON text, but the validator refuses it: a byte to look at")
        for (word, first) in [
            ("\"bcdefgh", 0), ("abcdefg\\", 7), ("abc\u{1F}efgh", 3), ("abcdéfg", 4), ("a\u{0}\u{0}\"\u{1}\\fg", 1),
            ("abcdef\"\"", 6), ("ab\u{20}\u{1F}\u{0}\"gh", 3),
        ] {
            XCTAssertEqual(firstFlagged(word), first, word.debugDescription)
        }
    }
}

import ShopStreamCore
import XCTest

@testable import ShopStreamSinks

/// The one UTF-8 check the validator and the bronze sink's JSON Lines recogniser share agrees with
/// the standard library's decoder on every lead byte, with the bytes after it at and around
/// each bound, and a JSON string holding those bytes is a valid line exactly when they are UTF-8.
final class UTF8CheckTests: XCTestCase {
    func testAgreesWithTheStandardLibraryOnEveryLeadByteAndTheBoundsAfterIt() {
        let around: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        var checked = 0
        for lead in UInt8(0x80)...0xFF {
            for second in around {
                for third in around where third >= 0x80 || third == 0x41 {
                    for fourth: UInt8 in [0x41, 0x80, 0xBF, 0xC0] {
                        for length in 1...4 {
                            let bytes = Array([lead, second, third, fourth].prefix(length))
                            let valid = String(validating: bytes, as: UTF8.self) != nil
                            let firstInvalid = bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) }
                            XCTAssertEqual(firstInvalid == nil, valid, "\(bytes.map { String($0, radix: 16) })")
                            let line = Array("\"".utf8) + bytes + Array("\"".utf8)
                            // A string may not hold raw control bytes or a lone quote or backslash;
                            // none of `around` is a quote or backslash, so only controls matter.
                            let jsonValid = valid && !bytes.contains(where: { $0 < 0x20 })
                            XCTAssertEqual(JSONLine.isValid(line), jsonValid, "\(bytes.map { String($0, radix: 16) })")
                            checked += 1
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 50_000)
    }

    /// ASCII is checked eight bytes at a time: a bad byte (or a good multi-byte scalar) is found
    /// wherever it lies against those eight-byte steps, in texts of every length around them.
    func testFindsTheFirstBadByteAtEveryOffsetOfALongerText() {
        for length in 1...40 {
            for at in 0..<length {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                bytes[at] = 0xFF
                XCTAssertEqual(bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) }, at, "\(length) bytes, 0xFF at \(at)")
                bytes[at] = 0x80
                XCTAssertEqual(bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) }, at, "\(length) bytes, 0x80 at \(at)")
                guard at + 2 <= length else { continue }
                bytes[at] = 0xC3  // é, then a lone continuation byte further on
                bytes[at + 1] = 0xA9
                XCTAssertNil(bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) }, "\(length) bytes, é at \(at)")
                if at + 2 < length {
                    bytes[length - 1] = 0xBF
                    XCTAssertEqual(
                        bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) }, length - 1,
                        "\(length) bytes, é at \(at), 0xBF last")
                }
            }
        }
    }

    func testPointsAtTheFirstBadByte() {
        let bytes: [UInt8] = Array("café ".utf8) + [0xED, 0xA0, 0x80] + Array("x".utf8)
        XCTAssertEqual(bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) }, 6)
    }
}

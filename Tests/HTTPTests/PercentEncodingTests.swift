import Foundation
import XCTest

@testable import ShopStreamHTTP

/// One percent-encoding for object names, BigQuery ids and the token request's form: every byte
/// but RFC 3986's unreserved ones becomes %XX, so a name with `/`, `+` or a space survives a URL.
final class PercentEncodingTests: XCTestCase {
    func testEveryByteButTheUnreservedOnesIsEncodedAsFoundationDoes() {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
        var texts = (1..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        texts += ["é", "€", "😀", "dt=2026-12-04/shop.sales+p0 00.jsonl", ""]
        for text in texts {
            XCTAssertEqual(PercentEncoding.encode(text), text.addingPercentEncoding(withAllowedCharacters: unreserved), text)
        }
    }

    func testAFormEncodesNamesAndValuesAlike() {
        let body = FormEncoding.encode([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("a b", "c+d/e")])
        XCTAssertEqual(
            String(decoding: body, as: UTF8.self),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&a%20b=c%2Bd%2Fe")
    }
}

import Foundation
import XCTest

@testable import ShopStreamLake

/// The body of a Cloud Storage multipart upload, written by hand rather than by JSONSerialization.
final class MultipartRelatedTests: XCTestCase {
    func testTheResourceReadsBackAsJSONWithEveryAwkwardCharacterIntact() throws {
        let metadata = [
            "topic": "shop.sales", "quote\"key": "a \"quoted\" value", "back\\slash": "C:\\lake\\", "lines": "one\ntwo\r\n",
            "tab": "a\tb", "control": "\u{01}\u{1F}", "slash": "a/b", "unicode": "Lahore – Karachi ✓ ملتان 🛍",
        ]
        let resource = MultipartRelated.Resource(
            name: "bronze/sales/dt=2025-01-01/shop.sales+0+00000000000000000000.jsonl", contentType: "application/x-ndjson",
            metadata: metadata, md5Hash: "1B2M2Y8AsgTpgAmY7PhCfg==", crc32c: "AAAAAA==")
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(resource.json.utf8)) as? [String: Any])
        XCTAssertEqual(parsed["name"] as? String, resource.name)
        XCTAssertEqual(parsed["contentType"] as? String, "application/x-ndjson")
        XCTAssertEqual(parsed["md5Hash"] as? String, "1B2M2Y8AsgTpgAmY7PhCfg==")
        XCTAssertEqual(parsed["crc32c"] as? String, "AAAAAA==")
        XCTAssertEqual(parsed["metadata"] as? [String: String], metadata)
        XCTAssertEqual(parsed.count, 5, "no other fields")
    }

    func testTheBodyFramesTheResourceAndTheMediaBetweenBoundariesTheMediaDoesNotHold() throws {
        let media = Data("{\"a\":1}\n--shopstream-\n".utf8)
        let resource = MultipartRelated.Resource(name: "n", contentType: "text/plain", metadata: [:], md5Hash: "m", crc32c: "c")
        let upload = MultipartRelated(resource: resource, media: media, mediaType: "text/plain")
        let boundary = try XCTUnwrap(upload.contentType.components(separatedBy: "boundary=").last)
        XCTAssertEqual(upload.contentType, "multipart/related; boundary=\(boundary)")
        XCTAssertFalse(MultipartRelated.contains(media, Array(boundary.utf8)))
        XCTAssertNotNil(boundary.wholeMatch(of: /shopstream-[0-9a-f]{32}/), boundary)
        XCTAssertNotEqual(MultipartRelated(resource: resource, media: media, mediaType: "text/plain").contentType, upload.contentType)
        let expected =
            "--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n\(resource.json)\r\n"
            + "--\(boundary)\r\nContent-Type: text/plain\r\n\r\n{\"a\":1}\n--shopstream-\n\r\n--\(boundary)--\r\n"
        XCTAssertEqual(String(decoding: upload.body, as: UTF8.self), expected)
    }

    func testContainsFindsTheWholeNeedleAnywhereAndNothingElse() {
        func contains(_ haystack: String, _ needle: String) -> Bool {
            MultipartRelated.contains(Data(haystack.utf8), Array(needle.utf8))
        }
        XCTAssertTrue(contains("boundary at the start", "boundary"))
        XCTAssertTrue(contains("at the end: boundary", "boundary"))
        XCTAssertTrue(contains("bbbboundary after false starts", "boundary"))
        XCTAssertTrue(contains("boundary", "boundary"), "the whole haystack")
        XCTAssertFalse(contains("a cut-off bounda", "boundary"), "a prefix at the end is not a match")
        XCTAssertFalse(contains("boundar", "boundary"), "shorter than the needle")
        XCTAssertFalse(contains("", "boundary"))
        XCTAssertFalse(contains("no such thing here", "boundary"))
    }
}

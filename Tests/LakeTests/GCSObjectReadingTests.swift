import Foundation
import XCTest

@testable import ShopStreamLake

/// `GCSObject(resource:)`, the reader of upload and `objects.get` answers that replaced
/// JSONDecoder on the bronze sink's path (through silver's strict `JSONParser`): it must read what
/// JSONDecoder read, and refuse what it refused. Unlike JSONDecoder it refuses a repeated key.
final class GCSObjectReadingTests: XCTestCase {
    /// fake-gcs-server's answer to a multipart upload (2026-12-05), `acl` and all.
    private let upload = #"""
        {"kind":"storage#object","name":"a/b ü","id":"h2probe/a/b ü","bucket":"h2probe","size":"5","contentType":"text/plain","crc32c":"mnG7TA==","acl":[{"bucket":"h2probe","entity":"projectOwner-test-project","etag":"RVRhZw==","kind":"storage#objectAccessControl","object":"a/b ü","projectTeam":{},"role":"OWNER"}],"md5Hash":"XUFAKrxLKna5cZ2REBfFkg==","etag":"XUFAKrxLKna5cZ2REBfFkg==","storageClass":"STANDARD","timeCreated":"2026-12-05T02:17:27.118571Z","updated":"2026-12-05T02:17:27.118578Z","generation":"1796437047118586","metadata":{"k":"v\"q"},"selfLink":"http://127.0.0.1:4462/storage/v1/b/h2probe/o/a%2Fb%20%C3%BC","metageneration":"1"}
        """#

    func testAnUploadAnswerReadsAsJSONDecoderReadsIt() throws {
        let body = Data(upload.utf8)
        let object = try GCSObject(resource: body)
        XCTAssertEqual(object.name, "a/b ü")
        XCTAssertEqual(object.size, "5")
        XCTAssertEqual(object.md5Hash, "XUFAKrxLKna5cZ2REBfFkg==")
        XCTAssertEqual(object.crc32c, "mnG7TA==")
        XCTAssertEqual(object.contentType, "text/plain")
        XCTAssertEqual(object.generation, "1796437047118586")
        XCTAssertEqual(object.metadata, ["k": "v\"q"])
        assertSameAsJSONDecoder(body)
    }

    /// Google's own answers are pretty-printed and may escape anything.
    func testWhitespaceEscapesNullsAndOtherValuesAreReadAsJSONDecoderReadsThem() throws {
        let documents = [
            #"{ "name" : "x" }"#,
            "{\n  \"name\": \"bronze/a\",\n  \"size\": \"27000\",\n  \"metadata\": {\n    \"count\": \"100\"\n  }\n}\n",
            #"{"name":"tab\there \"q\" back\\slash \/ \u00fc \ud83d\udecd \b\f\n\r","metadata":{"\u006b":"\u0041"}}"#,
            #"{"name":"n","size":null,"metadata":null,"md5Hash":null,"crc32c":null,"contentType":null,"generation":null}"#,
            #"{"name":"n","metadata":{}}"#,
            #"{"owner":{"entity":"user-x","deep":[[[{"a":[]}]],-1.5e+3,0,true,false,null,"s"]},"name":"n","acl":[]}"#,
            #"{"n\u0061me":"escaped key","selfLink":"skipped \"\\ \u00fc\ud83d\udecd","metadata":{"k":"1"}}"#,
        ]
        for document in documents {
            XCTAssertNoThrow(try GCSObject(resource: Data(document.utf8)), document)
            assertSameAsJSONDecoder(Data(document.utf8))
        }
        XCTAssertEqual(try GCSObject(resource: Data(documents[2].utf8)).name, "tab\there \"q\" back\\slash / ü 🛍 \u{08}\u{0C}\n\r")
        XCTAssertEqual(try GCSObject(resource: Data(documents[2].utf8)).metadata, ["k": "A"])
        XCTAssertEqual(try GCSObject(resource: Data(documents[6].utf8)).name, "escaped key")
        XCTAssertEqual(try GCSObject(resource: Data(documents[6].utf8)).metadata, ["k": "1"])
    }

    /// What the lake itself writes as a resource comes back with every awkward character intact.
    func testTheResourceTheLakeSendsReadsBack() throws {
        let metadata = [
            "quote\"key": "a \"quoted\" value", "back\\slash": "C:\\lake\\", "lines": "one\ntwo\r\n", "tab": "a\tb",
            "control": "\u{01}\u{1F}", "slash": "a/b", "unicode": "Lahore – Karachi ✓ ملتان 🛍",
        ]
        let resource = MultipartRelated.Resource(
            name: "odd/Ünïcødé \"name\".jsonl", contentType: "application/x-ndjson", metadata: metadata, md5Hash: "m", crc32c: "c")
        let object = try GCSObject(resource: Data(resource.json.utf8))
        XCTAssertEqual(object.name, resource.name)
        XCTAssertEqual(object.metadata, metadata)
        XCTAssertEqual(object.md5Hash, "m")
        XCTAssertEqual(object.crc32c, "c")
    }

    func testAMalformedAnswerIsRefusedSayingWhere() {
        let cases: [(String, String)] = [
            ("", "empty message at byte 0"),
            (#"{"name":"n""#, "unterminated object at byte 11"),
            (#"{"name":"n"} x"#, "unexpected 'x' after the document at byte 13"),
            (#"{"name":5}"#, #""name" is number, not a string"#),
            (#"{"name":"n","metadata":{"k":1}}"#, #""metadata"."k" is number, not a string"#),
            (#"{"name":"n","metadata":["k"]}"#, #""metadata" is array, not an object"#),
            (#"{"name":"n\q"}"#, #"invalid escape '\q' at byte 11"#),
            (#"{"name":"\ud800"}"#, "lone surrogate in a \\u escape at byte 15"),
            (#"{"name":"n","selfLink":"a\qb"}"#, #"invalid escape '\q' at byte 26"#),
            (#"{"name":"n","selfLink":"a\u00"}"#, #"invalid \u escape at byte 29"#),
            ("{\"name\":\"a\nb\"}", "unescaped control character in a string at byte 10"),
            (#"{"name":"n","x":tru}"#, "invalid literal (expected true) at byte 16"),
            (#"{"size":"5"}"#, #"the resource has no "name""#),
            (#"["name"]"#, "the resource is array, not an object"),
            (#"{"name":"first","name":"second"}"#, #"duplicate member "name" at byte 16"#),
        ]
        for (document, reason) in cases {
            XCTAssertThrowsError(try GCSObject(resource: Data(document.utf8)), document) { error in
                XCTAssertEqual("\(error)", reason, document)
            }
            // JSONDecoder does not look into the escapes of a member it skips, and takes the last of
            // a repeated key; this reader refuses both.
            if !document.contains("selfLink") && !document.contains("first") {
                XCTAssertThrowsError(try JSONDecoder().decode(GCSObject.self, from: Data(document.utf8)), "JSONDecoder too: \(document)")
            }
        }
        XCTAssertThrowsError(try GCSObject(resource: Data([0x7B, 0x22, 0x6E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]))) {
            XCTAssertEqual("\($0)", "bytes that are not UTF-8 at byte 9")
        }
    }

    private func assertSameAsJSONDecoder(_ body: Data, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let expected = try JSONDecoder().decode(GCSObject.self, from: body)
            let object = try GCSObject(resource: body)
            XCTAssertEqual(object.name, expected.name, file: file, line: line)
            XCTAssertEqual(object.size, expected.size, file: file, line: line)
            XCTAssertEqual(object.md5Hash, expected.md5Hash, file: file, line: line)
            XCTAssertEqual(object.crc32c, expected.crc32c, file: file, line: line)
            XCTAssertEqual(object.contentType, expected.contentType, file: file, line: line)
            XCTAssertEqual(object.metadata, expected.metadata, file: file, line: line)
            XCTAssertEqual(object.generation, expected.generation, file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}

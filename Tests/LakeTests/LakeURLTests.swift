import Foundation
import ShopStreamLake
import XCTest

final class LakeURLTests: XCTestCase {
    func testCloudStorageURLsNameABucketAndAnOptionalPrefix() throws {
        XCTAssertEqual(try LakeURL(parsing: "gs://shop-lake"), .gcs(bucket: "shop-lake", prefix: ""))
        XCTAssertEqual(try LakeURL(parsing: "gs://shop-lake/"), .gcs(bucket: "shop-lake", prefix: ""))
        XCTAssertEqual(try LakeURL(parsing: "gs://shop-lake/env/dev/"), .gcs(bucket: "shop-lake", prefix: "env/dev"))
        XCTAssertEqual(try LakeURL(parsing: "gs://shop.lake.example.com/x").description, "gs://shop.lake.example.com/x")
    }

    func testFileURLsNameAnAbsoluteOrRelativeFolder() throws {
        XCTAssertEqual(try LakeURL(parsing: "file:///var/lib/lake/"), .folder(path: "/var/lib/lake"))
        XCTAssertEqual(try LakeURL(parsing: "file://localhost/var/lake"), .folder(path: "/var/lake"))
        XCTAssertEqual(try LakeURL(parsing: "file://./lake", currentDirectory: "/work/app"), .folder(path: "/work/app/lake"))
        XCTAssertEqual(try LakeURL(parsing: "file://../lake", currentDirectory: "/work/app"), .folder(path: "/work/lake"))
        XCTAssertEqual(try LakeURL(parsing: "file:///tmp/my%20lake"), .folder(path: "/tmp/my lake"))
        XCTAssertEqual(LakeURL.folder(path: "/tmp/lake").description, "file:///tmp/lake")
    }

    func testAnythingElseSaysWhatIsExpected() {
        func message(_ text: String) -> String {
            do {
                _ = try LakeURL(parsing: text)
                return "parsed"
            } catch {
                XCTAssertEqual((error as? LakeError)?.code, .invalidURL)
                return "\(error)"
            }
        }
        XCTAssertEqual(message("s3://x"), "--lake s3://x: expected gs://BUCKET[/PREFIX] or file:///PATH")
        XCTAssertEqual(message("lake"), "--lake lake: expected gs://BUCKET[/PREFIX] or file:///PATH")
        XCTAssertEqual(message("gs://"), "--lake gs://: no bucket name; expected gs://BUCKET[/PREFIX] or file:///PATH")
        XCTAssertTrue(message("gs://Shop_Lake").contains("bucket name \"Shop_Lake\" may contain only lowercase letters"))
        XCTAssertTrue(message("gs://ab").contains("must be 3 to 63 characters long"))
        XCTAssertTrue(message("gs://shop-lake/a//b").contains("the prefix is not a valid object name"))
        XCTAssertTrue(
            message("file://lake").contains("file:// must be followed by an absolute path (file:///data/lake) or ./ (file://./lake)"))
        XCTAssertTrue(message("file:///").contains("the lake cannot be the root folder"))
    }

    func testTheFactoryOpensTheLakeTheURLNames() throws {
        let directory = NSTemporaryDirectory() + "shopstream-lake-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let folder = try makeLake(url: "file://./lake", environment: [:], currentDirectory: directory)
        XCTAssertEqual((folder as? FolderLake)?.root, directory + "/lake")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/lake"), "the folder is created")

        let gcs = try makeLake(url: "gs://shop-lake/bronze", environment: ["STORAGE_EMULATOR_HOST": "localhost:4443"])
        XCTAssertEqual((gcs as? GCSLake)?.configuration.endpoint, "http://localhost:4443")
        XCTAssertEqual(gcs.url, "gs://shop-lake/bronze")

        XCTAssertThrowsError(try makeLake(url: "s3://x", environment: [:]))
    }
}

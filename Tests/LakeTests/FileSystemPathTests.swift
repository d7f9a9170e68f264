import Foundation
import XCTest

@testable import ShopStreamLake

/// The folder lake splits its paths itself (NSString's path methods cost ~40,000 instructions a
/// call on Linux); what it gets is what NSString says of the paths the lake makes.
final class FileSystemPathTests: XCTestCase {
    func testParentAndLastComponentAreNSStringsOfTheLakesPaths() {
        let paths = [
            "/a", "/a/b", "/tmp/demo/lake/bronze/sales/dt=2025-01-01/shop.sales+3+00000000000000001200.jsonl",
            "/tmp/demo/lake/.meta/bronze/sales/dt=2025-01-01/.x.jsonl.123-4.tmp", "relative/lake/x.jsonl", "bare",
            "/ü/名前/é.jsonl", "/a/b c/d",
        ]
        for path in paths {
            XCTAssertEqual(FileSystem.parent(path), (path as NSString).deletingLastPathComponent, path)
            XCTAssertEqual(FileSystem.lastComponent(path), (path as NSString).lastPathComponent, path)
        }
        XCTAssertEqual(FileSystem.parent("/"), "/", "the root is its own parent: mkdir -p stops there")
    }
}

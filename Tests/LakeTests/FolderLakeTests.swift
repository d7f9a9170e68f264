import Foundation
import ShopStreamHTTP
import ShopStreamLake
import XCTest

final class FolderLakeTests: XCTestCase {
    private var root = ""
    private var lake: FolderLake!
    private var contract: LakeContract { LakeContract(lake: lake) }

    override func setUpWithError() throws {
        root = try makeTemporaryDirectory(self) + "/lake"
        lake = try FolderLake(root: root)
    }

    // The contract every lake keeps.
    func testCreatedObjectsReadBackAndListInNameOrder() throws { try contract.createdObjectsReadBackAndListInNameOrder(pageSize: 1) }
    func testCreateIsCreateOnlyButASameBytesRetrySucceeds() throws { try contract.createIsCreateOnly() }
    func testConcurrentCreatesOfOneNameHaveOneWinner() throws { try contract.concurrentCreatesOfOneNameHaveOneWinner() }
    func testMetadataRoundTrips() throws { try contract.metadataRoundTrips() }
    func testHandedDownChecksumsAreStoredAsTheLakeWouldComputeThem() throws {
        try contract.handedDownChecksumsAreStoredAsTheLakeWouldComputeThem()
    }
    func testAwkwardNamesRoundTrip() throws { try contract.awkwardNamesRoundTrip() }
    func testMissingObjectsAreNilOrNotFound() throws { try contract.missingObjects() }
    func testDeleteRemovesAndMayBeRepeated() throws { try contract.deleteRemovesAndMayBeRepeated() }
    func testInvalidNamesAreRefused() throws { try contract.invalidNamesAreRefused() }

    // The folder's own promises.

    func testObjectsArePlainFilesWithTheirDescriptionsBeside() throws {
        let name = "bronze/sales/dt=2025-01-01/shop.sales+0+00000000000000000000.jsonl"
        _ = try lake.create(name, bytes: Data("{}\n".utf8), contentType: "application/x-ndjson", metadata: ["count": "1"])
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/" + name), Data("{}\n".utf8))
        let sidecar = try XCTUnwrap(FileManager.default.contents(atPath: root + "/.meta/" + name + ".json"))
        XCTAssertTrue(String(decoding: sidecar, as: UTF8.self).contains(#""count":"1""#))
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "no temporary file is left behind")
        XCTAssertEqual(try lake.list(prefix: "").map(\.name), [name], "the descriptions are not objects")
    }

    func testNamesStartingWithADotAreKeptForTheLakesOwnFiles() throws {
        XCTAssertThrowsError(try lake.create(".meta/x", bytes: Data(), contentType: "text/plain", metadata: [:])) { error in
            XCTAssertEqual((error as? LakeError)?.code, .invalidName)
        }
        XCTAssertThrowsError(try lake.create("a/.hidden", bytes: Data(), contentType: "text/plain", metadata: [:]))
    }

    func testLeftoversOfACrashedCreateNeitherShowNorBlock() throws {
        // A crash after the description moved into place but before the link, and a temporary file.
        let name = "bronze/sales/dt=2025-01-01/shop.sales+0+00000000000000000100.jsonl"
        try FileManager.default.createDirectory(atPath: root + "/.meta/bronze/sales/dt=2025-01-01", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/bronze/sales/dt=2025-01-01", withIntermediateDirectories: true)
        try Data(#"{"size":1,"md5":"x","contentType":"text/plain","metadata":{"stale":"yes"}}"#.utf8)
            .write(to: URL(fileURLWithPath: root + "/.meta/" + name + ".json"))
        try Data("half".utf8).write(
            to: URL(fileURLWithPath: root + "/bronze/sales/dt=2025-01-01/.shop.sales+0+00000000000000000100.jsonl.1-x.tmp"))

        XCTAssertNil(try lake.head(name))
        XCTAssertEqual(try lake.list(prefix: "bronze/").count, 0)
        let stored = try lake.create(name, bytes: Data("whole\n".utf8), contentType: "application/x-ndjson", metadata: ["count": "1"])
        XCTAssertEqual(try lake.head(name), stored)
        XCTAssertEqual(try lake.head(name)?.metadata, ["count": "1"], "the stale description was replaced")
    }

    func testAFilePutThereByHandIsAnObject() throws {
        try FileManager.default.createDirectory(atPath: root + "/manual", withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: root + "/manual/hello.txt"))
        let object = try XCTUnwrap(lake.head("manual/hello.txt"))
        XCTAssertEqual(object.md5, "sZRqySSS0jR8YjW00mERhA==")
        XCTAssertEqual(object.size, 6)
        XCTAssertEqual(try lake.list(prefix: "manual/").map(\.name), ["manual/hello.txt"])
        XCTAssertThrowsError(try lake.create("manual/hello.txt", bytes: Data("other".utf8), contentType: "text/plain", metadata: [:]))
    }

    func testAFileChangedOutsideTheLakeIsReportedCorrupt() throws {
        _ = try lake.create("a.jsonl", bytes: Data("original\n".utf8), contentType: "text/plain", metadata: [:])
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: root + "/a.jsonl"))
        XCTAssertThrowsError(try lake.get("a.jsonl")) { error in
            XCTAssertEqual((error as? LakeError)?.code, .corrupt)
        }
    }

    func testANameUsedAsBothObjectAndFolderIsAClearError() throws {
        _ = try lake.create("a", bytes: Data("x".utf8), contentType: "text/plain", metadata: [:])
        XCTAssertThrowsError(try lake.create("a/b", bytes: Data("y".utf8), contentType: "text/plain", metadata: [:])) { error in
            XCTAssertEqual((error as? LakeError)?.code, .storage)
            XCTAssertTrue("\(error)".contains("used both as an object and as a folder"), "\(error)")
        }
    }

    func testALakeInAFolderThatCannotBeCreatedSaysWhy() throws {
        let file = root + "/plain-file"
        try Data().write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try FolderLake(root: file + "/lake")) { error in
            XCTAssertTrue("\(error)".contains(file), "\(error)")
        }
    }
}

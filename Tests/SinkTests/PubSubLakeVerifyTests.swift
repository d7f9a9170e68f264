import Foundation
import ShopStreamLake
import ShopStreamSinks
import XCTest

/// `lake verify` on objects read from Pub/Sub: they have no offsets, so a duplicate is a message
/// id listed by two objects, or (with `deep`) an event id on two lines.
final class PubSubLakeVerifyTests: XCTestCase {
    /// Stores a Pub/Sub bronze object of `lines` (message id, event id) as the sink names it.
    private func store(_ lake: any Lake, publishMs: Int64, _ lines: [(String, String)]) throws -> String {
        let name = BronzeFormat.pubSubObjectName(
            topic: "shop.sales", firstPublishMs: publishMs, firstMessageId: lines[0].0, dt: "2025-01-01", gzip: false)
        let bytes = Data(lines.map { "{\"event_id\":\"\($0.1)\"}\n" }.joined().utf8)
        _ = try lake.create(
            name, bytes: bytes, contentType: "application/x-ndjson",
            metadata: [
                "bus": "pubsub", "topic": "shop.sales", "subscription": "shop.sales.bronze", "count": String(lines.count),
                "message_ids": lines.map(\.0).joined(separator: ","),
            ])
        return name
    }

    func testAMessageInTwoObjectsAndAnEventOnTwoLinesAreReportedAndNothingElse() throws {
        let (lake, _) = try temporaryFolderLake()
        let a = try store(lake, publishMs: 1_000, [("1", "e1"), ("2", "e2"), ("3", "e3")])
        // Message 3 delivered again and batched with 4; e5 published twice (two message ids).
        let b = try store(lake, publishMs: 2_000, [("3", "e3"), ("4", "e4"), ("5", "e5")])
        _ = try store(lake, publishMs: 3_000, [("6", "e5"), ("7", "e7")])

        let report = try BronzeVerifier(lake: lake).verify(watermarks: nil, deep: false)
        XCTAssertEqual(report.duplicateMessages, ["3": [a, b]])
        XCTAssertEqual(report.problems.count, 1, "\(report.problems)")
        XCTAssertEqual(report.events, 8)
        XCTAssertEqual(report.pubSubTopics["shop.sales"]?.messages, 7)

        let deep = try BronzeVerifier(lake: lake).verify(watermarks: nil, deep: true)
        XCTAssertEqual(deep.duplicateEvents, ["e3": 2, "e5": 2], "\(deep.problems)")
        XCTAssertEqual(deep.problems.count, 3, "\(deep.problems)")
    }

    func testObjectsWithoutACommonMessageAreClean() throws {
        let (lake, _) = try temporaryFolderLake()
        _ = try store(lake, publishMs: 1_000, [("1", "e1"), ("2", "e2")])
        _ = try store(lake, publishMs: 2_000, [("3", "e3")])
        let report = try BronzeVerifier(lake: lake).verify(watermarks: nil, deep: true)
        XCTAssertTrue(report.isClean, "\(report.problems)")
        XCTAssertEqual(report.objects, 2)
        XCTAssertEqual(report.events, 3)
    }
}

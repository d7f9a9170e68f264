import Foundation
import ShopStreamCore
import ShopStreamGenerator
import TestSupport
import XCTest

/// `shopstream run`: the README's first command, end to end on the embedded default.
final class RunCommandTests: XCTestCase {
    func testTheTopLevelHelpStartsWithTheWholePipeline() throws {
        let r = try shopstream(["--help"])
        XCTAssertEqual(r.status, 0)
        for line in ["shopstream run ", "shopstream compact ", "shopstream dashboard ", "shopstream check "] {
            XCTAssertTrue(r.stdout.contains(line), "--help shows \(line): \(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("  dashboard "), "and lists the dashboard command")
    }

    func testRunLandsEveryPublishedEventInTheLakeAndTheWarehouse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lake = "file://\(dir.path)/lake", warehouse = "sqlite://\(dir.path)/warehouse.db"

        let truth = dir.appendingPathComponent("truth.json")
        let r = try shopstream(
            [
                "run", "--days", "5", "--lake", lake, "--warehouse", warehouse, "--dashboard", dir.path + "/page.html",
                "--truth", truth.path,
            ], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        // What was published, counted from the events by the generator's truth recorder (not by
        // the report's counter), against what the lake and the warehouse hold.
        let events = try GroundTruth.read(from: truth).events
        try assertRunLanded(
            report: r.stdout, published: Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, events[$0]) }),
            lake: lake, warehouse: warehouse)
        XCTAssertTrue(r.stdout.contains("0 rejected"), r.stdout)
        XCTAssertTrue(r.stdout.contains("facts waited for a dimension read later"), "says how many facts were parked: \(r.stdout)")
        XCTAssertNotNil(
            r.stdout.range(
                of:
                    #"done in \d+\.\d s \(set-up .* s, publishing .* s; after it, bronze done in .* s, silver in .* s; gold .* s, report .* s\)"#,
                options: .regularExpression),
            "the last line says where the time went: \(r.stdout)")
        XCTAssertTrue(r.stdout.contains("top stores by revenue"), r.stdout)
        XCTAssertTrue(r.stdout.contains("dashboard: \(dir.path)/page.html   (open it in a browser)"), r.stdout)
        let page = try String(contentsOfFile: dir.path + "/page.html", encoding: .utf8)
        XCTAssertTrue(page.contains("5 days with sales"), "the dashboard shows the run's gold")

        let verify = try shopstream(["lake", "verify", "--lake", lake, "--deep"])
        XCTAssertEqual(verify.status, 0, verify.stdout)

        // The report's lake size comes from the bronze sink's own count, not a listing: it is the
        // lake's, as `lake ls` lists it ("SIZE  NAME" a line).
        let listed = try shopstream(["lake", "ls", "--lake", lake, "bronze/"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let sizes = listed.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.flatMap { Int($0) } }
        let expected =
            "lake:      \(NumberText.grouped(sizes.count)) objects, \(NumberText.grouped(sizes.reduce(0, +) / 1024)) KiB stored in \(lake)/bronze/\n"
        XCTAssertTrue(r.stdout.contains(expected), "expected \(expected) in \(r.stdout)")
    }
}

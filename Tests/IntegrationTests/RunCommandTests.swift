import Foundation
import TestSupport
import XCTest

/// `shopstream run`: the README's first command, end to end on the embedded default.
final class RunCommandTests: XCTestCase {
    func testRunLandsEveryPublishedEventInTheLakeAndTheWarehouse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lake = "file://\(dir.path)/lake", warehouse = "sqlite://\(dir.path)/warehouse.db"

        let r = try shopstream(["run", "--days", "5", "--lake", lake, "--warehouse", warehouse], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Per topic: published = in bronze = in silver.
        let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("shop.") }
        XCTAssertEqual(rows.count, 7, r.stdout)
        for row in rows {
            let cells = row.split(separator: " ")
            XCTAssertEqual(cells[1], cells[2], "bronze holds what was published: \(row)")
            XCTAssertEqual(cells[1], cells[3], "silver holds what was published: \(row)")
        }
        XCTAssertTrue(r.stdout.contains("0 rejected"), r.stdout)
        XCTAssertTrue(r.stdout.contains("top stores by revenue"), r.stdout)

        let verify = try shopstream(["lake", "verify", "--lake", lake, "--deep"])
        XCTAssertEqual(verify.status, 0, verify.stdout)
    }
}

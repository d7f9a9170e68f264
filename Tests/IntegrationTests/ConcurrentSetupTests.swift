import Foundation
import TestSupport
import XCTest

/// Processes that apply silver's SQL to one new SQLite warehouse at the same moment (sinks of one
/// group started together, `warehouse init` beside a sink) all succeed: the setup of one is not
/// interleaved with another's (which failed with "view … already exists" when one dropped and
/// created a view between another's DROP VIEW and CREATE VIEW).
final class ConcurrentSetupTests: XCTestCase {
    func testFourInitsAtOnceOnANewSQLiteWarehouseAllSucceed() throws {
        let started = Date()
        let dir = NSTemporaryDirectory() + "setup-race-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // `warehouse init` runs the same setup a sink runs before it reads (WarehouseSetup.apply),
        // without a broker. Before the fix 3 rounds of 5 had a failure; 6 rounds leave it little chance.
        for round in 1...6 {
            let url = "sqlite://\(dir)/round\(round).db"
            let inits = try (1...4).map {
                try Child(try shopstreamBinary(), ["warehouse", "init", "--warehouse", url], directory: dir, label: "init-\(round)-\($0)")
            }
            for child in inits {
                XCTAssertEqual(child.wait(timeout: 120), 0, "round \(round), \(child.label): \(child.stderr)")
            }
            let views = try shopstream(["warehouse", "query", "--warehouse", url, "SELECT COUNT(*) FROM silver.sales_dedup"])
            XCTAssertEqual(views.status, 0, "the views are there: \(views.stderr)")
        }
        print("ConcurrentSetupTests: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

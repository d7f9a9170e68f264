import Foundation
import TestSupport
import XCTest

/// The silver sink killed with SIGKILL at random moments while the generator is
/// publishing, restarted each time: no event is missing from silver and no event
/// appears twice in the de-duplicated views.
final class SilverCrashTests: XCTestCase {
    func testSilverLosesNothingAndDuplicatesNothingAcrossTenKills() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("silver-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let warehouse = "sqlite://\(dir.path)/warehouse.db"

        // About twenty seconds of live publishing.
        let generator = Process()
        generator.executableURL = try shopstreamBinary()
        generator.arguments = ["generate", "--brokers", broker.bootstrap, "--events", "24000", "--rate", "1200", "-q"]
        let generatorOut = Pipe()
        generator.standardOutput = generatorOut
        generator.standardError = FileHandle.nullDevice
        try generator.run()

        var rng = SystemRandomNumberGenerator()
        var kills = 0
        while kills < 10 {
            let sink = Process()
            sink.executableURL = try shopstreamBinary()
            // A killed member stays in the group until its session times out; a short
            // session lets the next run take over its partitions quickly.
            sink.arguments = ["sink", "silver", "--brokers", broker.bootstrap, "--warehouse", warehouse, "-q"] + Self.fastSession
            sink.standardOutput = FileHandle.nullDevice
            sink.standardError = FileHandle.nullDevice
            try sink.run()
            // Early kills land during start-up and the first inserts; later ones mid-stream.
            Thread.sleep(forTimeInterval: Double.random(in: 2.0...5.0, using: &rng))
            kill(sink.processIdentifier, SIGKILL)
            sink.waitUntilExit()
            kills += 1
        }
        generator.waitUntilExit()
        XCTAssertEqual(generator.terminationStatus, 0)
        let published = String(decoding: generatorOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(published.contains("published 24,000 events"), published)

        // A last, clean run drains the rest.
        let last = try shopstream(["sink", "silver", "--brokers", broker.bootstrap, "--warehouse", warehouse, "--idle-exit", "3s", "-q"] + Self.fastSession, timeout: 180)
        XCTAssertEqual(last.status, 0, last.stderr)

        // Every published event is in silver exactly once, read through the views.
        var total = 0
        for (entity, view, _) in Self.views {
            let expected = Self.count(in: published, topic: "shop.\(entity)")
            let distinct = try Self.scalar(warehouse, "SELECT COUNT(DISTINCT event_id) FROM silver.\(entity)")
            XCTAssertEqual(distinct, expected, "silver.\(entity): every published event arrived")
            if view.hasSuffix("_dedup") {
                let rows = try Self.scalar(warehouse, "SELECT COUNT(*) FROM silver.\(view)")
                XCTAssertEqual(rows, expected, "silver.\(view): one row per event")
            }
            total += expected
        }
        XCTAssertEqual(total, 24_000)
        XCTAssertEqual(try Self.scalar(warehouse, "SELECT COUNT(*) FROM silver.rejects"), 0, "a clean stream has no rejects")
    }

    static let fastSession = ["-X", "session.timeout.ms=2000", "-X", "heartbeat.interval.ms=300"]

    static let views = [
        ("customers", "customers_current", "customer_id"), ("products", "products_current", "product_id"),
        ("stores", "stores_current", "store_id"), ("inventory", "inventory_current", "inventory_id"),
        ("sales", "sales_dedup", "sale_id"), ("payments", "payments_dedup", "payment_id"),
        ("shipping", "shipping_dedup", "shipment_id"),
    ]

    /// The per-topic count from `shopstream generate`'s summary.
    static func count(in summary: String, topic: String) -> Int {
        guard let line = summary.split(separator: "\n").first(where: { $0.split(separator: " ").first.map(String.init) == topic }) else { return -1 }
        return Int(line.split(separator: " ")[1].replacingOccurrences(of: ",", with: "")) ?? -1
    }

    static func scalar(_ warehouse: String, _ sql: String) throws -> Int {
        let r = try shopstream(["warehouse", "query", "--warehouse", warehouse, sql])
        guard r.status == 0 else { throw CommandFailure() }
        return Int(r.stdout.split(separator: "\n")[1]) ?? -1
    }
}

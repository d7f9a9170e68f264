import Foundation
import ShopStreamCore
import TestSupport
import XCTest

/// `--idle-exit` ends a run when the whole group has nothing left to read, not merely when this
/// member has been idle: a sink restarted right after a crash joins a group whose dead member still
/// holds partitions until its session ends, and must wait for them rather than leave them unread.
final class IdleExitTests: XCTestCase {
    func testASinkRestartedRightAfterACrashWaitsForTheDeadMembersPartitionsAndLandsEverything() throws {
        let dir = NSTemporaryDirectory() + "idle-exit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let lake = "file://\(dir)/lake", warehouse = "sqlite://\(dir)/wh.db"
        let generated = try runProgram(try shopstreamBinary(), ["generate", "--brokers", broker.bootstrap, "--events", "6000", "-q"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let published = generatedCounts(generated.stdout)
        XCTAssertEqual(published.count, Entity.allCases.count, generated.stdout)
        XCTAssertEqual(try shopstream(["warehouse", "init", "--warehouse", warehouse]).status, 0)

        // One member of each group lands a little, then dies without leaving its group.
        let first: [(kind: String, target: String, port: Int)] = [("bronze", lake, freePort()), ("silver", warehouse, freePort())]
        var dying: [Child] = []
        for sink in first {
            let target = sink.kind == "bronze" ? "--lake" : "--warehouse"
            let child = try Child(
                try shopstreamBinary(),
                [
                    "sink", sink.kind, "--brokers", broker.bootstrap, target, sink.target, "--http", "127.0.0.1:\(sink.port)",
                    sink.kind == "bronze" ? "--max-batch-age" : "--max-delay", "100ms",
                ],
                directory: dir, label: "\(sink.kind)-dying")
            dying.append(child)
            XCTAssertTrue(
                eventually(timeout: 90) {
                    PrometheusSamples(httpGet("http://127.0.0.1:\(sink.port)/metrics")?.body ?? "").sum(
                        "shopstream_sink_records_landed_total")
                        > 0
                }, "\(sink.kind) lands before it dies\n\(child.stderr)")
        }
        for child in dying { child.send(SIGKILL) }
        for child in dying { _ = child.wait(timeout: 10) }

        // At once, a member of each group that ends when idle: it must land what the dead one held.
        let restarted = try first.map { sink in
            try Child(
                try shopstreamBinary(),
                [
                    "sink", sink.kind, "--brokers", broker.bootstrap, sink.kind == "bronze" ? "--lake" : "--warehouse", sink.target,
                    "--idle-exit", "2s",
                ],
                directory: dir, label: "\(sink.kind)-restarted")
        }
        for child in restarted { XCTAssertEqual(child.wait(timeout: 180), 0, child.stderr.suffix(2000).description) }

        let landed = try Landed(lake: lake, warehouse: warehouse)
        for entity in Entity.allCases {
            XCTAssertEqual(
                Set(landed.bronze[entity.topic] ?? []).count, published[entity.topic], "\(entity.topic): every event in the lake")
            XCTAssertEqual(Set(landed.silver[entity.topic] ?? []).count, published[entity.topic], "\(entity.topic): every event in silver")
        }
    }
}

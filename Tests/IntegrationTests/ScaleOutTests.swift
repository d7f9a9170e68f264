import Foundation
import ShopStreamBus
import ShopStreamCore
import TestSupport
import XCTest

/// Several sinks in each group on a three-broker cluster, the generator live, members coming and
/// going the four ways they do: killed (SIGKILL: nothing committed for what it held), paused past
/// its session and resumed (a zombie), added, and stopped (SIGTERM: it lands and commits what it
/// read, then leaves). Through every rebalance each event ends up exactly once in the lake (`lake
/// verify` clean) and once in silver's views, and nothing is rejected: a silver member learns the
/// dimensions the others read from silver itself.
final class ScaleOutTests: XCTestCase {
    func testThreeBronzeAndTwoSilverSinksKilledPausedAddedAndStoppedLandEveryEventOnce() throws {
        // About 8,000 history events at full speed, then ~45 s live at 300 a second.
        let run = try PipelineRun(
            name: "scale-out", events: 21_000, bronzeSinks: 3, silverSinks: 2,
            sinkOptions: ["-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300"])
        try run.startAndWaitUntilLanding()
        run.assertEverySinkHoldsPartitions()
        let started = ContinuousClock.now
        let bronze = run.sinks(.bronze), silver = run.sinks(.silver)

        // Killed: its partitions go to the others once its session ends.
        run.kill(bronze[0])
        Thread.sleep(forTimeInterval: 2)

        // Paused past the session, while the others take over, then resumed.
        let zombies = [bronze[1], silver[0]]
        XCTAssertNotNil(
            try run.pauseUntilTakenOver(zombies),
            "the live members took every partition over and landed past the takeover: \(bronze[2].assignments), \(silver[1].assignments)")
        let assignedBefore = zombies.map { $0.assignments.count }
        for z in zombies { z.child.send(SIGCONT) }
        XCTAssertTrue(
            eventually(timeout: 30) {
                zip(zombies, assignedBefore).allSatisfy { $0.assignments.count > $1 && ($0.assignments.last ?? 0) > 0 }
            }, "the zombies rejoined: \(zombies.map(\.assignments))")

        // Added: one more member in each group.
        let added = [try run.addSink(.bronze), try run.addSink(.silver)]
        XCTAssertTrue(
            eventually(timeout: 30) { added.allSatisfy { ($0.assignments.last ?? 0) > 0 } },
            "the new members got partitions: \(added.map(\.assignments))\n\(added.map { $0.child.stderr.suffix(1000) })")

        // Stopped: each lands what it read, commits and leaves, exit 0.
        for sink in [bronze[2], silver[1]] {
            XCTAssertEqual(run.stop(sink, timeout: 30), 0, "\(sink.label) stops cleanly\n\(sink.child.stderr.suffix(1500))")
        }
        XCTAssertTrue(run.generator.isRunning, "the generator was live throughout")
        print("scale-out: the members came and went in \(ContinuousClock.now - started)")

        try run.finishAndCheckEveryEventExactlyOnce()
        print("scale-out: \(try run.silverDuplicates().count) raw silver rows repeat a record (the views hold it once)")
    }
}

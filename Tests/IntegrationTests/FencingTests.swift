import Foundation
import ShopStreamBus
import ShopStreamCore
import TestSupport
import XCTest

/// Zombies: a sink paused (SIGSTOP) past its session timeout while the other member of its group
/// takes its partitions over and lands past where it was, then resumed (SIGCONT) with its buffered
/// batches, uploads and offsets from before. It may still try to land them; that must not break
/// exactly-once:
/// - bronze: every published event in exactly one object, `lake verify` clean. A zombie's object is
///   named by its first record's coordinates and created create-only, so it either finds the new
///   owner's object there (and adopts it) or extends the same chain the new owner walks;
/// - silver: every event once in the views (`_dedup`, `_current`); the zombie's extra raw rows repeat
///   a record under its own insertId, at most once more each, and only records it could have read
///   and not committed: at or after the group's committed offset when it paused, before the end of
///   its partition when it rejoined.
final class FencingTests: XCTestCase {
    /// Session 3 s, heartbeats every 300 ms: the pause (about 8 s) is well past it.
    private let sinkOptions = ["-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300"]

    func testASinkPausedPastItsSessionWhileAnotherTakesOverLandsNothingTwiceWhenResumed() throws {
        // About 8,000 history events at full speed, then ~40 s live at 300 a second.
        let run = try PipelineRun(name: "fencing", events: 20_000, bronzeSinks: 2, silverSinks: 2, sinkOptions: sinkOptions)
        try run.startAndWaitUntilLanding()
        // Each group split its partitions between both members, and the zombies-to-be have landed work.
        run.assertEverySinkHoldsPartitions()
        let zombies = [run.sinks(.bronze)[0], run.sinks(.silver)[0]]
        let survivors = [run.sinks(.bronze)[1], run.sinks(.silver)[1]]
        XCTAssertTrue(
            eventually(timeout: 30) { zombies.allSatisfy { $0.metric("shopstream_sink_records_landed_total") > 0 } },
            "each zombie-to-be landed events before its pause")

        // No commit moves back: a zombie's stale offsets never overwrite its successor's.
        let watch = run.watchCommits()
        let committedAtPause = try run.committed(.silver)
        let paused = ContinuousClock.now
        // Past the session, the survivors hold every partition, and land past what was published
        // when they took over: whatever the zombies held is now stored and committed by the survivors.
        let pauses = try run.pauseUntilTakenOver(zombies)
        XCTAssertNotNil(pauses, "the survivors took every partition over and landed past the takeover: \(survivors.map(\.assignments))")
        XCTAssertTrue(zombies.allSatisfy { $0.child.isRunning }, "the zombies are only paused")
        print("fencing: zombies paused for \(ContinuousClock.now - paused) (\(pauses ?? 0) pause(s))")

        let assignedBefore = zombies.map { $0.assignments.count }
        for z in zombies { z.child.send(SIGCONT) }
        // The zombies notice they were left behind, rejoin and get partitions again.
        XCTAssertTrue(
            eventually(timeout: 30) {
                zip(zombies, assignedBefore).allSatisfy { $0.assignments.count > $1 && ($0.assignments.last ?? 0) > 0 }
            }, "the zombies rejoined their groups: \(zombies.map(\.assignments))\n\(zombies.map { $0.child.stderr.suffix(1500) })")
        let highAtRejoin = try run.highWatermarks()
        XCTAssertTrue(
            zombies[1].child.stderr.contains("partitions lost to another member"),
            "the silver zombie learned its partitions were lost, not handed over\n\(zombies[1].child.stderr.suffix(1500))")
        XCTAssertTrue(run.generator.isRunning, "the generator was live throughout")
        let adopted = zombies[0].child.stderr.components(separatedBy: "adopting it").count - 1
        print("fencing: the bronze zombie found \(adopted) object(s) it was about to store already stored")

        try run.finishAndCheckEveryEventExactlyOnce()
        let backwards = watch.stop()
        XCTAssertTrue(backwards.isEmpty, "no group's committed offset moved back: \(backwards.prefix(10))")

        // Silver's extra raw rows: each a record inserted at most twice, read and not committed at the pause.
        let duplicates = try run.silverDuplicates()
        print("fencing: \(duplicates.count) raw silver rows repeat a record")
        for (insertId, extra) in duplicates {
            XCTAssertEqual(extra, 1, "\(insertId) is in silver at most twice (its owner's and the zombie's insert)")
            let parts = insertId.split(separator: ":")
            guard parts.count == 3, let p = Int32(parts[1]), let offset = Int64(parts[2]) else {
                XCTFail("insertId \(insertId) is not topic:partition:offset")
                continue
            }
            let tp = TopicPartition(String(parts[0]), p)
            XCTAssertTrue(
                offset >= committedAtPause[tp] ?? 0 && offset < highAtRejoin[tp] ?? 0,
                "\(insertId) was read and not committed when the zombie paused (\(tp) committed \(committedAtPause[tp] ?? 0) at the pause, end \(highAtRejoin[tp] ?? 0) at the rejoin)"
            )
        }
    }
}

import Foundation
import ShopStreamLake
import TestSupport
import XCTest

/// SIGKILL at random moments while events are still being published: before an upload, in the
/// middle of one, after one landed but before its commit, while joining the group. After the
/// restarts every event is in exactly one object.
final class BronzeCrashTests: XCTestCase {
    /// One SIGKILL and when it came.
    struct Kill {
        var round: Int
        var started: Date
        var killed: Date
        var whilePublishing: Bool
        var stderr: String
    }

    func testSigkillsAtRandomMomentsLeaveEveryEventInExactlyOneObject() throws {
        let endpoint = try emulatorEndpoint()
        let scratch = try makeScratchDirectory(self)
        let seed = ProcessInfo.processInfo.environment["BRONZE_CRASH_SEED"].flatMap { UInt64($0) } ?? 20_250_101
        var random = SplitMix64(seed: seed)
        print("crash test seed \(seed) (BRONZE_CRASH_SEED=\(seed) replays the schedule)")

        let broker = try Broker(directory: scratch)
        defer { broker.stop() }
        let bucket = try createBucket(endpoint)
        // Some uploads are slow before they land and some after, so kills find uploads in both states.
        let proxy = try FaultProxy(
            upstream: endpoint, faults: "slow:0.08,slow-after:0.08,ok", seed: Int(seed % 100_000), slowMilliseconds: 300,
            match: "^POST /upload/", directory: scratch)

        // Each restart waits for the killed member's session (3 s) to expire, about 5 s in all, so
        // the generator publishes for as long as the kills go on.
        let events = 22_000, rounds = 11, publishSeconds = 55
        let generator = try Child(
            try shopstreamBinary(),
            [
                "generate", "--brokers", broker.bootstrap, "--events", String(events), "--seed", "11", "--rate",
                String(events / publishSeconds), "-q",
            ],
            directory: scratch, label: "generate")
        let sinkArguments = [
            "sink", "bronze", "--lake", "gs://\(bucket)", "--brokers", broker.bootstrap, "--max-batch-age", "300ms",
            "-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=200",
        ]
        let sinkEnvironment = environment(storageEmulator: proxy.url)

        var kills: [Kill] = []
        for round in 0..<rounds {
            let uploadsBefore = proxy.uploadCount()
            let started = Date()
            let sink = try Child(
                try shopstreamBinary(), sinkArguments, environment: sinkEnvironment, directory: scratch, label: "sink-\(round)")
            if round % 4 == 1 {
                // Early: while it checks the lake and joins the group.
                Thread.sleep(forTimeInterval: Double.random(in: 0.3...2.5, using: &random))
            } else {
                // Working: some time after its first upload.
                let deadline = Date().addingTimeInterval(20)
                while proxy.uploadCount() == uploadsBefore && Date() < deadline && sink.isRunning { Thread.sleep(forTimeInterval: 0.02) }
                Thread.sleep(forTimeInterval: Double.random(in: 0...1.2, using: &random))
            }
            guard sink.isRunning else {
                XCTFail("the sink exited by itself in round \(round + 1):\n\(sink.stderr)")
                break
            }
            let killed = Date()
            sink.send(SIGKILL)
            sink.wait(timeout: 10)
            kills.append(Kill(round: round, started: started, killed: killed, whilePublishing: generator.isRunning, stderr: sink.stderr))
        }
        XCTAssertEqual(generator.wait(timeout: 120), 0, "generate: \(generator.stderr)")

        // The last run stores what is left and exits once idle.
        let final = try runShopstream(
            sinkArguments + ["--idle-exit", "3s"], environment: sinkEnvironment, timeout: 120, directory: scratch, label: "sink-final")
        XCTAssertEqual(final.status, 0, "\(final)")
        print("final run:\n\(final.stdout)")

        let published = try Published.drain(broker.bootstrap, expected: events)
        XCTAssertEqual(published.count, events)
        let direct = environment(storageEmulator: endpoint)
        let (objects, badNames) = try readBronzeObjects(try makeLake(url: "gs://\(bucket)", environment: direct), scratch: scratch)
        let report = checkBronze(objects, badNames: badNames, against: published, batchSize: 100, gzip: false)
        print(report)
        XCTAssertTrue(report.problems.isEmpty, "\(report)")
        XCTAssertEqual(report.events, events)
        let verify = try runShopstream(
            ["lake", "verify", "--lake", "gs://\(bucket)", "--brokers", broker.bootstrap, "--deep"], environment: direct,
            directory: scratch, label: "verify")
        XCTAssertEqual(verify.status, 0, "\(verify)")
        XCTAssertTrue(verify.stdout.contains("verify: OK"), "\(verify)")

        // Where the kills landed, as the proxy saw the uploads.
        let proxyEvents = proxy.events()
        var tally: [String: Int] = [:]
        print("kill  after start  while publishing  phase")
        for kill in kills {
            let phases = Self.phases(of: kill, proxyEvents)
            for phase in Set(phases.map(\.key)) { tally[phase, default: 0] += 1 }
            let text = phases.sorted { $0.key < $1.key }.map { "\($0.key)\($0.value > 1 ? " ×\($0.value)" : "")" }.joined(separator: ", ")
            let after = String(format: "%.1f s", kill.killed.timeIntervalSince(kill.started))
            print(
                "\(String(kill.round + 1).leftPadded(4))  \(after.leftPadded(11))  \((kill.whilePublishing ? "yes" : "no").leftPadded(16))  \(text)"
            )
        }
        let adoptions = (kills.map(\.stderr) + [final.stderr]).reduce(0) { $0 + $1.components(separatedBy: "adopting").count - 1 }
        print("kills per phase: " + tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
        print("objects adopted after a restart (stored before a kill, not committed): \(adoptions)")

        XCTAssertGreaterThanOrEqual(kills.count, 10)
        XCTAssertGreaterThanOrEqual(
            kills.filter(\.whilePublishing).count, kills.count / 2, "most kills come while events are still published")
        for phase in [Self.midUpload, Self.storedNotAcknowledged, Self.startingUp] {
            XCTAssertGreaterThan(tally[phase] ?? 0, 0, "no kill landed \(phase); try another BRONZE_CRASH_SEED")
        }
    }

    static let startingUp = "starting up (lake check, joining the group)"
    static let midUpload = "mid upload (not yet stored)"
    static let storedNotAcknowledged = "after an upload landed, before the sink heard (so before its commit)"
    static let justAnswered = "within 50 ms after an upload was answered (commit likely pending)"
    static let betweenUploads = "between uploads (events only in memory)"

    /// What the killed run's uploads were doing at the moment of the kill.
    static func phases(of kill: Kill, _ events: [FaultProxy.Event]) -> [String: Int] {
        let start = kill.started.timeIntervalSince1970, end = kill.killed.timeIntervalSince1970
        let byRequest = Dictionary(grouping: events, by: \.id)
        let uploads = events.filter { $0.ev == "request" && $0.method == "POST" && $0.t >= start && $0.t <= end }
        guard !uploads.isEmpty else { return [startingUp: 1] }
        var phases: [String: Int] = [:]
        for upload in uploads {
            let all = byRequest[upload.id] ?? []
            let finished = all.first { ["answered", "reset", "client-gone"].contains($0.ev) }
            let stored = all.first { $0.ev == "upstream" && (200..<300).contains($0.status ?? 0) }
            if finished == nil || finished!.t > end {
                if let stored, stored.t <= end {
                    phases[storedNotAcknowledged, default: 0] += 1
                } else {
                    phases[midUpload, default: 0] += 1
                }
            } else if let finished, finished.ev == "answered", end - finished.t < 0.05 {
                phases[justAnswered, default: 0] += 1
            }
        }
        return phases.isEmpty ? [betweenUploads: 1] : phases
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

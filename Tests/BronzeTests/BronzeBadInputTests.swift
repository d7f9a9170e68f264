import Foundation
import ShopStreamLake
import TestSupport
import XCTest

/// Wrong lakes and refused access: one `error:` sentence that names the thing and the fix,
/// exit 1, and no offsets committed for work that failed.
final class BronzeBadInputTests: XCTestCase {
    func testABadLakeURLIsOneErrorNamingItAndTheAcceptedForms() throws {
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let run = try sink(lake: "s3://x", brokers: backlog.broker.bootstrap, group: SharedBacklog.freshGroup(), scratch: scratch)
        try assertOneError(run, naming: ["s3://x"], fix: ["gs://", "file://"])
    }

    func testAnUnknownBucketIsOneErrorAndCreatingItIsEnoughToRecover() throws {
        let endpoint = try emulatorEndpoint()
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let bucket = "no-such-bucket-" + UUID().uuidString.prefix(8).lowercased()
        let group = SharedBacklog.freshGroup()
        let env = environment(storageEmulator: endpoint)

        let run = try sink(lake: "gs://\(bucket)", brokers: backlog.broker.bootstrap, group: group, scratch: scratch, environment: env)
        try assertOneError(run, naming: [bucket], fix: ["create"])

        // Do what the error says; the same group then stores every event: the failed run
        // committed nothing.
        try createBucket(endpoint, named: bucket)
        try assertRecovery(lake: "gs://\(bucket)", group: group, backlog: backlog, scratch: scratch, environment: env)
    }

    func testUnreadableCredentialsAreOneErrorNamingTheFile() throws {
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        // Real Google, so Application Default Credentials, which point at a missing file.
        let env = environment(storageEmulator: nil, ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"])
        let run = try sink(
            lake: "gs://shopstream-bronze-test", brokers: backlog.broker.bootstrap, group: SharedBacklog.freshGroup(), scratch: scratch,
            environment: env)
        try assertOneError(run, naming: ["/nonexistent/key.json"], fix: ["GOOGLE_APPLICATION_CREDENTIALS", "gcloud"])
    }

    func testA403IsOneErrorNamingTheBucketAndCommitsOnlyWhatWasStored() throws {
        let endpoint = try emulatorEndpoint()
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let bucket = try createBucket(endpoint)
        let group = SharedBacklog.freshGroup()
        // Uploads are refused now and then, with Google's error JSON, but none of the first 24, and
        // each takes 300 ms: so objects are stored, and committed, well before the first 403, which
        // stops the sink with other uploads in flight or stored but not committed.
        let proxy = try FaultProxy(
            upstream: endpoint, faults: "403:0.03,slow", seed: 5, slowMilliseconds: 300, passFirst: 24, match: "^POST /upload/",
            directory: scratch)

        let run = try sink(
            lake: "gs://\(bucket)", brokers: backlog.broker.bootstrap, group: group, scratch: scratch,
            environment: environment(storageEmulator: proxy.url))
        proxy.stop()
        try assertOneError(run, naming: [bucket], fix: ["roles/", "grant"])
        let env = environment(storageEmulator: endpoint)
        let lake = try makeLake(url: "gs://\(bucket)", environment: env)

        // The scenario happened: objects landed before the first refusal; refused ones are not there.
        let uploads = proxy.uploads()
        let refused = uploads.filter { $0.fault == "403" }
        let firstRefusal = try XCTUnwrap(refused.compactMap(\.finished).min(), "no upload was refused")
        let storedBefore = uploads.filter { ($0.stored ?? .infinity) < firstRefusal }
        let stored = try lake.list(prefix: "bronze/").compactMap { o in BronzeObject.parse(o.name).map { (object: o, parsed: $0) } }
        print(
            "the refused run: \(uploads.count) uploads, \(storedBefore.count) stored before the first 403, \(refused.count) refused, \(stored.count) objects in the lake"
        )
        XCTAssertGreaterThan(storedBefore.count, 0, "objects were stored before the first 403")
        for upload in refused {
            XCTAssertNil(try lake.head(upload.name), "\(upload.name) was refused, yet it is in the lake")
        }

        // The same group, now with access: every event exactly once, what the failed run stored
        // included and nothing stored twice. A proxy that injects nothing watches where it resumes.
        let watcher = try FaultProxy(upstream: endpoint, faults: "ok", directory: scratch)
        try assertRecovery(
            lake: "gs://\(bucket)", group: group, backlog: backlog, scratch: scratch, environment: env,
            sinkEnvironment: environment(storageEmulator: watcher.url))
        watcher.stop()

        // The group resumes each partition at its committed offset, so that is where the next run's
        // first upload of the partition starts (or the partition's end, if it had nothing left to
        // store). It must end an unbroken chain of objects the refused run stored from the
        // partition's first offset, and not pass a refused object: nothing committed that was not
        // stored, no commit inside an object.
        var resumedAt: [String: Int64] = [:]
        for upload in watcher.uploads() {
            guard let p = BronzeObject.parse(upload.name), resumedAt["\(p.topic)+\(p.partition)"] == nil else { continue }
            resumedAt["\(p.topic)+\(p.partition)"] = p.firstOffset
        }
        var committedEvents: Int64 = 0
        for (tp, messages) in backlog.published.partitions.sorted(by: { $0.key < $1.key }) {
            guard let low = messages.first?.offset, let high = messages.last.map({ $0.offset + 1 }) else { continue }
            let key = "\(tp.topic)+\(tp.partition)"
            let committed = resumedAt[key] ?? high
            var next = low
            for o in stored.filter({ "\($0.parsed.topic)+\($0.parsed.partition)" == key }).sorted(by: {
                $0.parsed.firstOffset < $1.parsed.firstOffset
            })
            where o.parsed.firstOffset == next && next < committed {
                next = (o.object.metadata["last_offset"].flatMap { Int64($0) } ?? next) + 1
            }
            XCTAssertEqual(
                next, committed, "\(key): the group resumed at \(committed), but the objects stored from offset \(low) on reach \(next)")
            for upload in refused {
                guard let r = BronzeObject.parse(upload.name), "\(r.topic)+\(r.partition)" == key else { continue }
                XCTAssertLessThanOrEqual(committed, r.firstOffset, "\(key): committed past the refused \(upload.name)")
            }
            committedEvents += committed - low
        }
        print("the refused run committed \(committedEvents) events")
        XCTAssertGreaterThan(committedEvents, 0, "what was stored before the 403 was committed")
    }

    // MARK: -

    private func sink(lake: String, brokers: String, group: String, scratch: String, environment: [String: String]? = nil) throws
        -> RunResult
    {
        // A sink that fails exits without leaving its group; the next run of the group waits for
        // that member's session to expire. Keep it shorter than what --idle-exit 3s waits for
        // partitions (4 × 3 s).
        try runShopstream(
            [
                "sink", "bronze", "--lake", lake, "--brokers", brokers, "--group", group, "--idle-exit", "3s", "--max-batch-age", "1s",
                "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
            ],
            environment: environment, timeout: 60, directory: scratch, label: "sink")
    }

    /// Exit 1 and exactly one `error:` line that names each of `naming` and at least one of `fix`.
    private func assertOneError(_ run: RunResult, naming: [String], fix: [String], file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        print("→ \(run.errorLines.joined(separator: "\n"))")
        XCTAssertEqual(run.status, 1, "\(run)", file: file, line: line)
        XCTAssertEqual(run.errorLines.count, 1, "one error line: \(run)", file: file, line: line)
        let error = try XCTUnwrap(run.errorLines.first, file: file, line: line)
        for thing in naming {
            XCTAssertTrue(error.contains(thing), "the error names \(thing): \(error)", file: file, line: line)
        }
        XCTAssertTrue(fix.contains { error.contains($0) }, "the error says what to do (one of \(fix)): \(error)", file: file, line: line)
        XCTAssertFalse(run.stdout.contains("bronze: "), "no success summary after a failure: \(run.stdout)", file: file, line: line)
    }

    /// A good run with `group` afterwards stores every event exactly once.
    private func assertRecovery(
        lake url: String, group: String, backlog: SharedBacklog, scratch: String, environment: [String: String],
        sinkEnvironment: [String: String]? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let run = try sink(
            lake: url, brokers: backlog.broker.bootstrap, group: group, scratch: scratch, environment: sinkEnvironment ?? environment)
        print(run.stdout)
        XCTAssertEqual(run.status, 0, "\(run)", file: file, line: line)
        let lake = try makeLake(url: url, environment: environment)
        let (objects, badNames) = try readBronzeObjects(lake, scratch: scratch)
        let report = checkBronze(objects, badNames: badNames, against: backlog.published, batchSize: 100, gzip: false)
        print(report)
        XCTAssertTrue(report.problems.isEmpty, "\(report)", file: file, line: line)
        XCTAssertEqual(report.events, SharedBacklog.events, file: file, line: line)
        let verify = try runShopstream(
            ["lake", "verify", "--lake", url, "--brokers", backlog.broker.bootstrap], environment: environment, directory: scratch,
            label: "verify")
        XCTAssertEqual(verify.status, 0, "\(verify)", file: file, line: line)
    }
}

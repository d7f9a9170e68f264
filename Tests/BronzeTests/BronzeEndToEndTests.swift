import Foundation
import ShopStreamLake
import TestSupport
import XCTest

/// `shopstream sink bronze` as a process, from `shopstream broker` to a lake: every generated
/// event lands in exactly one object, in batches of 100, named and described by the contract.
final class BronzeEndToEndTests: XCTestCase {
    func testEveryEventLandsExactlyOnceInAFolderLakeInObjectsOf100() throws {
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let lakeURL = "file://\(scratch)/lake"

        let run = try sinkUntilIdle(lake: lakeURL, brokers: backlog.broker.bootstrap, extra: [], scratch: scratch)
        let lake = try makeLake(url: lakeURL)
        let report = try checkLake(lake, backlog: backlog, run: run, gzip: false, scratch: scratch)

        // `lake ls` lists the same objects, one a line; `lake cat` prints one as stored.
        let ls = try runShopstream(["lake", "ls", "--lake", lakeURL, "bronze/"], directory: scratch, label: "ls")
        XCTAssertEqual(ls.status, 0, "\(ls)")
        let listed = ls.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first { $0.hasPrefix("bronze/") } }
        XCTAssertEqual(listed.count, report.objects, "lake ls lists every object, one a line")
        let sales = try XCTUnwrap(lake.list(prefix: "bronze/sales/").first)
        let cat = try runShopstream(["lake", "cat", "--lake", lakeURL, sales.name], directory: scratch, label: "cat")
        XCTAssertEqual(cat.status, 0, "\(cat)")
        XCTAssertEqual(Data(cat.stdout.utf8), try lake.get(sales.name).bytes)
    }

    func testEveryEventLandsExactlyOnceInCloudStorageAsGzip() throws {
        let endpoint = try emulatorEndpoint()
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let bucket = try createBucket(endpoint)
        let env = environment(storageEmulator: endpoint)

        let run = try sinkUntilIdle(
            lake: "gs://\(bucket)", brokers: backlog.broker.bootstrap, extra: ["--gzip"], scratch: scratch, environment: env)
        let lake = try makeLake(url: "gs://\(bucket)", environment: env)
        _ = try checkLake(lake, backlog: backlog, run: run, gzip: true, scratch: scratch, environment: env)

        // `lake cat` decompresses.
        let object = try XCTUnwrap(lake.list(prefix: "bronze/payments/").first)
        let cat = try runShopstream(
            ["lake", "cat", "--lake", "gs://\(bucket)", object.name], environment: env, directory: scratch, label: "cat")
        XCTAssertEqual(cat.status, 0, "\(cat)")
        let firstLine = try XCTUnwrap(cat.stdout.split(separator: "\n").first)
        XCTAssertNotNil(eventID(Data(firstLine.utf8)), "lake cat prints JSON lines, not gzip bytes")
    }

    func testSigtermStoresWhatWasReadCommitsItAndExits0() throws {
        let endpoint = try emulatorEndpoint()
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let bucket = try createBucket(endpoint)
        let direct = environment(storageEmulator: endpoint)
        let lake = try makeLake(url: "gs://\(bucket)", environment: direct)
        let group = SharedBacklog.freshGroup()
        // The timer never fires here, so a batch cut short by neither size nor date was stored by the stop.
        let arguments = [
            "sink", "bronze", "--lake", "gs://\(bucket)", "--brokers", backlog.broker.bootstrap, "--group", group, "--max-batch-age", "60s",
        ]
        // Every upload takes at least 50 ms, 8 at a time: storing the whole backlog (some 460 objects)
        // takes seconds however fast the machine, so the signal, sent once the first object is
        // stored, lands while most of it is still to come.
        let proxy = try FaultProxy(upstream: endpoint, faults: "slow", slowMilliseconds: 50, match: "^POST /upload/", directory: scratch)

        let sink = try Child(
            try shopstreamBinary(), arguments, environment: environment(storageEmulator: proxy.url), directory: scratch,
            label: "sink-stopped")
        let deadline = Date().addingTimeInterval(60)
        while sink.isRunning && Date() < deadline && !proxy.uploads().contains(where: { $0.stored != nil }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let beforeSignal = Date().timeIntervalSince1970
        sink.send(SIGTERM)
        let afterSignal = Date().timeIntervalSince1970
        let status = sink.wait(timeout: 60)
        print("stopped run:\n\(sink.stdout)")
        XCTAssertEqual(status, 0, "SIGTERM: flush, commit, summary, exit 0\n\(sink.stderr)")
        let stopped = SinkSummary(sink.stdout)
        XCTAssertNotNil(stopped.events, "a summary after SIGTERM: \(sink.stdout)")
        XCTAssertEqual(stopped.objects, try lake.list(prefix: "bronze/").count, "the summary counts what is in the lake")

        // At the signal some, not all, of the backlog was in the lake.
        let uploads = proxy.uploads()
        proxy.stop()
        func events(_ uploads: [FaultProxy.Upload]) throws -> Int {
            try uploads.reduce(0) { $0 + (try lake.head($1.name)?.metadata["count"].flatMap { Int($0) } ?? 0) }
        }
        let surelyIn = uploads.filter { ($0.stored ?? .infinity) < beforeSignal }
        let atMost = try events(uploads.filter { ($0.stored ?? .infinity) <= afterSignal })
        let startedAfter = uploads.filter { $0.requested > afterSignal }
        print(
            "at the signal: \(try events(surelyIn))–\(atMost) of \(SharedBacklog.events) events in the lake; \(startedAfter.count) uploads started after it"
        )
        XCTAssertGreaterThan(surelyIn.count, 0, "an object was stored before the signal")
        XCTAssertLessThan(atMost, SharedBacklog.events, "not all of the backlog was stored at the signal")

        // The same group carries on where the stopped run committed: nothing to adopt (all it
        // stored was committed), nothing twice, nothing missing.
        let rest = try runShopstream(
            arguments + ["--idle-exit", "3s"], environment: direct, timeout: 120, directory: scratch, label: "sink-rest")
        print("second run:\n\(rest.stdout)")
        XCTAssertEqual(rest.status, 0, "\(rest)")
        let second = SinkSummary(rest.stdout)
        XCTAssertEqual(second.adopted ?? 0, 0, "the stopped run committed everything it stored: \(rest.stdout)")
        XCTAssertEqual((stopped.events ?? 0) + (second.events ?? 0), SharedBacklog.events)
        let (objects, badNames) = try readBronzeObjects(lake, scratch: scratch)
        let report = checkBronze(objects, badNames: badNames, against: backlog.published, batchSize: 100, gzip: false)
        print(report)
        XCTAssertTrue(report.problems.isEmpty, "\(report)")
        // After the signal the stopped run stored the partial batches it held: the resumed run
        // starts right after them, on the same date.
        XCTAssertGreaterThan(report.timerCutsPerPartition.count, 0, "no partial batch was stored at the stop: \(report)")
    }

    // MARK: -

    private func sinkUntilIdle(
        lake: String, brokers: String, extra: [String], scratch: String, environment: [String: String]? = nil
    ) throws -> RunResult {
        let started = Date()
        let run = try runShopstream(
            [
                "sink", "bronze", "--lake", lake, "--brokers", brokers, "--group", SharedBacklog.freshGroup(),
                "--idle-exit", "3s", "--max-batch-age", "1s",
            ] + extra,
            environment: environment, timeout: 120, directory: scratch, label: "sink")
        print(
            "sink bronze \(extra.joined(separator: " ")) → \(lake): \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n\(run.stdout)"
        )
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.errorLines.isEmpty, "\(run)")
        return run
    }

    /// The whole contract, for a lake one sink run filled from the shared backlog.
    private func checkLake(
        _ lake: any Lake, backlog: SharedBacklog, run: RunResult, gzip: Bool, scratch: String,
        environment: [String: String]? = nil
    ) throws -> BronzeReport {
        let (objects, badNames) = try readBronzeObjects(lake, scratch: scratch)
        let report = checkBronze(objects, badNames: badNames, against: backlog.published, batchSize: 100, gzip: gzip)
        print(report)
        XCTAssertTrue(report.problems.isEmpty, "\(report)")
        XCTAssertEqual(report.events, SharedBacklog.events)

        // Objects close early only at a change of date (25,000 events span about ten days), at the
        // end of a partition, or rarely (the backlog is read in seconds) by the 1 s timer.
        let timerCuts = report.timerCutsPerPartition.filter { $0.value > 2 }
        XCTAssertTrue(timerCuts.isEmpty, "partitions with more than 2 timer cuts: \(timerCuts)")

        let summary = SinkSummary(run.stdout)
        XCTAssertEqual(summary.events, SharedBacklog.events, "summary: \(run.stdout)")
        XCTAssertEqual(summary.objects, report.objects, "summary: \(run.stdout)")

        let verify = try runShopstream(
            ["lake", "verify", "--lake", lake.url, "--brokers", backlog.broker.bootstrap, "--deep"],
            environment: environment, directory: scratch, label: "verify")
        XCTAssertEqual(verify.status, 0, "\(verify)")
        XCTAssertTrue(verify.stdout.contains("verify: OK (\(report.objects) objects, \(SharedBacklog.events) events)"), "\(verify)")
        return report
    }
}

import Foundation
import ShopStreamLake
import TestSupport
import XCTest

/// "Each partition has one upload in flight and commits only after its object is stored"
/// (README), seen from the lake's side: Tests/Fixtures/faultproxy.py logs when each upload
/// arrives and when it is answered, and the object name says its topic and partition.
final class BronzeConcurrencyTests: XCTestCase {
    func testEachPartitionHasOneUploadInFlightWhileOtherPartitionsUploadAtOnce() throws {
        let endpoint = try emulatorEndpoint()
        let backlog = try SharedBacklog.get()
        let scratch = try makeScratchDirectory(self)
        let bucket = try createBucket(endpoint)
        // Every upload is held 50 ms before it reaches the lake, so two uploads in flight at once
        // are seen overlapping.
        let proxy = try FaultProxy(upstream: endpoint, faults: "slow", slowMilliseconds: 50, match: "^POST /upload/", directory: scratch)

        let run = try runShopstream(
            [
                "sink", "bronze", "--lake", "gs://\(bucket)", "--brokers", backlog.broker.bootstrap, "--group", SharedBacklog.freshGroup(),
                "--idle-exit", "3s", "--max-batch-age", "1s",
            ],
            environment: environment(storageEmulator: proxy.url), timeout: 120, directory: scratch, label: "sink")
        let uploads = proxy.uploads()
        proxy.stop()
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertEqual(SinkSummary(run.stdout).events, SharedBacklog.events, "\(run.stdout)")
        let lake = try makeLake(url: "gs://\(bucket)", environment: environment(storageEmulator: endpoint))
        XCTAssertEqual(uploads.count, try lake.list(prefix: "bronze/").count, "one upload per object")

        struct Window { var name: String; var partition: String; var start: Double; var end: Double }
        var windows: [Window] = []
        for upload in uploads {
            guard let p = BronzeObject.parse(upload.name), let end = upload.finished else {
                XCTFail("\(upload.name): not a bronze object name, or never answered")
                continue
            }
            windows.append(Window(name: upload.name, partition: "\(p.topic)+\(p.partition)", start: upload.requested, end: end))
        }

        // Within a partition, each upload starts after the one before it was answered.
        for (partition, chain) in Dictionary(grouping: windows, by: \.partition).sorted(by: { $0.key < $1.key }) {
            let sorted = chain.sorted { $0.start < $1.start }
            let overlaps = zip(sorted, sorted.dropFirst()).filter { a, b in b.start < a.end }
                .map { a, b in "\(b.name) was sent \(Int((a.end - b.start) * 1000)) ms before \(a.name) was answered" }
            XCTAssertTrue(
                overlaps.isEmpty,
                "\(partition): \(overlaps.count) uploads overlap the one before: \(overlaps.prefix(3).joined(separator: "; "))")
        }
        // Across partitions uploads do overlap, so the check above could see a violation.
        var inFlight = 0, most = 0
        let edges = windows.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        for (_, step) in edges {
            inFlight += step
            most = max(most, inFlight)
        }
        print("\(windows.count) uploads over \(Set(windows.map(\.partition)).count) partitions; at most \(most) in flight at once")
        XCTAssertGreaterThan(most, 1, "uploads of different partitions ran at the same time")
    }
}

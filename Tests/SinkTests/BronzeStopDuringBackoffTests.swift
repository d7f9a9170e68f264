import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake
import ShopStreamSinks
import TestSupport
import XCTest

/// A bronze sink on Cloud Storage that is abandoned (its stop's deadline passed) while an upload
/// backs off after a 503: the backoff ends at once, the object is not uploaded again, nothing is
/// committed, and the sink returns, its upload threads ended, long before the backoff would have
/// ended (fake-gcs-server, through a fault proxy that answers uploads with 503).
final class BronzeStopDuringBackoffTests: XCTestCase {
    private static let upload = "^POST /upload/"

    /// As `shopstream sink bronze` runs it: the service's StopSignal, abandoned from another thread.
    func testAnAbandonedSinkEndsAnUploadsBackoffAndDoesNotUploadAgain() throws {
        let outcome = try abandonDuringBackoff { sink, stop in try sink.run(until: stop) }
        XCTAssertNil(outcome.error, "an abandon during an upload's backoff is not an error of the sink")
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "the object was not uploaded again: \(outcome.sent)")
    }

    /// A `.now` lets the upload go on (a retry is part of storing it), so the sink waits for it;
    /// the abandon that follows, seen through the asking closure while it waits, ends the backoff.
    func testAnAbandonAfterAStopNowEndsTheUploadBackoffTheStopWaitsFor() throws {
        let outcome = try abandonDuringBackoff(askingNowFor: .seconds(1)) { sink, stop in try sink.run(asking: { stop.request }) }
        XCTAssertNil(outcome.error)
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "the object was not uploaded again: \(outcome.sent)")
    }

    /// Publishes one batch's worth of events and runs the sink with `run` until its upload met
    /// the 503, then abandons it (see `BackoffDrill`); nothing is committed or stored.
    private func abandonDuringBackoff(
        askingNowFor: Duration? = nil, _ run: @escaping @Sendable (BronzeSink, StopSignal) throws -> Void
    ) throws -> AbandonDuringBackoff {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = GCSLake.Configuration.emulatorEndpoint(environment: environment) else {
            throw missingStandIn("STORAGE_EMULATOR_HOST not set; run `eval \"$(scripts/emulators start gcs)\"` first")
        }
        let bucket = "bronze-backoff-" + UUID().uuidString.prefix(8).lowercased()
        try createEmulatorBucket(endpoint, named: bucket)
        let drill = try BackoffDrill(upstream: endpoint, failing: Self.upload)
        let lake = try GCSLake(
            bucket: bucket, credentials: NoCredentials(),
            configuration: GCSLake.Configuration(endpoint: drill.proxy.url, http: HTTPClientConfiguration(retry: drill.retry)))
        let broker = try brokerWithEvents(count: 100)
        var config = bronzeConfig(broker)
        config.idleExit = nil
        let sink = Handed(try BronzeSink(configuration: config, lake: lake))

        let stop = StopSignal()
        let outcome = try drill.abandon(stop, askingNowFor: askingNowFor) { try run(sink.value, stop) }
        for (lane, offset) in try committedOffsets(broker, group: config.groupId, [TopicPartition("shop.sales", 0)]) {
            XCTAssertNil(offset, "\(lane): nothing committed")
        }
        let direct = try GCSLake(bucket: bucket, credentials: NoCredentials(), configuration: GCSLake.Configuration(endpoint: endpoint))
        XCTAssertEqual(try direct.list(prefix: "bronze/").map(\.name), [], "nothing stored")
        return outcome
    }
}

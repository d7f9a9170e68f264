import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// A silver sink on BigQuery that is abandoned (its stop's deadline passed) while BigQuery's client
/// backs off after a failed request: the backoff ends at once, nothing is sent again, and the sink
/// returns long before the backoff would have ended (BigQuery emulator, through a fault proxy that
/// answers the chosen requests with 503).
final class SilverStopDuringBackoffTests: XCTestCase {

    /// As `shopstream sink silver` runs it: the service's StopSignal, abandoned from another thread
    /// while the insert threads back off.
    func testAnAbandonedSinkEndsBigQuerysInsertBackoffAndDoesNotInsertAgain() throws {
        let outcome = try abandonDuringBackoff(of: "^POST .*/insertAll") { sink, stop in try sink.run(until: stop) }
        XCTAssertNil(outcome.error, "an abandon during an insert's backoff is not an error of the sink")
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertFalse(outcome.sent.isEmpty)
        XCTAssertEqual(outcome.sent.count, Set(outcome.sent).count, "no insert was sent again: \(outcome.sent)")
    }

    /// Asked through a closure (`run(asking:)`): the sink hands what it sees to its insert threads.
    func testAnAbandonSeenThroughTheAskingClosureEndsTheInsertBackoffToo() throws {
        let outcome = try abandonDuringBackoff(of: "^POST .*/insertAll") { sink, stop in try sink.run(asking: { stop.request }) }
        XCTAssertNil(outcome.error)
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, Set(outcome.sent).count, "no insert was sent again: \(outcome.sent)")
    }

    /// A `.now` lets the inserts go on (a retry is part of landing them), so the sink waits for
    /// them; the abandon that follows, seen by the sink while it waits, ends their backoff.
    func testAnAbandonAfterAStopNowEndsTheInsertBackoffTheStopWaitsFor() throws {
        let outcome = try abandonDuringBackoff(of: "^POST .*/insertAll", askingNowFor: .seconds(1)) { sink, stop in
            try sink.run(asking: { stop.request })
        }
        XCTAssertNil(outcome.error)
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, Set(outcome.sent).count, "no insert was sent again: \(outcome.sent)")
    }

    /// The reading thread's own BigQuery calls (here its first, reading silver.rejects' columns at
    /// start) back off on the caller's StopSignal too: the sink stops with the cause at once.
    func testAnAbandonEndsABackoffOfTheReadingThreadItself() throws {
        let outcome = try abandonDuringBackoff(of: "^GET .*/tables/rejects") { sink, stop in try sink.run(until: stop) }
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        let error = try XCTUnwrap(outcome.error as? WarehouseError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped)
        XCTAssertTrue(
            error.message.hasPrefix("stopped while waiting to retry get table silver.rejects (1 attempt made): GET "), error.message)
        XCTAssertEqual(outcome.sent.count, 1, "not asked again: \(outcome.sent)")
    }

    /// Publishes the dimensions and runs the sink with `run` until BigQuery has answered a request
    /// matching `match` with 503, then abandons it (see `BackoffDrill`); nothing is committed.
    private func abandonDuringBackoff(
        of match: String, askingNowFor: Duration? = nil, _ run: @escaping @Sendable (SilverSink, StopSignal) throws -> Void
    ) throws -> AbandonDuringBackoff {
        let emulator = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")[0]
        _ = try emptiedEmulatorWarehouse()
        let drill = try BackoffDrill(upstream: emulator, failing: match)
        let client = try BigQueryClient(
            project: "shopstream", credentials: NoCredentials(),
            configuration: .init(endpoint: drill.proxy.url + "/bigquery/v2", retry: drill.retry, internalErrorIsPermanent: true))
        let broker = try silverBroker()
        try publishDimensions(try silverProducer(broker), customers: ["CUS-00000001"])
        let config = silverConfiguration(broker, grace: .seconds(5))
        let sink = Handed(try SilverSink(configuration: config, warehouse: BigQueryWarehouse(client: client), catalog: silverCatalog))

        let stop = StopSignal()
        let outcome = try drill.abandon(stop, askingNowFor: askingNowFor) { try run(sink.value, stop) }
        for (lane, offset) in try committedOffsets(broker, group: config.groupId, Self.customerPartitions()) {
            XCTAssertNil(offset, "\(lane): nothing committed")
        }
        return outcome
    }

    private static func customerPartitions() -> [TopicPartition] {
        (0..<silverCatalog[.customers].partitions).map { TopicPartition(Entity.customers.topic, Int32($0)) }
    }
}

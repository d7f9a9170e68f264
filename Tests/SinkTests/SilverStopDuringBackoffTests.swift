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
    /// Far longer than an abandon may take: what the tests tell apart.
    private static let backoff: Duration = .seconds(20)

    /// As `shopstream sink silver` runs it: the service's StopSignal, abandoned from another thread
    /// while the insert threads back off.
    func testAnAbandonedSinkEndsBigQuerysInsertBackoffAndDoesNotInsertAgain() throws {
        let outcome = try abandonDuringBackoff(of: "^POST .*/insertAll") { sink, stop in try sink.run(until: stop) }
        XCTAssertNil(outcome.error, "an abandon during an insert's backoff is not an error of the sink")
        XCTAssertLessThan(outcome.took, Self.backoff, "returned \(outcome.took) after the abandon: it waited out the backoff")
        XCTAssertFalse(outcome.sent.isEmpty)
        XCTAssertEqual(outcome.sent.count, Set(outcome.sent).count, "no insert was sent again: \(outcome.sent)")
    }

    /// Asked through a closure (`run(asking:)`): the sink hands what it sees to its insert threads.
    func testAnAbandonSeenThroughTheAskingClosureEndsTheInsertBackoffToo() throws {
        let outcome = try abandonDuringBackoff(of: "^POST .*/insertAll") { sink, stop in try sink.run(asking: { stop.request }) }
        XCTAssertNil(outcome.error)
        XCTAssertLessThan(outcome.took, Self.backoff, "returned \(outcome.took) after the abandon: it waited out the backoff")
        XCTAssertEqual(outcome.sent.count, Set(outcome.sent).count, "no insert was sent again: \(outcome.sent)")
    }

    /// A `.now` lets the inserts go on (a retry is part of landing them), so the sink waits for
    /// them; the abandon that follows, seen by the sink while it waits, ends their backoff.
    func testAnAbandonAfterAStopNowEndsTheInsertBackoffTheStopWaitsFor() throws {
        let outcome = try abandonDuringBackoff(of: "^POST .*/insertAll", askingNowFor: .seconds(1)) { sink, stop in
            try sink.run(asking: { stop.request })
        }
        XCTAssertNil(outcome.error)
        XCTAssertLessThan(outcome.took, Self.backoff, "returned \(outcome.took) after the abandon: it waited out the backoff")
        XCTAssertEqual(outcome.sent.count, Set(outcome.sent).count, "no insert was sent again: \(outcome.sent)")
    }

    /// The reading thread's own BigQuery calls (here its first, reading silver.rejects' columns at
    /// start) back off on the caller's StopSignal too: the sink stops with the cause at once.
    func testAnAbandonEndsABackoffOfTheReadingThreadItself() throws {
        let outcome = try abandonDuringBackoff(of: "^GET .*/tables/rejects") { sink, stop in try sink.run(until: stop) }
        XCTAssertLessThan(outcome.took, Self.backoff, "returned \(outcome.took) after the abandon: it waited out the backoff")
        let error = try XCTUnwrap(outcome.error as? WarehouseError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped)
        XCTAssertTrue(
            error.message.hasPrefix("stopped while waiting to retry get table silver.rejects (1 attempt made): GET "), error.message)
        XCTAssertEqual(outcome.sent.count, 1, "not asked again: \(outcome.sent)")
    }

    private struct Outcome {
        /// From the abandon to the sink's return.
        var took: Duration
        /// What the sink's run threw.
        var error: (any Error)?
        /// "METHOD path" of every request the fault was aimed at.
        var sent: [String]
    }

    /// Publishes the dimensions, runs the sink with `run` on a thread of its own until BigQuery
    /// has answered a request matching `match` with 503, abandons it (after asking `.now` for
    /// `askingNowFor`, if given), and tells what followed.
    private func abandonDuringBackoff(
        of match: String, askingNowFor: Duration? = nil, _ run: @escaping @Sendable (SilverSink, StopSignal) throws -> Void
    ) throws -> Outcome {
        let emulator = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")[0]
        _ = try emptiedEmulatorWarehouse()
        let scratch = NSTemporaryDirectory() + "silver-backoff-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let proxy = try FaultProxy(upstream: emulator, faults: "503", match: match, directory: scratch)
        defer { proxy.stop() }

        let client = try BigQueryClient(
            project: "shopstream", credentials: NoCredentials(),
            configuration: .init(
                endpoint: proxy.url + "/bigquery/v2",
                retry: RetryPolicy(initialBackoff: Self.backoff, maxBackoff: Self.backoff, random: { 0 }),
                internalErrorIsPermanent: true))
        let broker = try silverBroker()
        try publishDimensions(try silverProducer(broker), customers: ["CUS-00000001"])
        let config = silverConfiguration(broker, grace: .seconds(5))
        let sink = Unchecked(try SilverSink(configuration: config, warehouse: BigQueryWarehouse(client: client), catalog: silverCatalog))

        let stop = StopSignal()
        let thrown = Unchecked<(any Error)?>(nil)
        let finished = expectation(description: "the sink returned")
        Thread {
            do { try run(sink.value, stop) } catch { thrown.value = error }
            finished.fulfill()
        }.start()

        func faults() -> Int { (try? proxy.stats().faults["503"]) ?? 0 }
        let deadline = ContinuousClock.now + .seconds(60)
        while faults() == 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThan(faults(), 0, "a request met the 503")
        if let askingNowFor {
            stop.request(.now)
            // Time for the sink to see it and start waiting for its inserts; if it sees the
            // abandon first instead, the test proves less but still holds.
            Thread.sleep(forTimeInterval: askingNowFor.seconds)
        }
        let abandoned = ContinuousClock.now
        stop.request(.abandon)
        // The test's own bound, past any backoff; what is asserted is `took`.
        wait(for: [finished], timeout: 120)
        let took = ContinuousClock.now - abandoned

        for (lane, offset) in try committedOffsets(broker, group: config.groupId, Self.customerPartitions()) {
            XCTAssertNil(offset, "\(lane): nothing committed")
        }
        // Every request `match` selects, whether the proxy failed it or (past its faults per
        // request) let it through.
        let pattern = try NSRegularExpression(pattern: match)
        let selected = proxy.events().filter { $0.ev == "request" }.compactMap { event -> String? in
            let line = "\(event.method ?? "") \(event.path ?? "")"
            return pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) == nil ? nil : line
        }
        return Outcome(took: took, error: thrown.value, sent: selected)
    }

    private static func customerPartitions() -> [TopicPartition] {
        (0..<silverCatalog[.customers].partitions).map { TopicPartition(Entity.customers.topic, Int32($0)) }
    }
}

/// Hands a value to the sink's thread; the test touches it only before the thread starts and
/// after it has finished.
private final class Unchecked<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

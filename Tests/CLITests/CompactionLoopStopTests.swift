import Foundation
import ShopStreamCore
import ShopStreamGold
import ShopStreamHTTP
import ShopStreamService
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamCLI

/// The compactor of `run --live` and `compact --every` gives up a pass waiting to retry a BigQuery
/// request once its service's stop asks `.abandon` (the stop's deadline has passed), instead of
/// holding the process until the watchdog exits it (BigQuery emulator, through a fault proxy that
/// answers the pass's first request with 503).
final class CompactionLoopStopTests: XCTestCase {
    func testAnAbandonEndsABackoffOfAPassOnTheCompactorsOwnWarehouse() throws {
        let emulator = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")[0]
        // A pass starts by reading silver.sales' columns (the compactor's `prepare`).
        let drill = try BackoffDrill(upstream: emulator, failing: "^GET .*/datasets/silver/tables/sales")
        var retry = drill.retry
        // Two attempts: without the stop, a pass that waits out its backoff fails after one of them.
        retry.maxAttempts = 2
        // Built as `run --live` builds its gold warehouse: its own client, given no stop.
        let warehouse = BigQueryWarehouse(
            client: try BigQueryClient(
                project: "shopstream", credentials: NoCredentials(),
                configuration: .init(endpoint: drill.proxy.url + "/bigquery/v2", retry: retry, internalErrorIsPermanent: true)))
        let sql = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql")
        let loop = CompactionLoop(
            compactor: try Compactor(warehouse: warehouse, sql: GoldSQL(directory: sql, dialect: .bigquery)),
            interval: .seconds(60), newestSilver: { nil }, probe: Health().probe("compactor"))

        let stop = StopSignal()
        let outcome = try drill.abandon(stop) { loop.run(stop: stop) }
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        XCTAssertEqual(outcome.sent.count, 1, "not asked again: \(outcome.sent)")
    }
}

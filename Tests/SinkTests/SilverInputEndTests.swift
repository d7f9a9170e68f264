import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSinks

/// When the run that feeds the sink says it published everything (`idleExitAfter`, as `run` does)
/// and the sink has read every partition to its end, nothing more is coming: a partial batch goes in
/// at once, not `maxDelay` later. Until then, batches wait to fill as always.
final class SilverInputEndTests: XCTestCase {
    /// Three dimensions and two sales, published before the sink starts; batches may wait ten
    /// minutes. Returns how many rows had landed, and when, by the time `stopAfter` passed or all
    /// five were in; the sink after its run.
    private func land(published: Bool, stopAfter: Duration) throws -> (landed: Int, after: Duration, warehouse: any Warehouse) {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try publishDimensions(producer, customers: ["CUS-00000001"])
        for n in 1...2 {
            try producer.send(
                topic: Entity.sales.topic, key: Array(SilverEvents.saleId(n).utf8), value: SilverEvents.sale(n, customer: "CUS-00000001"),
                timestampMs: SilverEvents.saleTimeMs)
        }
        try producer.flush()
        let everything = Latch()
        if published { everything.raise() }
        var config = silverConfiguration(broker, grace: .seconds(30))
        config.idleExit = nil
        // As `run` reads its embedded broker: every partition at once, no group join to wait for.
        config.membership = .sole
        config.idleExitAfter = everything
        config.maxDelay = .seconds(600)
        let warehouse = try freshSQLiteWarehouse()
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        let started = ContinuousClock.now
        var landed = 0
        var after = Duration.zero
        var stopping = false
        // Called on the sink's own thread each pass, and again while it stops (what lands then
        // is the stop's doing, not counted).
        try sink.run(shouldStop: {
            guard !stopping else { return true }
            landed = sink.statistics.rows.values.reduce(0, +)
            after = ContinuousClock.now - started
            stopping = landed == 5 || after >= stopAfter
            return stopping
        })
        return (landed, after, warehouse)
    }

    func testOnceEverythingPublishedIsReadThePartialBatchesGoInAtOnce() throws {
        let (landed, after, warehouse) = try land(published: true, stopAfter: .seconds(60))
        XCTAssertEqual(landed, 5, "every row in while the sink ran, not ten minutes (maxDelay) later")
        XCTAssertLessThan(after, .seconds(60))
        XCTAssertEqual(try column(warehouse, "SELECT count(*) FROM silver.sales"), ["2"])
    }

    func testWhileMoreMayBePublishedAPartialBatchWaitsToFill() throws {
        let (landed, _, warehouse) = try land(published: false, stopAfter: .seconds(3))
        XCTAssertEqual(landed, 0, "read to the end, but the run has not said it published everything: the batches wait")
        XCTAssertEqual(try column(warehouse, "SELECT count(*) FROM silver.sales"), ["2"], "and go in when the sink stops")
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSinks
import XCTest

/// How a sink ends when asked: `.drain` reads on to the end of what the partitions hold and lands
/// it all; `.now` lands only what was read; either commits exactly what it landed.
final class StopRequestTests: XCTestCase {
    func testABronzeSinkAskedToDrainStoresEverythingPublishedBeforeItReturns() throws {
        let broker = try brokerWithEvents(partitions: 3, count: 3_000)
        let (lake, _) = try temporaryFolderLake()
        var config = bronzeConfig(broker)
        config.idleExit = nil
        let sink = try BronzeSink(configuration: config, lake: lake)
        let stop = StopSignal()
        stop.request(.drain)  // before it has read anything
        try sink.run(until: stop)
        XCTAssertEqual(sink.statistics.events, 3_000, "every published event stored")
        XCTAssertEqual(try allLines(lake).count, 3_000)
        let tps = (0..<3).map { TopicPartition("shop.sales", Int32($0)) }
        let committed = try committedOffsets(broker, group: config.groupId, tps)
        XCTAssertEqual(tps.reduce(Int64(0)) { $0 + ((committed[$1] ?? nil) ?? 0) }, 3_000, "committed to the end of each partition")
    }

    func testABronzeSinkAskedToStopNowReturnsWithoutReadingTheBacklog() throws {
        let broker = try brokerWithEvents(partitions: 3, count: 3_000)
        let (lake, _) = try temporaryFolderLake()
        var config = bronzeConfig(broker)
        config.idleExit = nil
        let sink = try BronzeSink(configuration: config, lake: lake)
        let stop = StopSignal()
        stop.request(.now)
        try sink.run(until: stop)
        XCTAssertEqual(sink.statistics.events, try allLines(lake).count, "what it says it stored is in the lake")
        XCTAssertLessThan(sink.statistics.events, 3_000, "a stop now does not wait for the backlog")
    }
}

import Foundation
import ShopStreamCore
import ShopStreamSinks
import TestSupport
import XCTest

/// A sink closes its threads when a run ends, so it runs once: a second `run` says so. (Before,
/// a second run with more to read hung, bronze's and silver's alike.)
final class SinkRunsOnceTests: XCTestCase {
    func testABronzeSinkRunAgainSaysToMakeANewOne() throws {
        let broker = try brokerWithEvents(count: 10)
        let (lake, _) = try temporaryFolderLake()
        let sink = try BronzeSink(configuration: bronzeConfig(broker), lake: lake)
        try sink.run()
        XCTAssertEqual(sink.statistics.events, 10)
        assertRunsOnce(try sink.run())
    }

    func testASilverSinkRunAgainSaysToMakeANewOne() throws {
        let broker = try silverBroker()
        try publishDimensions(try silverProducer(broker), customers: ["CUS-00000001"])
        let sink = try SilverSink(
            configuration: silverConfiguration(broker, grace: .seconds(5)), warehouse: try freshSQLiteWarehouse(), catalog: silverCatalog)
        try sink.run()
        XCTAssertEqual(sink.statistics.rows[.customers], 1)
        assertRunsOnce(try sink.run())
    }
}

/// Asserts that `again`, a second run of a sink, throws `SinkError` `.invalidArgument` saying to
/// make a new sink.
func assertRunsOnce(_ again: @autoclosure () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try again(), file: file, line: line) { error in
        let sinkError = error as? SinkError
        XCTAssertEqual(sinkError?.code, .invalidArgument, "\(error)", file: file, line: line)
        XCTAssertTrue(sinkError?.message.contains("make a new one") == true, "\(error)", file: file, line: line)
    }
}

import Foundation
import ShopStreamCore
import ShopStreamGenerator
import XCTest

/// Measures simulator+encoder throughput into a sink that only counts. Skipped
/// unless SHOPSTREAM_PERF=1; meaningful in release:
/// `SHOPSTREAM_PERF=1 swift test -c release -Xswiftc -enable-testing --filter ThroughputTests`.
/// Prints the figure; asserts nothing about speed.
final class ThroughputTests: XCTestCase {
    struct CountingSink: EventSink {
        var events = 0, bytes = 0
        let limit: Int
        mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) -> Bool {
            events += 1
            bytes += value.count
            return events < limit
        }
    }

    func testThroughputOfTheSimulatorAlone() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SHOPSTREAM_PERF"] == "1", "set SHOPSTREAM_PERF=1 to measure")
        for _ in 0..<3 {
            var sink = CountingSink(limit: 10_000_000)
            let start = DispatchTime.now().uptimeNanoseconds
            try Simulator(config: SimulationConfig()).run(days: nil, into: &sink)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print("simulator: \(sink.events) events, \(sink.bytes / sink.events) B/event, \(Int(Double(sink.events) / seconds)) events/s")
        }
    }
}

import Foundation
import ShopStreamCore
import ShopStreamService
import ShopStreamSinks
import XCTest

@testable import ShopStreamCLI

/// The status watcher beside every sink ends with its stop, not at its next tick: the command
/// exits once its sink is done (`sink silver --idle-exit` waited up to half a second for it).
final class WatcherStopTests: XCTestCase {
    func testTheWatcherReturnsWhenAskedToStopNotAtItsNextTick() throws {
        let monitor = SinkMonitor(sink: "silver", stallAfter: .seconds(60))
        let health = Health()
        var watcher = Watcher(sinks: [.init(monitor: monitor, probe: health.probe("silver"))], every: nil)
        // A tick far longer than the test: a watcher that slept it out would fail the wait below.
        watcher.tick = .seconds(120)
        let stop = StopSignal()
        let returned = DispatchSemaphore(value: 0)
        Thread { [watcher] in
            watcher.run(stop: stop)
            returned.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(returned.wait(timeout: .now()), .timedOut, "it runs until asked")
        stop.request(.now)
        XCTAssertEqual(returned.wait(timeout: .now() + 30), .success, "returned once asked, long before its tick")
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore

/// Holds a live run's events until their own time on the wall clock: a publisher asks
/// `hold(untilMs:)` before sending each event, with the event's timestamp.
///
/// The live simulation (`SimulationConfig.live`) writes events in time order, dated when
/// they happen; this is what makes them happen then. It sleeps in slices of at most
/// `longestSleep` and asks `shouldStop` before each, so Ctrl-C is seen promptly even when
/// the next event is minutes away. Events already due (history, the burst at the start)
/// pass at once. `generate --rate` uses it in its sinks; `run --live` can too.
struct ClockFollower {
    /// The longest single sleep: a stop is seen within about this long.
    static let longestSleep: Int64 = 100

    /// Whether to stop now (a shutdown was requested); asked before every event and
    /// between sleeps.
    let shouldStop: () -> Bool
    /// Where live publishing starts (ms since the epoch): events dated before it are the
    /// history, a backfill sent at full speed, and carry no `shopstream-sent-at` (their
    /// queueing behind each other is not the pipeline's latency).
    var liveFromMs: Int64 = .min
    /// The wall clock in milliseconds since the epoch; replaceable in tests.
    var now: () -> Int64 = SentAt.nowMilliseconds
    /// Sleeps this many milliseconds; replaceable in tests.
    var sleep: (Int64) -> Void = { Thread.sleep(forTimeInterval: Double($0) / 1000) }

    /// What a sink throws when told to stop while holding an event: the event was not
    /// taken (a `TruthRecorder` does not count it), and the run ends cleanly.
    struct Interrupted: Error {}

    /// The headers a live event sent now carries: its send time, if it is live.
    func headers(forEventAt timestampMs: Int64) -> [KafkaHeader] {
        timestampMs >= liveFromMs ? [KafkaHeader(SentAt.header, String(SentAt.nowMilliseconds()))] : []
    }

    /// Returns true once the wall clock has reached `timestampMs` (at once if it has),
    /// or false as soon as `shouldStop` says so, without waiting for the time.
    func hold(untilMs timestampMs: Int64) -> Bool {
        while !shouldStop() {
            let ahead = timestampMs - now()
            if ahead <= 0 { return true }
            sleep(min(ahead, ClockFollower.longestSleep))
        }
        return false
    }
}

import Foundation
import Synchronization

/// What `/healthz` and `/readyz` answer: every long-running part of the process registers a probe,
/// beats it while its loop turns, and says whether it is ready and whether it is stalled.
///
/// - live (`/healthz`): every probe beat within its own `maxSilence`;
/// - ready (`/readyz`): live, and every probe ready (connected, partitions assigned) and not stalled.
public final class Health: Sendable {
    public final class Probe: Sendable {
        public let name: String
        /// How long the part's loop may go without a beat; nil: it has no loop to watch (a server).
        public let maxSilence: Duration?
        fileprivate let state: Mutex<State>

        fileprivate struct State {
            var lastBeat = ContinuousClock.now
            var notReady: String? = "starting"
            var stalled: String?
            var finished = false
        }

        fileprivate init(name: String, maxSilence: Duration?) {
            self.name = name
            self.maxSilence = maxSilence
            state = Mutex(State())
        }

        /// The loop is turning (it turned at `instant`, when another thread relays the beat).
        public func beat(at instant: ContinuousClock.Instant = .now) { state.withLock { $0.lastBeat = max($0.lastBeat, instant) } }

        /// Ready, or not ready with the reason (`"joining the consumer group"`).
        public func ready(_ ready: Bool, reason: String? = nil) {
            state.withLock {
                $0.notReady = ready ? nil : (reason ?? "not ready"); $0.lastBeat = .now
            }
        }

        /// Stalled, with a sentence naming what (`"shop.sales[2]: 1,204 records behind, nothing landed for 61 s"`), or no longer.
        public func stalled(_ why: String?) { state.withLock { $0.stalled = why } }

        /// The part ended on purpose (a graceful stop): no longer expected to beat.
        public func finished() {
            state.withLock {
                $0.finished = true; $0.notReady = "stopped"
            }
        }

        public var isStalled: Bool { state.withLock { $0.stalled != nil } }
    }

    public struct Report: Sendable {
        public var ok: Bool
        /// One line per probe: `silver: ok`, `silver: stalled: …`.
        public var lines: [String]
        public var text: String { (ok ? "ok\n" : "unavailable\n") + lines.map { $0 + "\n" }.joined() }
    }

    private let probes = Mutex<[Probe]>([])

    public init() {}

    /// A new probe; `maxSilence` is how long its loop may go without a beat before `/healthz` fails.
    public func probe(_ name: String, maxSilence: Duration? = .seconds(60)) -> Probe {
        let probe = Probe(name: name, maxSilence: maxSilence)
        probes.withLock { $0.append(probe) }
        return probe
    }

    public func liveness() -> Report {
        let now = ContinuousClock.now
        var ok = true
        let lines = probes.withLock { $0 }.map { probe -> String in
            let s = probe.state.withLock { $0 }
            let silent = now - s.lastBeat
            if s.finished { return "\(probe.name): stopped" }
            if let limit = probe.maxSilence, silent > limit {
                ok = false
                return
                    "\(probe.name): no progress of its loop for \(Int(silent.components.seconds)) s (limit \(Int(limit.components.seconds)) s)"
            }
            return "\(probe.name): ok"
        }
        return Report(ok: ok, lines: lines)
    }

    public func readiness() -> Report {
        let live = liveness()
        var ok = live.ok
        var lines: [String] = []
        for (probe, liveLine) in zip(probes.withLock { $0 }, live.lines) {
            let s = probe.state.withLock { $0 }
            if let stalled = s.stalled {
                ok = false
                lines.append("\(probe.name): stalled: \(stalled)")
            } else if let reason = s.notReady {
                ok = false
                lines.append("\(probe.name): not ready: \(reason)")
            } else {
                lines.append(liveLine)
            }
        }
        return Report(ok: ok, lines: lines)
    }
}

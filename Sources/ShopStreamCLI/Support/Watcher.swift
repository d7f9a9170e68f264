import Foundation
import Logging
import ShopStreamCore
import ShopStreamService
import ShopStreamSinks
import Synchronization

/// A value one thread writes and others read.
final class SharedValue<T: Sendable>: Sendable {
    private let box: Mutex<T>
    init(_ value: T) { box = Mutex(value) }
    var value: T {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }
}

/// Counts what a live generator published, per topic (any thread reads it).
final class PublishedCount: Sendable {
    private let counts = Mutex([Int](repeating: 0, count: Entity.allCases.count))
    func add(_ perEntity: [Int]) { counts.withLock { c in for i in c.indices { c[i] += perEntity[i] } } }
    var perEntity: [Int] { counts.withLock { $0 } }
    /// The counts by topic name (`shop.sales`: …).
    var perTopic: [String: Int] {
        let counts = perEntity
        return Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0.topic, counts[$0.index]) })
    }
    var value: Int { perEntity.reduce(0, +) }
}

/// Watches the running parts every `tick` (twice a second): relays each sink's state to its health
/// probe (beats, ready once assigned, stalled as the sink's monitor decides), logs a stall when it
/// starts and ends, and, unless quiet, prints a status line every `every`: events/s in, rows/s out,
/// lag, rejects. Returns as soon as its stop is asked, not at the end of the tick (a sink that ended
/// otherwise waited up to half a second for it to exit).
struct Watcher: Sendable {
    struct Watched: Sendable {
        let monitor: SinkMonitor
        let probe: Health.Probe
    }

    var sinks: [Watched] = []
    var published: PublishedCount?
    /// Gold's lag in seconds, when a compactor runs in this process.
    var goldLag: (@Sendable () -> Double?)?
    var every: Duration? = .seconds(5)
    var tick: Duration = .milliseconds(500)
    var logger = Logger(label: "shopstream.status")

    func run(stop: StopSignal) {
        var lastLine = ContinuousClock.now
        var previous = (
            time: ContinuousClock.now, published: published?.value ?? 0,
            landed: sinks.map { $0.monitor.snapshot().landed }
        )
        var stalled = Set<String>()
        // A sleep cut short (or not begun) by any request ends the watch.
        while !stop.sleep(for: tick, untilAsked: .drain) {
            for sink in sinks {
                let s = sink.monitor.snapshot()
                sink.probe.beat(at: s.lastBeat)
                sink.probe.ready(
                    s.started && s.assigned > 0, reason: s.started ? "no partitions assigned (yet)" : "joining the consumer group")
                let why = s.stalled.isEmpty ? nil : "\(sink.monitor.sink) sink: " + s.stalled.joined(separator: "; ")
                sink.probe.stalled(why)
                if let why, !stalled.contains(sink.monitor.sink) {
                    stalled.insert(sink.monitor.sink)
                    logger.warning("stalled: \(why)", metadata: ["sink": "\(sink.monitor.sink)"])
                } else if why == nil, stalled.remove(sink.monitor.sink) != nil {
                    logger.notice("no longer stalled: \(sink.monitor.sink) sink lands again", metadata: ["sink": "\(sink.monitor.sink)"])
                }
            }
            guard let every, ContinuousClock.now - lastLine >= every else { continue }
            lastLine = .now
            let now = ContinuousClock.now
            let seconds = max((now - previous.time).seconds, 0.001)
            var parts: [String] = []
            let pub = published?.value ?? 0
            if published != nil { parts.append("in \(NumberText.grouped(Int(Double(pub - previous.published) / seconds)))/s") }
            let snapshots = sinks.map { $0.monitor.snapshot() }
            for (sink, (s, before)) in zip(sinks, zip(snapshots, previous.landed)) {
                let rate = Int(Double(s.landed - before) / seconds)
                parts.append("\(sink.monitor.sink) \(NumberText.grouped(rate))/s lag \(NumberText.grouped(Int(s.totalLag)))")
            }
            let rejects = snapshots.reduce(0) { $0 + $1.rejected }
            if !sinks.isEmpty { parts.append("rejects \(NumberText.grouped(rejects))") }
            if let lag = goldLag?() { parts.append("gold \(Int(lag.rounded())) s behind") }
            if !stalled.isEmpty { parts.append("STALLED: \(stalled.sorted().joined(separator: ", "))") }
            logger.info("\(parts.joined(separator: " · "))")
            previous = (now, pub, snapshots.map(\.landed))
        }
        for sink in sinks { sink.probe.finished() }
    }
}

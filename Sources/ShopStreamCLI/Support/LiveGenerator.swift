import Foundation
import Logging
import Metrics
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamService

/// The generator as a service: the live simulation (`SimulationConfig.live`: history days at full
/// speed, then the business on the wall clock at about `rate` events a second), each event held until
/// its own time and stamped with its send time (`shopstream-sent-at`) so the sinks can measure latency.
/// Stops between two events when asked, and flushes what it sent (bounded by `flushTimeout` on
/// Kafka; on Pub/Sub each request is bounded by the HTTP client's retries).
struct LiveGenerator: Sendable {
    let bus: RunBus
    let seed: UInt64
    let rate: Double
    var historyDays = 0
    /// Where to write the ground truth of what was published, when the run ends.
    var truth: String?
    let published: PublishedCount
    let probe: Health.Probe
    var flushTimeout: Duration = .seconds(5)
    var logger = Logger(label: "shopstream.generator")

    func run(stop: StopSignal) throws {
        let publisher = try bus.publisher()
        probe.ready(true)
        let liveStart = SentAt.nowMilliseconds()
        var config = SimulationConfig(live: LiveClock(startMs: liveStart, eventsPerSecond: rate), historyDays: historyDays)
        config.seed = seed
        try config.validate()
        let simulator = Simulator(config: config)
        if historyDays > 0 { logger.info("publishing \(historyDays) days of history at full speed, from \(config.startDate)") }
        logger.info("then live from \(config.live!.day) (PKT) at about \(NumberText.grouped(Int(rate))) events/s")
        var sink = PublishingSink(
            publisher: publisher, stop: stop, probe: probe, published: published,
            follower: ClockFollower(shouldStop: { stop.isRequested }, liveFromMs: liveStart))
        if let truth {
            var recorder = TruthRecorder(wrapping: sink)
            try publish(simulator, into: &recorder)
            try finish(publisher, sink: &recorder.inner)
            try recorder.truth(of: simulator).write(to: URL(fileURLWithPath: truth))
        } else {
            try publish(simulator, into: &sink)
            try finish(publisher, sink: &sink)
        }
        probe.finished()
    }

    private func publish(_ simulator: Simulator, into sink: inout some EventSink) throws {
        do {
            while try simulator.emitNextDay(into: &sink) {}
        } catch is ClockFollower.Interrupted {
            // Asked to stop while an event waited for its time: that event was not taken.
        }
    }

    /// Delivers what is in flight (bounded) and counts it published.
    private func finish(_ publisher: BusPublisher, sink: inout PublishingSink) throws {
        logger.info("stopped publishing; flushing what is in flight", metadata: ["in_flight": "\(publisher.inFlight())"])
        try publisher.flush(flushTimeout)
        sink.report()
    }
}

/// Publishes each event at its time, counts per topic (in the metrics and for the status line), and
/// stops when asked. Only live events carry `shopstream-sent-at` (`ClockFollower.headers`).
private struct PublishingSink: EventSink {
    let publisher: BusPublisher
    let stop: StopSignal
    let probe: Health.Probe
    let published: PublishedCount
    let follower: ClockFollower
    let counters = Entity.allCases.map { Counter(label: MetricCatalog.published.name, dimensions: [("topic", $0.topic)]) }
    /// Sent since the last report, per entity.
    var unreported = [Int](repeating: 0, count: Entity.allCases.count)
    var lastReport = ContinuousClock.now

    init(publisher: BusPublisher, stop: StopSignal, probe: Health.Probe, published: PublishedCount, follower: ClockFollower) {
        self.publisher = publisher
        self.stop = stop
        self.probe = probe
        self.published = published
        self.follower = follower
    }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        // Not taken if a stop comes while it waits for its time (a truth recorder does not count it).
        guard follower.hold(untilMs: timestampMs) else { throw ClockFollower.Interrupted() }
        try publisher.send(entity, key, value, follower.headers(forEventAt: timestampMs), timestampMs)
        unreported[entity.index] += 1
        if unreported.reduce(0, +) >= 256 || ContinuousClock.now - lastReport >= .milliseconds(200) {
            report()
            probe.beat()
            try publisher.throwIfFailed()
        }
        // Taken: a stop asked meanwhile ends the run after it.
        return !stop.isRequested
    }

    /// Publishes the counts sent since the last report to the metrics and the status line.
    mutating func report() {
        for i in unreported.indices where unreported[i] > 0 { counters[i].increment(by: unreported[i]) }
        published.add(unreported)
        unreported = [Int](repeating: 0, count: unreported.count)
        lastReport = .now
    }
}

import Foundation
import Logging
import Metrics
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamService

/// The generator as a service: optional history at full speed, then events at `rate` per second,
/// each stamped with its send time (`shopstream-sent-at`) so the sinks can measure latency.
/// Stops between two events when asked, and flushes what it sent (bounded by `flushTimeout`).
struct LiveGenerator: Sendable {
    let connection: KafkaConnection
    let config: SimulationConfig
    let rate: Double
    var historyDays = 0
    /// Where to write the ground truth of what was published, when the run ends.
    var truth: String?
    let published: PublishedCount
    let probe: Health.Probe
    var flushTimeout: Duration = .seconds(5)
    var logger = Logger(label: "shopstream.generator")

    func run(stop: StopSignal) throws {
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection))
        try producer.checkConnection()
        probe.ready(true)
        let simulator = Simulator(config: config)
        let pacing = Pacing()
        var sink = PublishingSink(producer: producer, stop: stop, probe: probe, published: published, pacing: pacing)
        if let truth {
            var recorder = TruthRecorder(wrapping: sink)
            try publish(simulator, into: &recorder, pacing: pacing)
            try finish(producer, sink: &recorder.inner)
            try recorder.truth(of: simulator).write(to: URL(fileURLWithPath: truth))
        } else {
            try publish(simulator, into: &sink, pacing: pacing)
            try finish(producer, sink: &sink)
        }
        probe.finished()
    }

    private func publish(_ simulator: Simulator, into sink: inout some EventSink, pacing: Pacing) throws {
        if historyDays > 0 {
            logger.info("publishing \(historyDays) days of history at full speed")
            try simulator.run(days: historyDays, into: &sink)
        }
        logger.info("publishing live at \(NumberText.grouped(Int(rate))) events/s")
        pacing.pacer = Pacer(rate)
        while try simulator.emitNextDay(into: &sink) {}
    }

    /// Delivers what is in flight (bounded) and counts it published.
    private func finish(_ producer: Producer, sink: inout PublishingSink) throws {
        logger.info("stopped publishing; flushing what is in flight", metadata: ["in_flight": "\(producer.statistics.inFlight)"])
        try producer.flush(timeout: flushTimeout)
        sink.report()
    }
}

/// Publishes, counts per topic (in the metrics and for the status line), paces, and stops when asked.
private struct PublishingSink: EventSink {
    let producer: Producer
    let stop: StopSignal
    let probe: Health.Probe
    let published: PublishedCount
    let pacing: Pacing
    let counters = Entity.allCases.map { Counter(label: MetricCatalog.published.name, dimensions: [("topic", $0.topic)]) }
    /// Sent since the last report, per entity.
    var unreported = [Int](repeating: 0, count: Entity.allCases.count)
    /// Sent under the current pacer.
    var paced = 0

    init(producer: Producer, stop: StopSignal, probe: Health.Probe, published: PublishedCount, pacing: Pacing) {
        self.producer = producer
        self.stop = stop
        self.probe = probe
        self.published = published
        self.pacing = pacing
    }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        // The event handed in is taken whatever happens (a truth recorder around this sink has counted
        // it): a stop asked meanwhile ends the run after it.
        let pacer = pacing.pacer
        if let pacer {
            _ = pacer.wait(forEvent: paced + 1, unless: { stop.isRequested })
            paced += 1
        }
        let headers = pacer == nil ? [] : [KafkaHeader(SentAt.header, String(SentAt.nowMilliseconds()))]
        try producer.send(topic: entity.topic, key: key, value: value, headers: headers, timestampMs: timestampMs)
        unreported[entity.index] += 1
        if unreported.reduce(0, +) >= 64 || pacer != nil {
            report()
            probe.beat()
            try producer.throwIfFailed()
        }
        return !stop.isRequested
    }

    /// Publishes the counts sent since the last report to the metrics and the status line.
    mutating func report() {
        for i in unreported.indices where unreported[i] > 0 { counters[i].increment(by: unreported[i]) }
        published.add(unreported)
        unreported = [Int](repeating: 0, count: unreported.count)
    }
}

/// History goes out at full speed, the live part at the rate: the switch between them.
/// Used by the generator's thread only.
private final class Pacing {
    var pacer: Pacer?
}

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
    let published: PublishedCount
    let probe: Health.Probe
    var flushTimeout: Duration = .seconds(5)
    var logger = Logger(label: "shopstream.generator")

    func run(stop: StopSignal) throws {
        let producer = try Producer(configuration: ProducerConfiguration(connection: connection))
        try producer.checkConnection()
        probe.ready(true)
        let simulator = Simulator(config: config)
        if historyDays > 0 {
            logger.info("publishing \(historyDays) days of history at full speed")
            var history = PublishingSink(producer: producer, stop: stop, probe: probe, published: published, pacer: nil)
            try simulator.run(days: historyDays, into: &history)
        }
        if stop.request == .none {
            logger.info("publishing live at \(NumberText.grouped(Int(rate))) events/s")
            var live = PublishingSink(producer: producer, stop: stop, probe: probe, published: published, pacer: Pacer(rate))
            while stop.request == .none, try simulator.emitNextDay(into: &live) {}
        }
        logger.info("stopped publishing; flushing what is in flight", metadata: ["in_flight": "\(producer.statistics.inFlight)"])
        try producer.flush(timeout: flushTimeout)
        probe.finished()
    }
}

/// Publishes, counts per topic (in the metrics and for the status line), paces, and stops when asked.
private struct PublishingSink: EventSink {
    let producer: Producer
    let stop: StopSignal
    let probe: Health.Probe
    let published: PublishedCount
    let pacer: Pacer?
    var counters = Entity.allCases.map { Counter(label: MetricCatalog.published.name, dimensions: [("topic", $0.topic)]) }
    var sent = 0

    init(producer: Producer, stop: StopSignal, probe: Health.Probe, published: PublishedCount, pacer: Pacer?) {
        self.producer = producer
        self.stop = stop
        self.probe = probe
        self.published = published
        self.pacer = pacer
    }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        if let pacer, !pacer.wait(forEvent: sent + 1, unless: { stop.isRequested }) { return false }
        let headers = pacer == nil ? [] : [KafkaHeader(SentAt.header, String(SentAt.nowMilliseconds()))]
        try producer.send(topic: entity.topic, key: key, value: value, headers: headers, timestampMs: timestampMs)
        sent += 1
        counters[entity.index].increment()
        published.add(1)
        if sent & 0xFF == 0 {
            probe.beat()
            try producer.throwIfFailed()
            if stop.isRequested { return false }
        }
        return true
    }
}

import Foundation
import Metrics
import ShopStreamBus
import ShopStreamCore
import Synchronization

/// What a running sink tells the world: its metrics (through swift-metrics, so a process that
/// bootstrapped Prometheus exports them and any other costs nothing), and a snapshot that the
/// status line and `/readyz` read — counts, lag per partition, whether it is stalled.
///
/// Stalled: a partition whose lag (high watermark − committed offset) has stayed above zero while
/// its committed offset did not move for `stallAfter`. That is the silent failure a sink must never
/// have: running, assigned, and landing nothing.
///
/// Threads: the sink's polling thread calls everything but `snapshot()`, which any thread may call.
/// `@unchecked Sendable`: the unsynchronised fields are the polling thread's alone (`stallAfter` is
/// set before the sink runs); what others read is behind `published`, a `Mutex`. Kept unchecked
/// because the counters are bumped for every record, and a lock there would cost the hot path.
public final class SinkMonitor: @unchecked Sendable {
    public struct Snapshot: Sendable {
        public var read = 0
        public var landed = 0
        public var rejected = 0
        public var retried = 0
        public var lag: [TopicPartition: Int64] = [:]
        public var assigned = 0
        /// A sentence per stalled partition; empty when none is.
        public var stalled: [String] = []
        public var lastBeat = ContinuousClock.now
        /// Set once the sink has joined its group and polled (ready, in /readyz terms).
        public var started = false
        /// When the sink last landed a record.
        public var lastLandedAt: Date?
        public var totalLag: Int64 { lag.values.reduce(0, +) }
    }

    public let sink: String
    public var stallAfter: Duration
    /// What this process published so far, per topic, when it publishes too (`run --live`): on
    /// Pub/Sub, which has no backlog figure, the lag is that minus what the sink landed or
    /// rejected. Set before the sink runs; Kafka's lag comes from the partitions' watermarks.
    public var publishedPerTopic: (@Sendable () -> [String: Int])?

    private var counts = Snapshot()
    private let published = Mutex(Snapshot())
    private var lastPublished = ContinuousClock.now
    /// Committed offsets (next to read) per partition, as far as this sink knows them.
    private var landedOffset: [TopicPartition: Int64] = [:]
    /// When each lagging partition last made progress.
    private var progressAt: [TopicPartition: ContinuousClock.Instant] = [:]
    private var lagGauges: [TopicPartition: Gauge] = [:]
    /// Without partitions: landed or rejected, per topic (what `publishedPerTopic` is held against).
    private var handled: [String: Int] = [:]
    /// Without partitions: when the sink last landed something or held nothing, and how much it
    /// had landed then.
    private var heldProgressAt = ContinuousClock.now
    private var landedAtLastProgress = 0
    /// When committed offsets were last asked for (at most every 10 s: it is a request to the coordinator).
    private var askedCommittedAt: ContinuousClock.Instant?

    private var readCounters: [String: Counter] = [:]
    private var landedCounters: [String: Counter] = [:]
    private var retriedCounters: [String: Counter] = [:]
    private var rejectedCounters: [String: Counter] = [:]
    private var httpRetries: Counter?
    /// Silver's reference gate: made at its first report, so bronze does not export them.
    private var gate: (waiting: Gauge, paused: Gauge, pauses: Counter, last: (waiting: Int, paused: Int))?
    private var busErrors: [String: (counter: Counter, seen: Int)] = [:]
    private let stalledGauge: Gauge
    let batchSize: Recorder
    let writeDuration: Metrics.Timer

    public init(sink: String, stallAfter: Duration = .seconds(60)) {
        self.sink = sink
        self.stallAfter = stallAfter
        stalledGauge = Gauge(label: MetricCatalog.stalled.name, dimensions: [("sink", sink)])
        batchSize = Recorder(label: MetricCatalog.batchSize.name, dimensions: [("sink", sink)])
        writeDuration = Metrics.Timer(label: MetricCatalog.writeDuration.name, dimensions: [("sink", sink)])
        stalledGauge.record(0)
    }

    // MARK: Counting (polling thread)

    func read(_ topic: String, _ n: Int = 1) {
        counts.read += n
        counter(&readCounters, MetricCatalog.recordsRead, topic).increment(by: n)
    }

    func landed(_ topic: String, _ n: Int) {
        counts.landed += n
        handled[topic, default: 0] += n
        if n > 0 { counts.lastLandedAt = Date() }
        counter(&landedCounters, MetricCatalog.recordsLanded, topic).increment(by: n)
    }

    func retried(_ topic: String, _ n: Int) {
        counts.retried += n
        counter(&retriedCounters, MetricCatalog.recordsRetried, topic).increment(by: n)
    }

    /// HTTP requests the sink's lake or warehouse retried (`service`: gcs, bigquery).
    func httpRetried(_ n: Int, service: String) {
        guard n > 0 else { return }
        if httpRetries == nil { httpRetries = Counter(label: MetricCatalog.httpRetries.name, dimensions: [("service", service)]) }
        httpRetries!.increment(by: n)
    }

    func rejected(_ topic: String, rule: String) {
        counts.rejected += 1
        handled[topic, default: 0] += 1
        let key = topic + "\u{0}" + rule
        if rejectedCounters[key] == nil {
            rejectedCounters[key] = Counter(
                label: MetricCatalog.recordsRejected.name, dimensions: [("sink", sink), ("topic", topic), ("rule", rule)])
        }
        rejectedCounters[key]!.increment()
    }

    /// Silver: how many facts wait for a dimension and how many lanes are paused for them, each
    /// turn of the loop; `paused` also when reading was just paused for them.
    func gate(waiting: Int, pausedLanes: Int, pausedReading: Bool = false) {
        if gate == nil {
            gate = (
                Gauge(label: MetricCatalog.waitingFacts.name), Gauge(label: MetricCatalog.pausedLanes.name),
                Counter(label: MetricCatalog.readingPauses.name), (-1, -1)
            )
        }
        if pausedReading { gate!.pauses.increment() }
        guard (waiting, pausedLanes) != gate!.last else { return }
        gate!.last = (waiting, pausedLanes)
        gate!.waiting.record(waiting)
        gate!.paused.record(pausedLanes)
    }

    private func counter(_ cache: inout [String: Counter], _ d: MetricDescriptor, _ topic: String) -> Counter {
        if let c = cache[topic] { return c }
        let c = Counter(label: d.name, dimensions: [("sink", sink), ("topic", topic)])
        cache[topic] = c
        return c
    }

    /// An object (or insert) of `events` stored, begun at `started`: its duration and size. Any thread.
    func recordWrite(since started: ContinuousClock.Instant, events: Int) {
        writeDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        batchSize.record(events)
    }

    /// Offsets the sink committed (the next offset to read, per partition).
    func committed(_ offsets: [TopicPartition: Int64]) {
        for (tp, offset) in offsets where offset > (landedOffset[tp] ?? -1) {
            landedOffset[tp] = offset
            progressAt[tp] = .now
        }
    }

    func assigned(_ tps: [TopicPartition]) {
        for tp in tps { progressAt[tp] = .now }
        counts.started = true
    }

    func revoked(_ tps: [TopicPartition]) {
        for tp in tps {
            landedOffset[tp] = nil
            progressAt[tp] = nil
            lagGauges[tp]?.record(0)
            counts.lag[tp] = nil
        }
    }

    // MARK: Each turn of the loop (polling thread)

    /// Records that the loop turned; every half second also reads the lag from the consumer's cached
    /// watermarks, decides what is stalled and publishes the snapshot.
    func tick(consumer: Consumer) {
        let now = ContinuousClock.now
        counts.lastBeat = now
        guard now - lastPublished >= .milliseconds(500) else { return }
        lastPublished = now
        for (error, total) in consumer.retriedErrors where total > (busErrors[error]?.seen ?? 0) {
            let counter =
                busErrors[error]?.counter ?? Counter(label: MetricCatalog.busErrors.name, dimensions: [("sink", sink), ("error", error)])
            counter.increment(by: total - (busErrors[error]?.seen ?? 0))
            busErrors[error] = (counter, total)
        }
        let assignment = consumer.assignment
        counts.assigned = assignment.count
        let unknown = assignment.filter { landedOffset[$0] == nil }
        if !unknown.isEmpty, askedCommittedAt.map({ now - $0 >= .seconds(10) }) ?? true,
            let committed = try? {
                askedCommittedAt = now; return try consumer.committed(Array(unknown), timeout: .seconds(2))
            }()
        {
            for (tp, offset) in committed {
                if let offset { landedOffset[tp] = offset } else if let low = consumer.cachedWatermarks(tp)?.low { landedOffset[tp] = low }
            }
        }
        var stalled: [String] = []
        for tp in assignment {
            guard let high = consumer.cachedWatermarks(tp)?.high, let landed = landedOffset[tp] else { continue }
            let lag = max(0, high - landed)
            counts.lag[tp] = lag
            gauge(tp).record(lag)
            if lag == 0 { progressAt[tp] = now; continue }
            let since = progressAt[tp] ?? now
            if progressAt[tp] == nil { progressAt[tp] = now }
            if now - since >= stallAfter {
                stalled.append(
                    "\(tp): \(NumberText.grouped(Int(lag))) records behind, nothing landed for \(Int((now - since).components.seconds)) s")
            }
        }
        counts.stalled = stalled.sorted()
        stalledGauge.record(stalled.isEmpty ? 0 : 1)
        let copy = counts
        published.withLock { $0 = copy }
    }

    /// Records that the loop turned, for a sink without partitions (Pub/Sub, no backlog figure)
    /// reading `subscriptions`: every half second publishes the snapshot, with the lag per topic
    /// when `publishedPerTopic` is known; stalled when it holds events (read, not landed) or lags,
    /// and has landed nothing for `stallAfter`.
    func tick(held: Int, subscriptions: Int) {
        let now = ContinuousClock.now
        counts.lastBeat = now
        counts.started = true
        counts.assigned = subscriptions
        guard now - lastPublished >= .milliseconds(500) else { return }
        lastPublished = now
        if let published = publishedPerTopic?() {
            for (topic, n) in published {
                // One lane a topic; never below zero (what an earlier run left is landed too).
                let lane = TopicPartition(topic, 0), lag = Int64(max(0, n - handled[topic, default: 0]))
                counts.lag[lane] = lag
                gauge(lane, partitioned: false).record(lag)
            }
        }
        let waiting = held > 0 || counts.totalLag > 0
        if !waiting || counts.landed > landedAtLastProgress {
            heldProgressAt = now
            landedAtLastProgress = counts.landed
        }
        let since = now - heldProgressAt
        counts.stalled =
            waiting && since >= stallAfter
            ? [
                "\(NumberText.grouped(held)) events held, \(NumberText.grouped(Int(counts.totalLag))) published and not landed, nothing landed for \(Int(since.components.seconds)) s"
            ] : []
        stalledGauge.record(counts.stalled.isEmpty ? 0 : 1)
        let copy = counts
        published.withLock { $0 = copy }
    }

    /// The lag gauge of a partition, or (`partitioned` false: Pub/Sub) of a topic.
    private func gauge(_ tp: TopicPartition, partitioned: Bool = true) -> Gauge {
        if let g = lagGauges[tp] { return g }
        let g = Gauge(
            label: MetricCatalog.consumerLag.name,
            dimensions: [("sink", sink), ("topic", tp.topic)] + (partitioned ? [("partition", String(tp.partition))] : []))
        lagGauges[tp] = g
        return g
    }

    /// The latest published state (at most half a second old); any thread.
    public func snapshot() -> Snapshot { published.withLock { $0 } }
}

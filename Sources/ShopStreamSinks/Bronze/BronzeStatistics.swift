import Logging
import ShopStreamLake

/// What a bronze sink did, for its summary (either bus).
public struct BronzeStatistics: Sendable {
    public var events = 0
    public var objects = 0
    public var bytes = 0
    /// Records kept in an envelope because they were not single-line UTF-8 JSON.
    public var unparsed = 0
    /// Objects found already stored (a restart after an upload that was not committed or
    /// acknowledged).
    public var adopted = 0
    /// Records skipped because an adopted object held them.
    public var skipped = 0
    /// Pub/Sub: events of batches dropped unstored because a lease was lost (they come again).
    public var droppedForLostLease = 0
    /// Pub/Sub: stored events whose acknowledgement failed or was refused; their messages may come
    /// again and land twice (`lake verify` reports it).
    public var unacknowledged = 0
    /// Uploads retried by the sink after the HTTP layer's own retries ran out.
    public var requeued = 0
    /// Pub/Sub: events given back on their subscription's last delivery attempt (its dead-letter
    /// policy's `maxDeliveryAttempts`): Pub/Sub moves them to shop.dlq, not into the lake.
    public var deadLettered = 0
    /// HTTP retries by reason ("503", "429", "reset", "dead keep-alive", "401", …).
    public var retries: [String: Int] = [:]
    /// All HTTP retries.
    public var retryCount = 0
    /// The most events, and the most bytes of events, held in memory at once (read and not
    /// yet stored). The bytes stay below `maxBufferedBytes` plus one message.
    public var peakBufferedEvents = 0
    public var peakBufferedBytes = 0
    /// Open batches sealed before their size or age because the buffer was full.
    public var sealedToMakeRoom = 0
    public var perTopic: [String: Int] = [:]
    /// From the first record read to the last object stored (on Pub/Sub, less the --idle-exit wait).
    public var elapsed: Duration = .zero
}

extension BronzeStatistics {
    /// Counts an object stored with `events` events of `topic`, in the statistics and the metrics.
    mutating func countStored(topic: String, events: Int, bytes: Int, unparsed: Int, monitor: SinkMonitor) {
        self.events += events
        objects += 1
        self.bytes += bytes
        self.unparsed += unparsed
        perTopic[topic, default: 0] += events
        monitor.landed(topic, events)
    }

    /// Takes the lake's HTTP retries since the last call into the statistics and the metrics, and
    /// says them with `logger` when given.
    mutating func collectRetries(from lake: any Lake, monitor: SinkMonitor, logger: Logger?) {
        let summary = lake.takeRetries()
        guard !summary.isEmpty else { return }
        monitor.httpRetried(summary.count, service: "gcs")
        retryCount += summary.count
        retries.merge(summary.countsByReason, uniquingKeysWith: +)
        logger?.notice("lake requests retried", metadata: ["retries": "\(summary)"])
    }
}

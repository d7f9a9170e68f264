/// Every metric ShopStream exports, in one place: its Prometheus name, kind, help text and labels.
///
/// The code that counts uses swift-metrics (`Counter(label: MetricCatalog.published.name, …)`);
/// the exporter reads the help texts and histogram buckets from here, so `/metrics` documents
/// itself (`# HELP`) and passes `promtool check metrics`.
public struct MetricDescriptor: Sendable, Hashable {
    public enum Kind: Sendable { case counter, gauge, histogram }
    public let name: String
    public let kind: Kind
    public let help: String
    public let labels: [String]
    /// Upper bounds of a histogram's buckets (seconds for durations).
    public let buckets: [Double]

    init(_ name: String, _ kind: Kind, _ help: String, labels: [String] = [], buckets: [Double] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
        self.buckets = buckets
    }
}

public enum MetricCatalog {
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 3, 5, 10, 15, 30, 60]
    static let batchBuckets: [Double] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]

    public static let published = MetricDescriptor(
        "shopstream_events_published_total", .counter, "Events the generator published, by topic.", labels: ["topic"])
    public static let recordsRead = MetricDescriptor(
        "shopstream_sink_records_read_total", .counter, "Records a sink read from the bus, by sink and topic.", labels: ["sink", "topic"])
    public static let recordsLanded = MetricDescriptor(
        "shopstream_sink_records_landed_total", .counter,
        "Records a sink landed (stored in the lake or inserted into silver), by sink and topic.", labels: ["sink", "topic"])
    public static let recordsRejected = MetricDescriptor(
        "shopstream_sink_records_rejected_total", .counter,
        "Records a sink dead-lettered to shop.dlq, by sink, topic and the rule they broke.", labels: ["sink", "topic", "rule"])
    public static let recordsRetried = MetricDescriptor(
        "shopstream_sink_records_retried_total", .counter,
        "Records whose write a sink tried again after a transient failure, by sink and topic.", labels: ["sink", "topic"])
    public static let consumerLag = MetricDescriptor(
        "shopstream_consumer_lag_records", .gauge,
        "Records on the bus not yet landed: on Kafka the partition's high watermark minus the sink's committed offset; on Pub/Sub (no partitions) what this process published to the topic minus what the sink landed or rejected.",
        labels: ["sink", "topic", "partition"])
    public static let batchSize = MetricDescriptor(
        "shopstream_sink_batch_records", .histogram, "Records per lake object (bronze) or per insert (silver).",
        labels: ["sink"], buckets: batchBuckets)
    public static let writeDuration = MetricDescriptor(
        "shopstream_sink_write_duration_seconds", .histogram,
        "Time to store one lake object (bronze) or insert one batch (silver), retries included.",
        labels: ["sink"], buckets: latencyBuckets)
    public static let eventToSilver = MetricDescriptor(
        "shopstream_event_to_silver_seconds", .histogram,
        "From a live event's send (its shopstream-sent-at header) to its row in silver.", buckets: latencyBuckets)
    public static let eventToGold = MetricDescriptor(
        "shopstream_event_to_gold_seconds", .histogram,
        "From a live sale's time (when it was sent) to the end of the first compaction pass that put it in gold.",
        buckets: latencyBuckets)
    public static let stalled = MetricDescriptor(
        "shopstream_sink_stalled", .gauge,
        "1 while a sink's partition has lag but landed nothing for the stall window, else 0.", labels: ["sink"])
    public static let compactionDuration = MetricDescriptor(
        "shopstream_compaction_duration_seconds", .histogram, "Duration of one gold compaction pass.",
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300])
    public static let compactionTables = MetricDescriptor(
        "shopstream_compaction_tables_rebuilt_total", .counter, "Gold tables a compaction pass rebuilt (in part or whole).")
    public static let compactionDates = MetricDescriptor(
        "shopstream_compaction_dates_rebuilt_total", .counter, "Business dates gold compaction passes rebuilt, summed over tables.")
    public static let compactionFailures = MetricDescriptor(
        "shopstream_compaction_failures_total", .counter, "Compaction passes that failed (gold left as it was).")
    public static let goldLag = MetricDescriptor(
        "shopstream_gold_lag_seconds", .gauge,
        "How far gold is behind silver: the newest silver row's ingest time minus the start of the last pass that covered it.")
    public static let httpRetries = MetricDescriptor(
        "shopstream_http_retries_total", .counter, "HTTP requests to Google (or its emulators) retried, by service: gcs, bigquery.",
        labels: ["service"])
    public static let busErrors = MetricDescriptor(
        "shopstream_bus_errors_total", .counter,
        "Retriable errors Kafka answered a sink's fetches with (fetched again after a back-off), by sink and error.",
        labels: ["sink", "error"])
    public static let waitingFacts = MetricDescriptor(
        "shopstream_silver_waiting_facts", .gauge,
        "Facts the silver sink holds while they wait for a dimension they reference (a payment for its sale); bounded by --max-waiting.")
    public static let pausedLanes = MetricDescriptor(
        "shopstream_silver_paused_lanes", .gauge,
        "Kafka partitions (or Pub/Sub subscriptions) the silver sink does not read now, because --max-waiting facts wait.")
    public static let readingPauses = MetricDescriptor(
        "shopstream_silver_reading_paused_total", .counter,
        "Times the silver sink paused reading because --max-waiting facts waited for their dimensions.")
    public static let residentMemory = MetricDescriptor(
        "process_resident_memory_bytes", .gauge, "Resident memory size in bytes.")
    public static let cpuSeconds = MetricDescriptor(
        "process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.")
    public static let startTime = MetricDescriptor(
        "process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.")
    public static let openFDs = MetricDescriptor(
        "process_open_fds", .gauge, "Number of open file descriptors.")
    public static let threads = MetricDescriptor(
        "process_threads", .gauge, "Number of OS threads in the process.")

    public static let all: [MetricDescriptor] = [
        published, recordsRead, recordsLanded, recordsRejected, recordsRetried, consumerLag, batchSize, writeDuration,
        eventToSilver, eventToGold, stalled, compactionDuration, compactionTables, compactionDates, compactionFailures, goldLag,
        httpRetries, busErrors, waitingFacts, pausedLanes, readingPauses, residentMemory, cpuSeconds, startTime, openFDs, threads,
    ]

    public static func descriptor(named name: String) -> MetricDescriptor? { all.first { $0.name == name } }
}

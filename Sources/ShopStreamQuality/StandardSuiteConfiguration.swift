import ShopStreamWarehouse

/// What the standard suite needs besides the topic definitions: the allowed ages, where the
/// compactor keeps its state, and the outside counts that turn reconciliation on.
public struct StandardSuiteConfiguration: Sendable {
    /// The newest row of each silver fact table must have been ingested within this (default 1 h).
    public var maxAge: Duration
    /// `silver.sales` may run ahead of the newest compaction by at most this (default 15 min).
    public var maxLag: Duration
    /// The compactor's state table (default `gold._state`: source, business_date, row_count,
    /// compacted_at).
    public var goldState: TableName
    /// Events per topic in the lake (the CLI counts them: `TopicCounts.inLake`); nil leaves out reconciliation.
    public var lakeEvents: [String: Int]?
    /// Records per topic on Kafka (`TopicCounts.onKafka`); nil leaves Kafka out of
    /// reconciliation. Used only with `lakeEvents`.
    public var kafkaRecords: [String: Int]?

    public init(
        maxAge: Duration = .seconds(3600), maxLag: Duration = .seconds(900), goldState: TableName = TableName("gold", "_state"),
        lakeEvents: [String: Int]? = nil, kafkaRecords: [String: Int]? = nil
    ) {
        self.maxAge = maxAge
        self.maxLag = maxLag
        self.goldState = goldState
        self.lakeEvents = lakeEvents
        self.kafkaRecords = kafkaRecords
    }
}

import ShopStreamBus
import ShopStreamCore

/// How the silver sink validates, waits and batches. Batch bounds follow Google's
/// guidance for streaming inserts (500 rows, well under 10 MB a request).
public struct SilverConfiguration: Sendable {
    public var connection: KafkaConnection
    public var groupId = "shopstream-silver"
    /// A member of `groupId` (the default), or `.sole`: the only reader, taking every partition
    /// without a group join (`run` on the embedded broker it owns).
    public var membership: ConsumerConfiguration.Membership = .group
    public var topics = Entity.allCases.map(\.topic)
    /// How long a fact may wait for a dimension it references before it is rejected.
    public var referenceGrace: Duration = .seconds(60)
    /// The most facts that wait in the reference gate at once, roughly (the two bursts read before
    /// the count is checked, each of at most 2,000 messages and at most this many, may add to it):
    /// at this many, the partitions of the topics they were read from are paused (on Pub/Sub, their
    /// subscriptions not pulled, and at most a fifth of this pulled ahead) until half of them got in
    /// or were rejected (`SilverSink.pace`). A backlog is read at uneven paces (the
    /// smaller messages of payments run ahead of their sales in event time), and without a bound the
    /// waiting facts, each ~3 KB held, grow with the backlog: 82,000 at once over a year of it.
    /// Each pause costs the fetches librdkafka drops and makes again: at 20,000 a year's backlog
    /// landed ~15 % slower (six pauses), at 50,000 as fast as without (one or two; BENCHMARKS.md).
    public var maxWaitingFacts = 50_000
    /// How long, in event time, accepted event ids and sale ids are held in memory (rounded up to
    /// whole days; nil: for ever). An event id seen again within it is rejected as a duplicate;
    /// older, it is inserted again under its own insertId and the silver views still show it once.
    /// A fact whose sale is older than the window is checked against the warehouse instead.
    public var dedupWindow: Duration? = .seconds(30 * 86_400)
    /// Rows an insert carries at most: one SQLite transaction, which BigQuery's client splits into
    /// requests of its own size. Nil: what the warehouse carries best (`Warehouse.rowsPerInsert`).
    public var maxRows: Int?
    /// Bytes (of published JSON) an insert carries at most, roughly.
    public var maxBytes = 5_000_000
    /// A partial batch is inserted once its oldest row is this old.
    public var maxDelay: Duration = .seconds(1)
    /// Larger messages are rejected before parsing.
    public var maxMessageBytes = 1 << 20
    /// How far past now an event's time may lie before it is rejected as future-dated.
    /// A simulation that runs past today needs more.
    public var futureTolerance: Duration = .seconds(86_400)
    /// Stop once no message arrived for this long and nothing waits (after inserting everything).
    public var idleExit: Duration?
    /// Kafka: idle counts only once this is raised, so a sink started beside the generator does not
    /// end before it has published everything (the group's backlog then says what is left).
    /// Raised, it also says nothing more is coming: once every partition is read to its end, partial
    /// batches go in at once instead of `maxDelay` later, and facts waiting for a sale older than
    /// the window are looked up as soon as rows land. On Pub/Sub idle does not wait for it: start
    /// the sink after publishing.
    public var idleExitAfter: Latch?
    /// What the sink does once the warehouse gave up on an insert for a cause that may pass
    /// (`isTransient`: a 503, a dropped connection, SQLite busy, rows BigQuery still calls
    /// `backendError`). Retrying is the warehouse's own business, by its reasons: BigQuery tries a
    /// request 6 times with 1 s doubling backoff (about 31 s, `BigQueryClient.Configuration.retry`)
    /// and waits 30 + 60 + 120 s on `quotaExceeded`; SQLite waits out a lock inside its busy
    /// timeout and tries once. The sink does not retry on top of that: false (a sink that ends
    /// when idle) stops with the warehouse's sentence, committing nothing past the failed rows;
    /// true (a sink that runs until stopped) sends the rows again `insertRetryPause` later, for as
    /// long as it takes (the stall shows in `/readyz` and the metrics meanwhile). An error retrying
    /// cannot fix (a missing table, refused credentials) stops the sink at once either way.
    public var keepsTryingInserts = false
    /// The pause before a failed insert is sent again when `keepsTryingInserts`: a pause, not a
    /// backoff, since the warehouse backed off already.
    public var insertRetryPause: Duration = .seconds(5)

    public init(connection: KafkaConnection) { self.connection = connection }

    /// For a sink on Pub/Sub, where there is no Kafka connection or group.
    public static func pubSub() -> SilverConfiguration { SilverConfiguration(connection: KafkaConnection(bootstrapServers: "")) }
}

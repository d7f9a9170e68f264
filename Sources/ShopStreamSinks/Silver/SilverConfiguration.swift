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
    /// How long, in event time, accepted event ids and sale ids are held in memory (rounded up to
    /// whole days; nil: for ever). An event id seen again within it is rejected as a duplicate;
    /// older, it is inserted again under its own insertId and the silver views still show it once.
    /// A fact whose sale is older than the window is checked against the warehouse instead.
    public var dedupWindow: Duration? = .seconds(30 * 86_400)
    /// Rows an insert carries at most.
    public var maxRows = 500
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
    /// The Pub/Sub source does not read it: start the sink after publishing.
    public var idleExitAfter: Latch?
    /// Tries of an insert that keeps failing before the sink gives up and throws; nil: keep trying
    /// until stopped (a long-running sink: the stall shows in `/readyz` and the metrics meanwhile).
    public var insertAttempts: Int? = 8

    public init(connection: KafkaConnection) { self.connection = connection }

    /// For a sink on Pub/Sub, where there is no Kafka connection or group.
    public static func pubSub() -> SilverConfiguration { SilverConfiguration(connection: KafkaConnection(bootstrapServers: "")) }
}

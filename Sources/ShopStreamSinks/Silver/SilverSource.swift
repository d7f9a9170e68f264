import Logging
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver

/// One message the silver sink was handed, with where it came from.
///
/// A class: a delivery is passed from the poll to validation, the reference gate, a batch and the
/// insert thread's result, and a copy of a struct of seven fields cost a retain and a release of
/// each on every hop (~3 % of the reading thread's samples in a profile of a year); a reference costs one.
/// Never changed once made, so it is safe to share between threads.
final class SilverDelivery: Sendable {
    let source: SourceCoordinates
    /// What the sink keeps order and progress by: Kafka's topic-partition; on Pub/Sub the topic
    /// (as partition 0), its subscription having no partitions.
    let lane: TopicPartition
    let key: [UInt8]?
    let value: [UInt8]
    /// Kafka's headers, or Pub/Sub's attributes as headers.
    let headers: [KafkaHeader]
    /// The event's time as the bus carries it (Kafka's record timestamp, Pub/Sub's
    /// `shopstream-event-time-ms` attribute), in milliseconds since the epoch.
    let timestampMs: Int64?
    /// Pub/Sub: the ack id of this delivery (a redelivery has a new one); nil on Kafka.
    let ackId: String?

    init(
        source: SourceCoordinates, lane: TopicPartition, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader],
        timestampMs: Int64?, ackId: String? = nil
    ) {
        self.source = source
        self.lane = lane
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
        self.ackId = ackId
    }

    var topic: String { source.topic }
}

/// A change of what this sink reads, told before it takes effect: what was read of revoked lanes
/// must be landed (or dropped, when `lost`) first.
enum SilverSourceChange {
    case assigned([TopicPartition])
    /// `lost`: taken by another member (this one was paused past its session), not handed over.
    case revoked([TopicPartition], lost: Bool)
}

/// The bus the silver sink reads, behind one seam: poll deliveries; settle each once it landed (a
/// row in its table, or a dead letter in `shop.dlq` and `silver.rejects`); give back what must be
/// read again. Kafka (`KafkaSilverSource`) commits contiguous offsets; Pub/Sub acknowledges.
protocol SilverSource: AnyObject {
    /// Told of assignment changes (Kafka's rebalances) before they take effect.
    var onChange: ((SilverSourceChange) -> Void)? { get set }
    var logger: Logger { get set }

    /// Checks that what the sink reads exists, with a sentence saying how to create it if not.
    func start() throws
    /// The next delivery, waiting at most `timeout`; nil when none came.
    func poll(timeout: Duration) throws -> SilverDelivery?
    /// Records that `delivery` landed; `commit` makes it final on the bus.
    func settle(_ delivery: SilverDelivery)
    /// Hands back deliveries that did not land (facts still waiting at the end of a run, inserts
    /// given up on a stop): the bus delivers them again.
    func giveBack(_ deliveries: [SilverDelivery])
    /// Publishes dead letters to `shop.dlq` (each with the rule that refused it), returning once the
    /// bus has every one; only then are they settled.
    func publishDeadLetters(_ letters: [(letter: DeadLetter, rule: String)]) throws
    /// Makes what was settled final: Kafka commits each partition's contiguous settled offsets.
    func commit() throws
    /// The group's committed offset of each of `lanes` (absent: nothing committed), where a newly
    /// assigned lane is read from. Only Kafka assigns lanes; Pub/Sub has no offsets.
    func committedOffsets(_ lanes: [TopicPartition]) throws -> [TopicPartition: Int64]
    /// Once per turn of the sink's loop: lag metrics, leases.
    func tick()
    /// Whether everything published before `instant` has been read (the drain before a stop).
    func hasReadToEnd(since instant: ContinuousClock.Instant) -> Bool
    /// Whether every lane is read as far as the source knows without asking anyone (Kafka: each
    /// position at the high watermark of its last fetch). Cheap, and may lag what was published since.
    func isCaughtUp() -> Bool
    /// What a stop's drain waited for, and what happens to what comes later, for the log.
    var drained: String { get }
    /// `--idle-exit`: whether, idle since `lastActivity`, the run may end (every lane read to its end).
    func idleExitIsDue(_ idleExit: inout IdleExit, lastActivity: ContinuousClock.Instant) -> Bool
    /// Whether this sink reads every lane of `topic` (else other members read part of it).
    func holdsWholeTopic(_ topic: String, partitions: Int) -> Bool
    /// The event time up to which every lane of `topic` this sink reads has been read (by `latest`,
    /// the newest time read per lane): `.max` when every lane is read to its end, `.min` when
    /// nothing can be said. A fact of time t has its dimension's topic read up to it when this is ≥ t.
    func readThrough(_ topic: String, latest: [TopicPartition: Int64]) -> Int64
    /// Stops delivering messages of `lanes` until `resume`, without losing or repeating any: what
    /// the sink does while too many of their facts wait in the reference gate. Kafka pauses those
    /// of the partitions it holds (and resumes a paused one before it is revoked); Pub/Sub stops
    /// pulling the subscription of each lane's topic (a topic is one lane; what was pulled already
    /// still comes, and the leases of what waits are kept).
    func pause(_ lanes: Set<TopicPartition>)
    /// Delivers messages of paused `lanes` again.
    func resume(_ lanes: Set<TopicPartition>)
    /// The lanes paused now.
    var paused: Set<TopicPartition> { get }
    /// Leaves the bus (a group member leaves at once, so the next run need not wait for its session).
    func close()
    /// Ends the bus client's waits (a backoff before a retry, a pull's pause) when `stop` asks
    /// `.abandon`, as the warehouse's are: a stop need not wait out a backoff of up to 32 s.
    /// Kafka: the dead-letter flush's wait (librdkafka retries within its own timeouts).
    func interruptWaits(on stop: StopSignal)
}

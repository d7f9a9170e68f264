import ShopStreamBus
import ShopStreamCore

/// How a bronze sink batches and stores, on either bus. Defaults follow the design: 100 events
/// an object, an idle batch flushed after 30 s.
public struct BronzeBatching: Sendable {
    /// Events an object holds at most.
    public var batchSize = 100
    /// A partial batch older than this is stored anyway, so no event waits forever.
    public var maxBatchAge: Duration = .seconds(30)
    /// Store objects as `.jsonl.gz`.
    public var gzip = false
    /// Uploads in flight at once.
    public var uploads = 8
    /// Stop once idle this long (after storing everything), or never. What idle means is the bus's.
    public var idleExit: Duration?
    /// Kafka: idle counts only once this is raised, so a sink started beside the generator does not
    /// end before it has published everything (the group's backlog then says what is left).
    /// The Pub/Sub sink does not read it: start it after publishing.
    public var idleExitAfter: Latch?
    /// Events held in memory before the sink stops reading and waits for uploads.
    public var maxBufferedEvents: Int { max(20_000, uploads * batchSize * 4) }
    /// Bytes of events (their values as read) held in memory before the sink stops reading and
    /// waits for uploads; whichever bound comes first applies. Default 64 MiB: about 200,000 events
    /// of ~300 bytes, so only large messages reach it, and then it keeps a few 10 MB messages from
    /// taking gigabytes. The sink may hold one message more than this: it reads while below it.
    public var maxBufferedBytes = BronzeConfiguration.defaultMaxBufferedBytes

    public init() {}

    func validate() throws {
        guard (1...1_000_000).contains(batchSize) else {
            throw SinkError(.invalidArgument, "--batch-size \(batchSize): expected 1 to 1,000,000")
        }
        guard (1...256).contains(uploads) else { throw SinkError(.invalidArgument, "--uploads \(uploads): expected 1 to 256") }
        guard maxBatchAge > .zero else { throw SinkError(.invalidArgument, "--max-batch-age must be more than 0") }
        guard maxBufferedBytes >= BronzeConfiguration.minimumBufferedBytes else {
            throw SinkError(.invalidArgument, "--max-buffer \(maxBufferedBytes) bytes: expected at least 1MiB")
        }
    }
}

/// How the bronze sink reads Kafka, batches and stores.
@dynamicMemberLookup
public struct BronzeConfiguration: Sendable {
    public var connection: KafkaConnection
    /// Consumer group; its committed offsets are the sink's progress.
    public var groupId = "shopstream-bronze"
    /// A member of `groupId` (the default), or `.sole`: the only reader, taking every partition
    /// without a group join (`run` on the embedded broker it owns).
    public var membership: ConsumerConfiguration.Membership = .group
    /// Topics to archive; every entity topic by default.
    public var topics = Entity.allCases.map(\.topic)
    /// Batch size, age, uploads, buffer bounds, idle exit (one store per partition at a time).
    public var batching = BronzeBatching()

    public static let defaultMaxBufferedBytes = 64 << 20
    /// The smallest byte bound accepted: 1 MiB.
    public static let minimumBufferedBytes = 1 << 20

    public init(connection: KafkaConnection) { self.connection = connection }

    /// `configuration.batchSize` and the other batching settings, as before they moved.
    public subscript<T>(dynamicMember path: WritableKeyPath<BronzeBatching, T>) -> T {
        get { batching[keyPath: path] }
        set { batching[keyPath: path] = newValue }
    }

    public subscript<T>(dynamicMember path: KeyPath<BronzeBatching, T>) -> T { batching[keyPath: path] }

    func validate() throws { try batching.validate() }
}

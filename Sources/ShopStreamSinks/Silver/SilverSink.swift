import Dispatch
import Foundation
import Logging
import Metrics
import ShopStreamBus
import ShopStreamCore
import ShopStreamPubSub
import ShopStreamSilver
import ShopStreamWarehouse

/// Validates, casts and streams every entity topic into the silver tables;
/// what it cannot accept goes to `shop.dlq` and `silver.rejects` with its reason.
///
/// Guarantees: nothing dropped silently, offsets committed only when every earlier message of the
/// partition is in a table or dead-lettered, and on Kafka each message once in the raw tables
/// across crashes and restarts, as far as the warehouse lets a reader see what is in it:
///
/// - When partitions are assigned (the start, every rebalance), before the first message of them
///   is handled, the sink asks silver which offsets past each partition's committed offset it
///   already holds (nothing committed: from the beginning), in the entity's table and in
///   silver.rejects (`readBack`). A message read again at such an offset is settled (committable)
///   without being inserted or dead-lettered again, and counted in `Statistics.alreadyHeld`. The
///   offsets are held per partition (`HeldOffsets`) only while its position is below the highest
///   of them: memory is what lies past the committed offsets.
/// - SQLite: an insert is a transaction, so a killed run's rows are all there or none: the read-back
///   is exact, and every event is in the raw tables once after SIGKILLs and restarts. A zombie
///   (below) is the exception: its insert in flight at the pause, or made on resuming before it
///   learns of the loss, lands after its successor's read-back and repeats those rows.
/// - BigQuery, `--load storage-write` (the default at Google; `StorageWriteLoader`): one COMMITTED write stream
///   per table and process, every append at an explicit offset, Kafka offsets committed only after
///   the append is acknowledged. Within a process a resend (lost answer, dead connection,
///   UNAVAILABLE) lands at most once: the service answers ALREADY_EXISTS for rows it holds at that
///   offset. Across a crash the new process's stream starts empty, so the offsets cannot tell it
///   what the dead one appended: the read-back above does. An append is visible once acknowledged,
///   and a killed process's last append was applied (or refused) long before its successor joins
///   the group and reads back (seconds). A stream the service forgot (bqemulator restarted) refused
///   the whole append: the rows go to a new stream. `StorageWriteCrashTests`: ten SIGKILLs, every
///   event once in the raw tables.
///   Not closed: an append the service applies only after the successor's read-back (a zombie
///   resumed with an append in hand; a request stuck in the network for seconds). Fencing it would
///   be the successor finalizing its predecessors' streams before reading back (FinalizeWriteStream:
///   no append lands after it); that needs the stream names kept where a successor finds them, and
///   is not built.
/// - BigQuery, `--load insert-all`: as above, and a resend within a process (the HTTP layer's, or
///   the insert loop's after a lost answer) inserts the rows again under the same insertId, which
///   BigQuery de-duplicates best effort for about a minute and bqemulator not at all; the
///   `_dedup`/`_current` views show them once.
/// - A reject is published to shop.dlq before its silver.rejects row is written: a crash between
///   the two leaves a letter the read-back cannot see, and it is dead-lettered again.
/// - Pub/Sub (`PubSubSilverSource`) has no partitions or offsets to ask about: at least once there,
///   a redelivery inserted again under its insertId.
///
/// A fact that references a dimension not yet seen (topics are consumed
/// independently) waits beside the stream for up to `referenceGrace`; an event
/// whose `event_id` was already accepted at other Kafka coordinates is a
/// duplicate and is rejected.
///
/// Several sinks in one group split the partitions, so a member reads only part of a dimension's
/// topic: what the others read reaches it through silver. While facts wait for a dimension whose
/// topic it did not always wholly hold, it looks the missing ids up in the dimension's table once a
/// second; while it does not wholly hold the topic it keeps them waiting up to ten graces (it cannot
/// tell how far the others have read). Facts waiting when their partition is revoked are dropped
/// (uncommitted, they are read again by the next owner).
///
/// A zombie (a member paused past its session while the others took its partitions over, then
/// resumed) cannot break this: until librdkafka tells it the partitions are lost it may insert
/// rows for them, but under the same insertIds (their Kafka coordinates) as their new owner, so
/// the views hold each event once; its commits carry a stale generation and the broker refuses
/// them. Told of the loss (librdkafka's lost assignment), it drops what it still buffers for those
/// partitions, commits nothing and forgets them. So its extra raw rows are messages it had read and
/// not committed, inserted before it learned of the loss.
///
/// Memory is bounded by `dedupWindow` (event time), not by history: accepted event ids
/// (`AcceptedEvents`) and sale ids (the gate's known ids of facts) older than the window are
/// forgotten; dimension ids (customers, products, stores) are all held, being few. A duplicate
/// older than the window lands again, under its own insertId, and the views show it once; a
/// payment or shipment whose sale is older than the window is checked against silver.sales
/// before it could be rejected, so nothing valid is refused for being old.
public final class SilverSink: StoppableSink {
    public struct Statistics: Sendable {
        public var rows: [Entity: Int] = [:]
        /// Rejected messages by rule (`json`, `required`, `reference`, `duplicate`, …).
        public var rejects: [String: Int] = [:]
        /// Facts that had to wait for a dimension (and later got in or were rejected).
        public var waited = 0
        /// The most facts that waited at once.
        public var mostWaiting = 0
        /// How many times reading was paused because `maxWaitingFacts` facts waited.
        public var pausedReading = 0
        /// Referenced ids looked up in silver because they were older than the dedup window.
        public var lookedUp = 0
        /// Inserts retried (transient warehouse errors).
        public var retries = 0
        /// Messages read again that silver already held (inserted or dead-lettered by a run that
        /// died before committing them): settled without being inserted or dead-lettered again.
        public var alreadyHeld = 0
        public var elapsed: Duration = .zero
        /// Event-to-row latency in milliseconds (send to insert), for events from a live
        /// generator (they carry `shopstream-sent-at`); a sample of at most 100,000.
        public var latencies: [Int64] = []

        /// The latency below which `fraction` of the sampled events got in (e.g. 0.5, 0.99).
        public func latency(_ fraction: Double) -> Int64? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        }
        public var totalRows: Int { rows.values.reduce(0, +) }
        public var totalRejects: Int { rejects.values.reduce(0, +) }
    }

    public let configuration: SilverConfiguration
    public let warehouse: any Warehouse
    public private(set) var statistics = Statistics()
    /// Metrics, lag and stalls, for the status line and `/readyz`.
    public let monitor = SinkMonitor(sink: "silver")
    public var logger = Logger(label: "shopstream.silver", factory: { _ in SwiftLogNoOpLogHandler() })

    private let validator: EventValidator
    /// The bus: polled, settled once each delivery landed, given back what did not.
    private let source: any SilverSource
    private var gate = ReferenceGate<Accepted>()
    /// event_id → coordinates of the accepted event, to tell a replay from a duplicate.
    private var accepted: AcceptedEvents
    /// The rows accepted and not yet submitted, per entity (`Entity.index`: no hashing a row).
    private var batches = [Batch](repeating: Batch(), count: Entity.allCases.count)
    private var rejected: [Rejected] = []
    private var lastActivity = ContinuousClock.now
    private lazy var idleExit = configuration.idleExit.map { IdleExit($0, after: configuration.idleExitAfter) }
    private var lastCommit = ContinuousClock.now
    /// Messages settled since the warehouse last made its rows durable (`commit`).
    private var settledSinceDurable = false
    private var lastRetryCheck = ContinuousClock.now
    private var firstMessageAt: Moment?
    private var lastRowAt: Moment?
    /// The insert threads, started when consuming starts.
    private var inserts: WorkerPool<InsertJob, FinishedInsert>?
    /// The validation threads (`Validation`), started with the insert threads.
    private var validators: WorkerPool<Validation.Part, Void>?
    /// What the caller asked, where the insert threads can see it (they stop retrying once asked to stop).
    private let stopSeen = StopSignal()
    private var runs = RunOnce()
    /// What `run` was given to ask whether to stop, while it runs.
    private var asking: (() -> StopSignal.Request)?
    private let eventToRow = Metrics.Timer(label: MetricCatalog.eventToSilver.name)
    /// Tables with an insert in flight.
    private var inserting: Set<Entity> = []
    /// Rows accepted and not yet in a table.
    private var buffered = 0
    /// The latest record time read per lane: how far each topic has been read.
    private var eventTime = LaneTimes()
    /// Messages read per entity (`Entity.index`) not yet counted in the metrics.
    private var unreportedReads = [Int](repeating: 0, count: Entity.allCases.count)
    /// Rows an insert carries at most (`SilverConfiguration.maxRows`).
    private let maxRows: Int
    private var maxBuffered: Int { max(20_000, maxRows * 20) }
    /// Partitions of each entity's topic: a member holding fewer shares the topic with others.
    private let partitionCounts: [Entity: Int]
    /// Entities whose topic this member did not wholly hold at some time since it loaded silver:
    /// other members may have inserted ids of them that it never read.
    private var sharedTopics: Set<Entity> = []
    private var lastLookup = ContinuousClock.now
    /// Rows landed since facts waiting for a sale were last looked up at the end of the input
    /// (`lookUpSalesLanded`).
    private var landedSinceLookup = false
    /// Read and not yet handled: a burst of polls, handled together (`handlePolled`).
    private var polled: [SilverDelivery] = []
    /// The burst read before `polled`, being validated on other threads while this one reads on
    /// (`validateAndHandlePrevious`); handled before anything read after it.
    private var validating: Validation?
    /// Per assigned partition, the offsets past its committed offset that silver already holds
    /// (`readBack`); a partition's entry goes once it is read past the highest.
    private var held: [TopicPartition: HeldOffsets] = [:]
    /// Why the read-back of an assignment failed: nothing of those partitions may be handled, and
    /// the loop stops with it.
    private var readBackFailure: SinkError?
    /// How many facts waited when `pace` last paused lanes (`source.paused`).
    private var waitingAtPause = 0
    /// The last `_ingested_at` written: its millisecond and its text (`ingestedAt()`).
    private var ingestion: (ms: Int64, text: String) = (.min, "")

    private struct Accepted {
        var message: SilverDelivery
        var entity: Entity
        var event: ValidatedEvent
        /// When it was first parked in the gate (set then: most facts never wait).
        var parkedAt = Moment.origin
    }

    private struct Rejected {
        var message: SilverDelivery
        var reason: String
        var field: String?
        var rule: String
        /// What the letter and silver.rejects keep of the value (`DeadLetter.bounded`).
        var payload: [UInt8]
    }

    private struct Batch {
        var rows: [WarehouseRow] = []
        var sources: [SilverDelivery] = []
        var bytes = 0
        var openedAt = ContinuousClock.now

        /// Appends a row; an emptied batch (flushed) starts again, its clock with it.
        mutating func append(_ row: WarehouseRow, from m: SilverDelivery) {
            if rows.isEmpty { self = Batch() }
            rows.append(row)
            sources.append(m)
            bytes += m.value.count + 256
        }

        /// Its first `count` rows, as a batch opened when this one was; this one keeps the rest.
        mutating func takeFirst(_ count: Int) -> Batch {
            var first = Batch()
            first.openedAt = openedAt
            first.rows = Array(rows[..<count])
            first.sources = Array(sources[..<count])
            first.bytes = first.sources.reduce(0) { $0 + $1.value.count + 256 }
            rows.removeFirst(count)
            sources.removeFirst(count)
            bytes -= first.bytes
            return first
        }
    }

    /// A sink that reads Kafka (`configuration.connection`, group `configuration.groupId`).
    public convenience init(configuration: SilverConfiguration, warehouse: any Warehouse, catalog: TopicCatalog) throws {
        try self.init(configuration: configuration, warehouse: warehouse, catalog: catalog) {
            try KafkaSilverSource(configuration: configuration, monitor: $0)
        }
    }

    /// A sink that reads Pub/Sub: silver's subscription on each of `configuration.topics` in
    /// `client`'s project (`configuration.connection` and `groupId` are not used).
    public convenience init(
        configuration: SilverConfiguration, warehouse: any Warehouse, catalog: TopicCatalog, pubSub client: PubSubClient
    )
        throws
    {
        try self.init(configuration: configuration, warehouse: warehouse, catalog: catalog) {
            PubSubSilverSource(
                client: client, topics: configuration.topics, monitor: $0, maxWaitingFacts: configuration.maxWaitingFacts)
        }
    }

    private init(
        configuration: SilverConfiguration, warehouse: any Warehouse, catalog: TopicCatalog,
        source makeSource: (SinkMonitor) throws -> any SilverSource
    ) throws {
        self.configuration = configuration
        self.warehouse = warehouse
        maxRows = configuration.maxRows ?? warehouse.rowsPerInsert
        partitionCounts = Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0, catalog[$0].partitions) })
        accepted = AcceptedEvents(window: configuration.dedupWindow)
        validator = try EventValidator(
            catalog: catalog, maxMessageBytes: configuration.maxMessageBytes,
            rules: SanityRules(futureTolerance: configuration.futureTolerance))
        source = try makeSource(monitor)
        source.onChange = { [unowned self] change in self.rebalanced(change) }
    }

    deinit {
        source.onChange = nil
        source.close()
        inserts?.close()
        validators?.close()
    }

    /// Loads what silver already holds (known ids, accepted event ids), then consumes until
    /// `request` asks or idle: `.now` inserts and commits what was read, `.drain` first reads on
    /// until caught up with the partitions' ends, `.abandon` returns without waiting for inserts in
    /// flight (not committed: the next run inserts them again under the same insertIds). Facts
    /// still waiting are left uncommitted, to be read again.
    ///
    /// `.abandon` also ends the waits of the warehouse (a BigQuery backoff, a quota wait) and of the
    /// Pub/Sub client (a dead-letter publish's or an acknowledge's backoff): on the insert
    /// threads as soon as this thread sees it, so that the stop need not wait out a backoff of up to
    /// 32 s (120 s for a quota) before returning. `run(until:)` does better: the warehouse watches
    /// the caller's own signal, which also wakes this thread from a wait of its own (a read-back,
    /// an insert of rejects).
    public func run(asking request: () -> StopSignal.Request) throws {
        try run(asking: request, waitsEndOn: stopSeen)
    }

    /// Runs until `stop` asks; see `run(asking:)`.
    public func run(until stop: StopSignal) throws {
        try run(asking: { stop.request }, waitsEndOn: stop)
    }

    private func run(asking request: () -> StopSignal.Request, waitsEndOn stop: StopSignal) throws {
        try runs.start("SilverSink")
        warehouse.interruptWaits(on: stop)
        source.interruptWaits(on: stop)
        defer { waitForInserts() }
        do {
            try withoutActuallyEscaping(request) { request in
                // Also asked inside a poll (a rebalance's read-back), where the loop does not turn.
                asking = request
                defer { asking = nil }
                try consume(request)
            }
        } catch {
            // Leave the group now, so the next run need not wait for this member's
            // session to time out; nothing more is committed.
            source.onChange = nil
            source.close()
            throw error
        }
    }

    /// How long a stop waits for inserts already sent (as the bronze sink waits for its uploads).
    static let insertShutdownWait: Duration = .seconds(30)

    /// Starts no more inserts and waits, up to `insertShutdownWait`, for those under way to end:
    /// the process may exit next, and an insert cut inside libcurl or OpenSSL crashes it (OpenSSL's
    /// exit handler frees what the thread still uses). An insert that ends here lands or fails, but
    /// after an abandon or an error its rows are not committed: the next owner reads them again and
    /// finds them in silver (`readBack`). The insert threads stop their pauses at once.
    private func waitForInserts() {
        guard let inserts else { return }
        stopSeen.request(.now)
        inserts.close(discardingPending: true)
        if !inserts.waitForThreads(timeout: Self.insertShutdownWait) {
            logger.warning(
                "inserts still under way after \(Self.insertShutdownWait); stopping without them (nothing of them is committed)",
                metadata: ["inserts": "\(inserting.count)"])
        }
    }

    private func consume(_ request: () -> StopSignal.Request) throws {
        source.logger = logger
        try source.start()
        try loadState()
        lastActivity = .now
        startWorkers()
        defer {
            inserts?.close()
            validators?.close()
        }
        var lastEndCheck = ContinuousClock.now
        var drainAskedAt: ContinuousClock.Instant?
        while true {
            let asked = request()
            stopSeen.request(asked)
            if asked >= .now { break }
            if asked == .drain, ContinuousClock.now - lastEndCheck >= .milliseconds(200) {
                lastEndCheck = .now
                let since = drainAskedAt ?? .now
                drainAskedAt = since
                if (source.hasReadToEnd(since: since) && gate.waitingCount == 0 && validating == nil)
                    || ContinuousClock.now - max(lastActivity, since) >= .seconds(5)
                {
                    logger.info("stopping: \(source.drained); inserting what is left")
                    break
                }
            }
            source.tick()
            if ContinuousClock.now - lastRetryCheck >= .seconds(1) {
                lastRetryCheck = .now
                monitor.httpRetried(warehouse.takeRetries().count, service: "bigquery")
            }
            // Inserts run on worker threads while this thread reads on; past
            // `maxBuffered` rows it stops reading and waits for them.
            try applyFinishedInserts(wait: buffered >= maxBuffered ? .milliseconds(50) : nil)
            // A reader held back by its own inserts is busy, not idle: --idle-exit must not
            // end a run that stopped reading only to let the warehouse catch up.
            // So is one that paused its own lanes (`pace`): they are not read to their end.
            if buffered >= maxBuffered || !source.paused.isEmpty { lastActivity = .now }
            let validatingCount = validating?.burst.count ?? 0
            // With a burst being validated, nothing new is waited for: that burst is handled instead.
            let reads = buffered + validatingCount < maxBuffered
            let first = reads ? try source.poll(timeout: validating == nil ? .milliseconds(20) : .zero) : nil
            if let m = first {
                if let readBackFailure { throw readBackFailure }
                lastActivity = .now
                // A burst is read, validated on other threads while the one before it is
                // handled here, in the order read.
                polled.append(m)
                // At most 2,000, and no more than may wait at once: each could be a fact that waits.
                while polled.count <= min(2000, configuration.maxWaitingFacts), buffered + validatingCount + polled.count < maxBuffered,
                    let more = try source.poll(timeout: .zero)
                {
                    polled.append(more)
                }
                if let readBackFailure { throw readBackFailure }
                validateAndHandlePrevious()
                reportReads()
            } else if validating != nil {
                handlePolled()
                reportReads()
            }
            lookUpReferencesReadElsewhere()
            let inputEnded = reads && first == nil && validating == nil && inputHasEnded()
            if inputEnded { try lookUpSalesLanded() }
            try releaseWaiting(expireAll: false)
            pace()
            try flush(force: inputEnded)
            try commit(force: false)
            // Idle counts from the last message or the last assignment, and ends the run only once
            // no fact waits and the whole group has read to the end.
            if gate.waitingCount == 0, validating == nil, idleExit != nil,
                source.idleExitIsDue(&idleExit!, lastActivity: lastActivity)
            {
                logger.info("idle: inserting what is left", metadata: ["idle": "\(idleExit!.idle)"])
                break
            }
        }
        stopSeen.request(request())
        if request() == .abandon {
            logger.warning(
                "stopping at once: inserts in flight are not committed (the next run inserts them again)",
                metadata: ["inserts": "\(inserting.count)"])
            source.close()
            return
        }
        // Read before the stop: handled, so it is inserted and committed with the rest.
        handlePolled()
        reportReads()
        try drainInserts(abandon: {
            // Seen here, an abandon must also reach the insert threads, to end their waits.
            stopSeen.request(request())
            return stopSeen.request == .abandon
        })
        try commit(force: true)
        if let firstMessageAt, let lastRowAt { statistics.elapsed = lastRowAt - firstMessageAt }
        if gate.waitingCount > 0 {
            logger.notice(
                "facts still wait for their dimensions; they are not committed and will be read again",
                metadata: ["facts": "\(gate.waitingCount)"])
            var waiting: [SilverDelivery] = []
            _ = gate.drop {
                waiting.append($0.message); return true
            }
            source.giveBack(waiting)
        }
        source.close()
    }

    // MARK: Startup

    private func loadState() throws {
        // A silver of an older ShopStream would fail on its first insert or reject: say what to do
        // now, from the columns read here anyway (each a request on BigQuery).
        if let columns = try warehouse.columns(of: SilverSchema.rejects.name) {
            try WarehouseSetup.refuseLegacy(SilverSchema.rejects.name, columns: columns, in: warehouse)
        }
        for entity in Entity.allCases {
            let name = TableName(SilverSchema.dataset, entity.rawValue)
            guard let columns = try warehouse.columns(of: name) else {
                throw SinkError(
                    .storage,
                    "table \(name) does not exist in \(warehouse.url); run `shopstream warehouse init --warehouse \(warehouse.url)` first")
            }
            try WarehouseSetup.refuseLegacy(name, columns: columns, in: warehouse)
            let idField = EntityReference.idField(of: entity)
            let referenced = EntityReference.referencedEntities.contains(entity)
            // Dimension ids are all held (few, and referenced for ever); fact ids only within the window.
            if referenced && entity.isDimension {
                try warehouse.forEachRow("SELECT DISTINCT \(idField) FROM \(name)") { row in
                    if let id = row[0] { gate.learn(entity, id) }
                }
            }
            // Only the window before the newest event: read row by row, never the whole table at once.
            var since = ""
            if configuration.dedupWindow != nil,
                let latest = try warehouse.query("SELECT MAX(event_time) FROM \(name)").scalar.flatMap(AcceptedEvents.day(of:))
            {
                advance(entity, to: latest)
                if let horizon = accepted.horizon(entity) {
                    since = " WHERE event_time >= " + warehouse.dialect.timestampLiteral(Self.startOfDay(horizon))
                }
            }
            try warehouse.forEachRow("SELECT event_id, \(SilverSchema.insertIdColumn), \(idField), event_time FROM \(name)\(since)") {
                row in
                guard let day = row[3].flatMap(AcceptedEvents.day(of:)) else { return }
                if let eventId = row[0], let insertId = row[1] { accepted.load(eventId, insertId: insertId, entity: entity, day: day) }
                if referenced && !entity.isDimension, let id = row[2] { gate.learn(entity, id, day: day) }
            }
        }
        if accepted.count > 0 {
            logger.info("silver already holds events; continuing after them", metadata: ["events_held": "\(accepted.count)"])
        }
    }

    /// `YYYY-MM-DDT00:00:00.000000Z` of a day since 1970-01-01.
    static func startOfDay(_ day: Int32) -> String {
        let (y, m, d) = CivilCalendar.civil(days: Int(day))
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T00:00:00.000000Z"
    }

    /// Moves `entity`'s event time on; when a window moved, the gate forgets the fact ids (sales)
    /// no fact still to come references (`AcceptedEvents.referenceHorizon`).
    private func advance(_ entity: Entity, partition: Int32? = nil, to day: Int32) {
        let moved =
            if let partition { accepted.advance(entity, partition: partition, to: day) } else { accepted.advance(entity, to: day) }
        guard moved != nil else { return }
        for fact in EntityReference.referencedEntities where !fact.isDimension {
            if let horizon = accepted.referenceHorizon(fact) { gate.forget(fact, before: horizon) }
        }
    }

    /// Held state, for tests: accepted event ids, and the known ids of `entity`.
    var heldEventIds: Int { accepted.count }
    func heldIds(_ entity: Entity) -> Int { gate.knownCount(entity) }

    // MARK: Each message

    /// What the validator made of one message: its event, or why it is refused.
    private enum Checked {
        case notAnEntityTopic
        case refused(Rejection)
        case event(Entity, ValidatedEvent)
    }

    /// Validation alone, which needs nothing of the sink's state: safe on any thread.
    private static func check(_ m: SilverDelivery, _ validator: EventValidator, now: Date) -> Checked {
        guard let entity = Entity(topic: m.topic) else { return .notAnEntityTopic }
        switch validator.validate(m.value, entity: entity, now: now) {
        case .failure(let rejection):
            return .refused(rejection)
        case .success(let event):
            // A key or header that contradicts the value: the producer is wrong about this record.
            if let lie = validator.checkRecord(
                key: m.key, headers: m.headers.lazy.map { (name: $0.name, value: $0.value) }, of: event, now: now)
            {
                return .refused(Rejection(lie))
            }
            return .event(entity, event)
        }
    }

    /// Hands `polled` to the validation threads and handles the burst read before it, whose
    /// validation ran while this thread read and handled: validation (most of a message's cost) is
    /// off the reading thread, which reads, keeps state and hands rows to the inserts.
    private func validateAndHandlePrevious() {
        guard !polled.isEmpty, readBackFailure == nil else { return }
        let next = Validation(polled, validator, now: Date(), on: validators)
        polled = []
        handleValidating()
        validating = next
    }

    /// Handles the burst being validated, if any, once its validation is done.
    private func handleValidating() {
        guard let previous = validating else { return }
        validating = nil
        let checked = previous.wait()
        // Moved out, not copied: the row is then built in the validator's array, not a copy of it.
        for (k, m) in previous.burst.enumerated() { handle(m, checked[k].take()!) }
    }

    /// Handles, in the order read, the burst being validated and what was polled after it.
    /// Called when there is nothing new to read, at the end, and from the rebalance callback, so
    /// what was read before a revocation is handled (and inserted or dropped) with its partition,
    /// as if handled at once.
    private func handlePolled() {
        // Not knowing what silver holds, any message may be one it holds: leave them unsettled.
        guard readBackFailure == nil else { return }
        handleValidating()
        guard !polled.isEmpty else { return }
        validating = Validation(polled, validator, now: Date(), on: validators)
        polled = []
        handleValidating()
    }

    /// A burst validated on the validation threads, in four parts side by side (a burst of fewer
    /// than 64 messages, or without threads, here at once).
    ///
    /// `@unchecked Sendable`: `results` is written by the validation threads, each its own part,
    /// and read only after `done` says they all ended; freed once no part holds the burst.
    private final class Validation: @unchecked Sendable {
        let burst: [SilverDelivery]
        private let validator: EventValidator
        private let now: Date
        private let results: UnsafeMutableBufferPointer<Checked?>
        private let done = DispatchGroup()

        /// One validation thread's share of a burst.
        struct Part: Sendable {
            let validation: Validation
            let range: Range<Int>
        }

        init(_ burst: [SilverDelivery], _ validator: EventValidator, now: Date, on threads: WorkerPool<Part, Void>?) {
            self.burst = burst
            self.validator = validator
            self.now = now
            results = .allocate(capacity: burst.count)
            results.initialize(repeating: nil)
            guard let threads, burst.count >= 64 else {
                check(0..<burst.count)
                return
            }
            let size = (burst.count + 3) / 4
            for start in stride(from: 0, to: burst.count, by: size) {
                done.enter()
                threads.put(Part(validation: self, range: start..<min(burst.count, start + size)))
            }
        }

        /// Validates the part `range` (on a validation thread).
        func check(_ range: Range<Int>) {
            for k in range { results[k] = SilverSink.check(burst[k], validator, now: now) }
        }

        /// Run by a validation thread.
        static func run(_ part: Part) {
            part.validation.check(part.range)
            part.validation.done.leave()
        }

        /// What each message of `burst` is, once the threads are done.
        func wait() -> UnsafeMutableBufferPointer<Checked?> {
            done.wait()
            return results
        }

        deinit {
            _ = results.deinitialize()
            results.deallocate()
        }
    }

    private func handle(_ m: SilverDelivery, _ checked: consuming Checked) {
        if firstMessageAt == nil { firstMessageAt = Moment.now }
        let tp = m.lane
        if let ts = m.timestampMs { eventTime.saw(tp, ts) }
        if !held.isEmpty, let kind = heldKind(m) {
            settleHeld(m, kind, checked)
            return
        }
        switch consume checked {
        case .notAnEntityTopic:
            monitor.read(m.topic)
            reject(m, reason: "(root): topic \(m.topic) is not an entity topic", field: nil, rule: "topic")
        case .refused(let rejection):
            unreportedReads[Entity(topic: m.topic)!.index] += 1
            reject(m, reason: rejection.reason, field: rejection.field, rule: rejection.violations.first?.rule.rawValue ?? "schema")
        case .event(let entity, let event):
            unreportedReads[entity.index] += 1
            var accepted = Accepted(message: m, entity: entity, event: event)
            // Built only when a reference is missing: most facts find theirs, and allocate nothing here.
            var missing: [ReferenceGate<Accepted>.Reference] = []
            event.forEachReference { reference, id in
                let ref = ReferenceGate<Accepted>.Reference(entity: reference.target, id: id)
                if !gate.isKnown(ref) { missing.append(ref) }
            }
            if missing.isEmpty {
                accept(accepted)
            } else {
                statistics.waited += 1
                // A sale older than the window is no longer held: ask silver soon, not after the whole grace.
                let ask = configuration.dedupWindow != nil && missing.contains { !$0.entity.isDimension }
                let grace = ask ? min(configuration.referenceGrace, .seconds(1)) : configuration.referenceGrace
                accepted.parkedAt = Moment.now
                let (key, deadline) = (gateKey(accepted), accepted.parkedAt + grace)
                gate.park(accepted, as: key, missing: missing, until: deadline)
                statistics.mostWaiting = max(statistics.mostWaiting, gate.waitingCount)
            }
        }
    }

    /// Counts what `handle` read, per topic, into the metrics: once per burst of polls, not per message.
    private func reportReads() {
        for entity in Entity.allCases where unreportedReads[entity.index] > 0 {
            monitor.read(entity.topic, unreportedReads[entity.index])
            unreportedReads[entity.index] = 0
        }
    }

    private func accept(_ a: consuming Accepted) {
        let m = a.message
        let insertId = m.source.insertId
        if let (eventId, prior) = remember(a) {
            reject(
                m, reason: "event_id: \(eventId) was already accepted at \(prior); a duplicate is not stored twice", field: "event_id",
                rule: "duplicate")
            return
        }
        let entity = a.entity
        let row = SilverRow.make(entity: entity, event: (consume a).event, source: m.source, ingestedAt: ingestedAt(), insertId: insertId)
        // Mutated in place in the array: a copy out and back would
        // copy the whole batch on every append.
        batches[entity.index].append(row, from: m)
        buffered += 1
    }

    /// `_ingested_at` of a row accepted now, to the millisecond: written once a millisecond, not
    /// once a row (at 50,000 rows a second, dozens of rows share it).
    private func ingestedAt() -> String {
        let ms = SentAt.nowMilliseconds()
        if ms != ingestion.ms {
            ingestion = (ms, SilverRow.timestamp(milliseconds: ms))
        }
        return ingestion.text
    }

    /// Records `a` as accepted: its event id (what tells a later duplicate) and, for an entity facts
    /// reference, its id (what waiting facts wait for). Nil, or the event id and the insert id it
    /// was accepted at before: a duplicate, nothing recorded.
    private func remember(_ a: Accepted) -> (eventId: String, prior: String)? {
        let m = a.message
        let day = a.event.eventTime.flatMap(AcceptedEvents.day(of:)) ?? Int32(clamping: (m.timestampMs ?? 0) / 86_400_000)
        advance(a.entity, partition: m.source.partition, to: day)
        if let eventId = a.event.eventId, let prior = accepted.accept(eventId, from: m.source, entity: a.entity, day: day) {
            return (eventId, prior)
        }
        if EntityReference.referencedEntities.contains(a.entity) {
            // A sale older than the window wakes what waits for it, but is not held.
            if a.entity.isDimension {
                gate.learn(a.entity, a.event.id)
            } else {
                gate.learn(a.entity, a.event.id, day: day, hold: day >= accepted.referenceHorizon(a.entity) ?? .min)
            }
        }
        return nil
    }

    // MARK: What silver already holds

    /// What silver holds at `m`'s coordinates, if anything; forgets the partition's held offsets once
    /// `m` is past the highest (offsets only grow within a partition), so the common case costs
    /// nothing but a look at an empty dictionary.
    private func heldKind(_ m: SilverDelivery) -> HeldOffsets.Kind? {
        guard let offset = m.source.offset, let offsets = held[m.lane] else { return nil }
        if offset >= offsets.highest ?? .min { held[m.lane] = nil }
        return offsets.kind(at: offset)
    }

    /// A message silver already holds: counted done, not inserted or dead-lettered again. A row's
    /// event is still remembered as accepted, as if this run had inserted it: a later duplicate of
    /// it is refused, and facts waiting for it (a payment for this sale) are let through.
    private func settleHeld(_ m: SilverDelivery, _ kind: HeldOffsets.Kind, _ checked: Checked) {
        if let entity = Entity(topic: m.topic) { unreportedReads[entity.index] += 1 } else { monitor.read(m.topic) }
        if kind == .row, case .event(let entity, let event) = checked {
            // A duplicate at other coordinates is left as the earlier run decided: it is in silver.
            _ = remember(Accepted(message: m, entity: entity, event: event))
        }
        settle(m)
        statistics.alreadyHeld += 1
    }

    /// Asks silver which offsets of `lanes`, past their committed offsets, it holds already (rows of
    /// the entities' tables, and rejects), in one query, and keeps them for `handle`; returns how
    /// many offsets are held. Retrying is the warehouse's business, as for inserts (BigQuery's
    /// budget, SQLite's busy timeout; librdkafka's for the committed offsets): once it gave up on a
    /// cause that may pass, a sink that runs until stopped (`keepsTryingInserts`) asks again after
    /// `insertRetryPause`, until asked to stop; one that ends when idle stops with the cause.
    private func readBack(_ lanes: [TopicPartition]) throws -> Int {
        guard !lanes.isEmpty else { return 0 }
        while true {
            do {
                let found = try queryHeld(lanes, from: try source.committedOffsets(lanes))
                for lane in lanes { held[lane] = nil }
                for (lane, offsets) in found where !offsets.isEmpty { held[lane] = offsets }
                return found.values.reduce(0) { $0 + $1.count }
            } catch {
                func stopAsked() -> Bool {
                    if let asking { stopSeen.request(asking()) }
                    return stopSeen.request >= .now
                }
                guard error.isTransient, configuration.keepsTryingInserts, !stopAsked() else { throw error }
                logger.warning(
                    "asking silver what it holds past the committed offsets failed; asking again",
                    metadata: ["retry_in": "\(configuration.insertRetryPause)", "error": "\(error)"])
                let until = ContinuousClock.now + configuration.insertRetryPause
                while ContinuousClock.now < until, !stopAsked() { Thread.sleep(forTimeInterval: 0.2) }
            }
        }
    }

    private func queryHeld(_ lanes: [TopicPartition], from committed: [TopicPartition: Int64]) throws -> [TopicPartition: HeldOffsets] {
        // Kafka topic names are [a-zA-Z0-9._-]: literals that need no quoting in either dialect.
        func condition(_ prefix: String, _ lanes: [TopicPartition]) -> String {
            lanes.map {
                "(\(prefix)source_topic = '\($0.topic)' AND \(prefix)source_partition = \($0.partition) AND \(prefix)source_offset >= \(committed[$0] ?? 0))"
            }.joined(separator: " OR ")
        }
        var selects: [String] = []
        for (topic, lanes) in Dictionary(grouping: lanes, by: \.topic).sorted(by: { $0.key < $1.key }) {
            guard let entity = Entity(topic: topic) else { continue }
            selects.append(
                "SELECT 0, _source_partition, _source_offset, _source_topic FROM \(SilverSchema.dataset).\(entity.rawValue) WHERE \(condition("_", lanes))"
            )
        }
        selects.append(
            "SELECT 1, source_partition, source_offset, source_topic FROM \(SilverSchema.rejects.name) WHERE \(condition("", lanes))")
        var found: [TopicPartition: [(offset: Int64, kind: HeldOffsets.Kind)]] = [:]
        try warehouse.forEachRow(selects.joined(separator: " UNION ALL ")) { row in
            guard let topic = row[3], let partition = row[1].flatMap({ Int32($0) }), let offset = row[2].flatMap({ Int64($0) }) else {
                return
            }
            found[TopicPartition(topic, partition), default: []].append((offset, row[0] == "1" ? .reject : .row))
        }
        return found.mapValues(HeldOffsets.init)
    }

    private func reject(_ m: SilverDelivery, reason: String, field: String?, rule: String) {
        let (payload, reason) = DeadLetter.bounded(m.value, reason: reason, source: m.source.key)
        rejected.append(Rejected(message: m, reason: reason, field: field, rule: rule, payload: payload))
    }

    /// Bounds the facts waiting in the gate (`SilverConfiguration.maxWaitingFacts`): at the bound,
    /// pauses the topics they were read from (every partition this member holds; should more wait
    /// still, those of other topics); once half of them got in or were rejected, reads every lane
    /// again. Only lanes of entities nothing references are paused (payments, shipping,
    /// inventory): the facts wait for what the other lanes bring (a sale for a payment, a customer
    /// for a sale), and those are always read on, so what waits gets in. Pausing sales because a
    /// few wait for their customers would hold back the sales the payments wait for, until their
    /// grace ran out. Facts whose references never come are rejected after their grace, as without
    /// a pause.
    private func pace() {
        let waiting = gate.waitingCount
        let most = max(1, configuration.maxWaitingFacts)
        let pausedLanes = source.paused
        var pausedNow = false
        defer { monitor.gate(waiting: waiting, pausedLanes: source.paused.count, pausedReading: pausedNow) }
        if !pausedLanes.isEmpty, waiting <= most / 2 {
            // One that could not be resumed stays paused, and is resumed at the next turn.
            source.resume(pausedLanes)
            logger.debug("reading every partition again", metadata: ["waiting": "\(waiting)", "resumed": "\(pausedLanes.count)"])
            return
        }
        guard waiting >= most, pausedLanes.isEmpty || waiting >= waitingAtPause + most / 4 else { return }
        // Every partition of those topics: the ones with nothing waiting yet are next.
        var topics: Set<Entity> = []
        gate.forEachWaiting { a in
            if !EntityReference.referencedEntities.contains(a.entity) { topics.insert(a.entity) }
        }
        var lanes = Set(topics.flatMap { e in (0..<(partitionCounts[e] ?? 0)).map { TopicPartition(e.topic, Int32($0)) } })
        lanes.subtract(pausedLanes)
        waitingAtPause = waiting
        guard !lanes.isEmpty else { return }
        source.pause(lanes)
        let paused = source.paused.subtracting(pausedLanes)
        guard !paused.isEmpty else { return }
        statistics.pausedReading += 1
        pausedNow = true
        logger.debug(
            "facts wait for their dimensions: pausing the partitions they came from",
            metadata: ["waiting": "\(waiting)", "paused": "\(paused.sorted().map(\.description).joined(separator: ","))"])
    }

    private func releaseWaiting(expireAll: Bool) throws {
        let (released, expired) = gate.release(at: Moment.now, expireAll: expireAll)
        // Taken out one by one, in order, each the last copy of its fact (so its row is built in
        // its event's own array): `consume`, so the array is not shared when reversed.
        var ready = consume released
        ready.reverse()
        while let a = ready.popLast() { accept(a) }
        // Facts expiring in this pass may be kept waiting below; until decided they count as waiting.
        let expiring = Set(expired.compactMap { gateKey($0.0) })
        // Asked of the bus once per entity and pass, not per waiting fact.
        var readThrough = [Int64?](repeating: nil, count: Entity.allCases.count)
        func readUpTo(_ entity: Entity, _ timestampMs: Int64) -> Bool {
            if readThrough[entity.index] == nil { readThrough[entity.index] = self.readThrough(entity) }
            return readThrough[entity.index]! >= timestampMs
        }
        var unheld: [(Accepted, [ReferenceGate<Accepted>.Reference])] = []
        for (a, missingBefore) in expired {
            // What was missing when the gate let go may have arrived since: accepting the ready
            // facts above (a sale is a dimension of payments and shipping) or an expired one below.
            let missing = gate.missing(missingBefore)
            if missing.isEmpty {
                accept(a)
                continue
            }
            // Event time decides, not only the clock: while a referenced topic has not been
            // read up to this fact's time (a backlog read unevenly across topics), its
            // dimension may still be on the way. Keep waiting, up to ten graces.
            // So does a dimension that was read but waits in the gate itself (a payment's sale
            // waiting for its customer).
            let behind = missing.contains {
                !readUpTo($0.entity, a.message.timestampMs ?? 0) || gate.isWaiting($0) || expiring.contains($0)
            }
            if behind && !expireAll && Moment.now - a.parkedAt < configuration.referenceGrace * 10 {
                gate.park(a, as: gateKey(a), missing: missing, until: Moment.now + .seconds(1))
                continue
            }
            // A fact's id (a sale) older than the window was forgotten: silver may hold it.
            if configuration.dedupWindow != nil && missing.contains(where: { !$0.entity.isDimension }) {
                unheld.append((a, missing))
                continue
            }
            reject(a, missing: missing)
        }
        guard !unheld.isEmpty else { return }
        // A fact is refused only on what silver holds once every row accepted before it is in;
        // the others need not wait for the inserts under way (seconds, on a backlog).
        let now = Moment.now
        let deciding = expireAll || unheld.contains { now - $0.0.parkedAt >= configuration.referenceGrace }
        let (found, complete) = try lookUp(Set(unheld.flatMap { $0.1.filter { !$0.entity.isDimension } }), waitingForInserts: deciding)
        for ref in found { gate.learn(ref.entity, ref.id, day: accepted.latestDay(ref.entity)) }
        for (a, missingBefore) in unheld {
            let missing = gate.missing(missingBefore)
            if missing.isEmpty {
                accept(a)
            } else if !expireAll && now - a.parkedAt < configuration.referenceGrace {
                // Neither held nor in silver yet: it may still come, within the grace; asked
                // again in a second while rows of its references were still on their way in.
                let graceEnds = a.parkedAt + configuration.referenceGrace
                gate.park(a, as: gateKey(a), missing: missing, until: complete ? graceEnds : min(graceEnds, now + .seconds(1)))
            } else {
                reject(a, missing: missing)
            }
        }
    }

    private func reject(_ a: Accepted, missing: [ReferenceGate<Accepted>.Reference]) {
        let fields = Dictionary(grouping: a.event.references, by: { $0.reference.target })
        let text = missing.map { ref -> String in
            let field = fields[ref.entity]?.first?.reference.field ?? EntityReference.idField(of: ref.entity)
            return "\(field): unknown \(ref.entity.rawValue) id \(ref.id) (not seen within \(configuration.referenceGrace))"
        }.joined(separator: "; ")
        let field = fields[missing[0].entity]?.first?.reference.field
        reject(a.message, reason: text, field: field, rule: "reference")
    }

    /// Which of `refs` silver's tables hold: ids forgotten with the window; and whether that is
    /// complete, every row of those tables accepted so far being in. `waitingForInserts`: rows
    /// still on their way in are inserted first (an id accepted moments ago is found too), which
    /// stops this thread for the inserts under way; otherwise silver is asked as it is.
    private func lookUp(
        _ refs: Set<ReferenceGate<Accepted>.Reference>, waitingForInserts: Bool
    ) throws -> (found: [ReferenceGate<Accepted>.Reference], complete: Bool) {
        let entities = Set(refs.map(\.entity))
        while waitingForInserts, hasRowsOnTheirWay(entities) {
            try flush(force: true)
            if let done = inserts?.take(timeout: .milliseconds(200)) { try apply(done) }
        }
        let complete = !hasRowsOnTheirWay(entities)
        var found: [ReferenceGate<Accepted>.Reference] = []
        for entity in entities {
            // Only ids that need no quoting (every id the topics allow); any other is not looked up.
            let ids = refs.filter { $0.entity == entity && $0.id.utf8.allSatisfy(Self.isPlainIdByte) }.map(\.id).sorted()
            try silverHolds(entity, ids) { found.append(.init(entity: entity, id: $0)) }
            statistics.lookedUp += ids.count
        }
        return (found, complete)
    }

    /// Whether rows of any of `entities` are accepted and not yet in their table (batched or inserting).
    private func hasRowsOnTheirWay(_ entities: Set<Entity>) -> Bool {
        entities.contains { inserting.contains($0) || !batches[$0.index].rows.isEmpty }
    }

    /// Hands over which of `ids` silver's table of `entity` holds, asking 500 at a time.
    private func silverHolds(_ entity: Entity, _ ids: [String], _ body: (String) -> Void) throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            try warehouse.forEachRow(EntityReference.lookUpSQL(entity, ids: ids[start..<min(start + 500, ids.count)])) { row in
                if let id = row[0] { body(id) }
            }
        }
    }

    private static func isPlainIdByte(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) || b == 45 || b == 95 || b == 46 || b == 58
    }

    /// Whether this member holds every partition of `entity`'s topic (else other members of the
    /// group read the rest).
    private func holdsWholeTopic(_ entity: Entity) -> Bool {
        source.holdsWholeTopic(entity.topic, partitions: partitionCounts[entity] ?? 0)
    }

    /// Learns, from silver, the awaited ids of dimensions whose topic other members shared since this
    /// one loaded silver: they insert what they read (and commit it, so this member never reads it).
    /// Once a second while facts wait; a failed lookup is tried again then.
    private func lookUpReferencesReadElsewhere() {
        guard gate.waitingCount > 0, ContinuousClock.now - lastLookup >= .seconds(1) else { return }
        lastLookup = .now
        var wanted: [Entity: [String]] = [:]
        for ref in gate.awaited where sharedTopics.contains(ref.entity) { wanted[ref.entity, default: []].append(ref.id) }
        for (entity, ids) in wanted {
            do {
                try silverHolds(entity, ids) { gate.learn(entity, $0) }
            } catch {
                logger.warning(
                    "looking up ids other sinks inserted failed; trying again in a second",
                    metadata: ["table": "\(SilverSchema.dataset).\(entity.rawValue)", "error": "\(error)"])
                return
            }
        }
    }

    /// Whether nothing more is coming: the run said it published everything (`idleExitAfter`) and
    /// this member has read every partition to its end. Then waiting fills no batch and lands no
    /// sale sooner: partial batches go in at once (not `maxDelay` later), and facts waiting for a
    /// sale older than the window are looked up as soon as rows landed (`lookUpSalesLanded`), not a
    /// second later. Before, the last second of a year's `run` was spent so.
    private func inputHasEnded() -> Bool {
        configuration.idleExitAfter?.isRaised == true && source.isCaughtUp()
    }

    /// Looks the awaited sales (and any other fact a fact waits for) up in silver once rows landed
    /// since the last look and none of those tables has rows on their way in: what is found wakes
    /// its waiting facts. Called when the input has ended.
    private func lookUpSalesLanded() throws {
        guard landedSinceLookup, gate.waitingCount > 0 else { return }
        let awaited = Set(gate.awaited.filter { !$0.entity.isDimension })
        let entities = Set(awaited.map(\.entity))
        guard !awaited.isEmpty, !hasRowsOnTheirWay(entities) else { return }
        landedSinceLookup = false
        for ref in try lookUp(awaited, waitingForInserts: false).found {
            gate.learn(ref.entity, ref.id, day: accepted.latestDay(ref.entity))
        }
    }

    /// What a waiting fact is to the gate when other facts may reference it (a sale), else nil.
    private func gateKey(_ a: Accepted) -> ReferenceGate<Accepted>.Reference? {
        EntityReference.referencedEntities.contains(a.entity) ? .init(entity: a.entity, id: a.event.id) : nil
    }

    /// The event time up to which every partition of `entity`'s topic that this member reads has
    /// been read, `.max` when read to its end: a quiet partition (nothing newer published) has
    /// nothing more to give, so a fact waiting on it gets the grace the user set, not ten.
    private func readThrough(_ entity: Entity) -> Int64 {
        // How far other members read is not known here.
        guard holdsWholeTopic(entity) else { return .min }
        return source.readThrough(entity.topic, latest: eventTime.latest())
    }

    // MARK: Inserts and dead letters

    private func flush(force: Bool) throws {
        let now = ContinuousClock.now
        var due: [(Entity, Batch)] = []
        for entity in Entity.allCases {
            let batch = batches[entity.index]
            guard !batch.rows.isEmpty else { continue }
            guard !inserting.contains(entity) else { continue }
            if force || batch.rows.count >= maxRows || batch.bytes >= configuration.maxBytes
                || now - batch.openedAt >= configuration.maxDelay
            {
                batches[entity.index] = Batch()
                guard batch.rows.count > maxRows else {
                    due.append((entity, batch))
                    continue
                }
                // It grew past maxRows while the table's last insert was under way (one at a
                // time a table): the rest waits for the next.
                var rest = batch
                due.append((entity, rest.takeFirst(maxRows)))
                batches[entity.index] = rest
            }
        }
        for (entity, batch) in due { submit(batch, entity: entity) }
        if !rejected.isEmpty && (force || rejected.count >= 100 || now - lastCommit >= .milliseconds(500)) {
            try deadLetter()
        }
    }

    /// What became of one batch: rows in the table, and rows the warehouse refused for good.
    private struct InsertResult: Sendable {
        var inserted: [Int] = []
        var refused: [RowFailure] = []
        var retries = 0
        var error: String?
        /// The error is one retrying cannot fix.
        var permanent = false
        /// Gave up retrying because the sink was asked to stop.
        var stopped = false
    }

    private struct InsertJob: Sendable {
        var entity: Entity
        var batch: Batch
    }

    private struct FinishedInsert: Sendable {
        var job: InsertJob
        var result: InsertResult
    }

    private func startWorkers() {
        guard inserts == nil else { return }
        // At a lower priority than the others: on two cores the insert thread that holds the
        // warehouse's one connection (which every row waits for) otherwise shares its core with
        // them and holds the connection while it waits for the core.
        validators = WorkerPool(count: 2, name: "silver-validate") { part in
            #if os(Linux)
                // Linux: 0 is the calling thread, not the whole process. Lowering needs no privilege.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            Validation.run(part)
        }
        let keepTrying = configuration.keepsTryingInserts ? configuration.insertRetryPause : nil
        inserts = WorkerPool(count: 4, name: "silver-insert") { [warehouse, logger, stopSeen, monitor] job in
            let started = ContinuousClock.now
            let result = SilverSink.insert(
                job.batch.rows, into: TableName(SilverSchema.dataset, job.entity.rawValue),
                warehouse: warehouse, keepTrying: keepTrying, stop: stopSeen, logger: logger)
            monitor.writeDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            monitor.batchSize.record(job.batch.rows.count)
            // Freed here rather than on the reading thread, the busier one (rows are not needed
            // past the insert: `sources` tells which message each row was).
            var done = job
            done.batch.rows = []
            return FinishedInsert(job: done, result: result)
        }
    }

    /// Hands a table's batch to the insert threads (one insert per table at a time).
    private func submit(_ batch: Batch, entity: Entity) {
        inserting.insert(entity)
        inserts?.put(InsertJob(entity: entity, batch: batch))
    }

    /// Applies finished inserts: commits become possible, refused rows are dead-lettered.
    private func applyFinishedInserts(wait: Duration?) throws {
        var first = true
        while !inserting.isEmpty {
            let done: FinishedInsert?
            if first, let wait { done = inserts?.take(timeout: wait) } else { done = inserts?.take(timeout: .zero) }
            first = false
            guard let done else { return }
            try apply(done)
        }
    }

    /// Submits every batch and waits until all are in (or refused), or until `abandon` says to stop
    /// waiting (what is not in stays uncommitted).
    private func drainInserts(abandon: () -> Bool = { false }) throws {
        while true {
            try flush(force: true)
            if inserting.isEmpty && batches.allSatisfy({ $0.rows.isEmpty }) && rejected.isEmpty { return }
            if abandon() {
                logger.warning(
                    "stopping at once: inserts in flight are not committed (the next run inserts them again)",
                    metadata: ["inserts": "\(inserting.count)"])
                return
            }
            if let done = inserts?.take(timeout: .milliseconds(200)) { try apply(done) }
            source.tick()
        }
    }

    private func apply(_ done: FinishedInsert) throws {
        let entity = done.job.entity, batch = done.job.batch, result = done.result
        inserting.remove(entity)
        buffered -= batch.sources.count
        statistics.retries += result.retries
        if result.retries > 0 { monitor.retried(entity.topic, result.retries * batch.sources.count) }
        if result.stopped {
            // Asked to stop while the warehouse kept failing: these rows stay uncommitted.
            source.giveBack(batch.sources)
            return
        }
        if let error = result.error {
            if result.permanent {
                throw SinkError(.storage, "inserting into silver.\(entity.rawValue) failed in a way retrying cannot fix: \(error)")
            }
            throw SinkError(
                .storage,
                "inserting into silver.\(entity.rawValue) failed and the warehouse gave up retrying, so the sink stopped with nothing committed past those rows; start it again once the warehouse answers: \(error)"
            )
        }
        let now = SentAt.nowMilliseconds()
        if !result.inserted.isEmpty { landedSinceLookup = true }
        for index in result.inserted {
            let m = batch.sources[index]
            settle(m)
            statistics.rows[entity, default: 0] += 1
            if let sent = m.headers.first(where: { $0.name == SentAt.header }).flatMap({ Int64(String(decoding: $0.value, as: UTF8.self)) })
            {
                eventToRow.recordMilliseconds(now - sent)
                if statistics.latencies.count < 100_000 { statistics.latencies.append(now - sent) }
            }
        }
        monitor.landed(entity.topic, result.inserted.count)
        for f in result.refused {
            reject(
                batch.sources[f.index], reason: "\(f.location.map { "\($0): " } ?? "")the warehouse refused the row: \(f.message)",
                field: f.location, rule: "warehouse")
        }
        if !result.inserted.isEmpty { lastRowAt = Moment.now }
    }

    /// Runs on a worker thread: one table's rows, until each is in or refused, or the warehouse gave
    /// up. Retrying a transient failure is the warehouse's business (see
    /// `SilverConfiguration.keepsTryingInserts`); once it gives up — throws a transient error, or
    /// returns rows still marked retryable — this only decides: give up too (`keepTrying` nil: the
    /// sink stops), or send what is not in again after the pause `keepTrying`, until asked to stop.
    private static func insert(
        _ all: [WarehouseRow], into table: TableName, warehouse: any Warehouse, keepTrying pause: Duration?,
        stop: StopSignal, logger: Logger
    ) -> InsertResult {
        var result = InsertResult()
        var pending = Array(all.indices)
        while true {
            let cause: String
            do {
                let failures = try warehouse.insert(into: table, rows: pending.map { all[$0] })
                let failed = Dictionary(failures.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
                var retry: [Int] = []
                for (position, index) in pending.enumerated() {
                    guard let f = failed[position] else { result.inserted.append(index); continue }
                    if f.retryable { retry.append(index) } else { var g = f; g.index = index; result.refused.append(g) }
                }
                guard !retry.isEmpty else { return result }
                cause = failures.first { $0.retryable }.map(\.message) ?? "rows not inserted"
                pending = retry
            } catch {
                // The warehouse gave up waiting because the sink is abandoning (the caller's signal,
                // which `run(until:)` hands the warehouse, may say so before `stop` does): not a
                // failure of the warehouse.
                if (error as? WarehouseError)?.code == .stopped || stop.request == .abandon {
                    result.stopped = true
                    return result
                }
                // A missing table, refused credentials, a statement the warehouse rejects: no
                // number of tries fixes them, so the sink stops and says so at once.
                if !error.isTransient { result.error = "\(error)"; result.permanent = true; return result }
                cause = "\(error)"
            }
            guard let pause else { result.error = cause; return result }
            result.retries += 1
            logger.warning(
                "the warehouse gave up on an insert for now; sending it again",
                metadata: ["table": "\(table)", "rows": "\(pending.count)", "retry_in": "\(pause)", "error": "\(cause)"])
            // In slices, so a request to stop is seen within a fifth of a second.
            let until = ContinuousClock.now + pause
            while ContinuousClock.now < until {
                if stop.request >= .now { result.stopped = true; return result }
                Thread.sleep(forTimeInterval: min(0.2, max(0, (until - ContinuousClock.now).seconds)))
            }
        }
    }

    /// Publishes the rejects to the dead-letter topic, waits until Kafka has them,
    /// records them in silver.rejects, and only then counts them done.
    private func deadLetter() throws {
        let batch = rejected
        rejected = []
        let now = Date()
        try source.publishDeadLetters(
            batch.map { r in
                let letter = DeadLetter(
                    source: r.message.source, reason: r.reason, field: r.field, payload: r.payload, headers: r.message.headers,
                    rejectedAt: SilverRow.timestamp(now))
                return (letter, r.rule)
            })
        let rows = batch.map {
            SilverRow.reject(source: $0.message.source, payload: $0.payload, reason: $0.reason, field: $0.field, rejectedAt: now)
        }
        let failures = try warehouse.insert(into: SilverSchema.rejects.name, rows: rows)
        for f in failures {
            // The dead-letter topic has it; the table row is a convenience for queries.
            logger.warning("silver.rejects refused a row; it is still in \(Entity.deadLetterTopic)", metadata: ["error": "\(f.message)"])
        }
        for r in batch {
            settle(r.message)
            statistics.rejects[r.rule, default: 0] += 1
            monitor.rejected(r.message.topic, rule: r.rule)
        }
    }

    /// Marks `m` committable: it landed in silver (or silver.rejects and the dead-letter topic).
    private func settle(_ m: SilverDelivery) {
        source.settle(m)
        settledSinceDurable = true
    }

    /// Commits the offsets (or acknowledges the messages) of what settled, at most every 500 ms,
    /// once the warehouse made its rows durable: a power cut then loses only rows whose messages
    /// are read again.
    private func commit(force: Bool) throws {
        guard force || ContinuousClock.now - lastCommit >= .milliseconds(500) else { return }
        lastCommit = .now
        if settledSinceDurable {
            do {
                try warehouse.makeDurable()
            } catch {
                throw SinkError(
                    .storage,
                    "could not make the rows inserted into \(warehouse.url) durable, so their offsets are not committed (the next run reads them again and finds those already in silver): \(error)"
                )
            }
            settledSinceDurable = false
        }
        try source.commit()
    }

    /// Takes the rows and rejects of `revoked` partitions out of the batches not yet submitted;
    /// how many of each.
    private func dropBuffered(of revoked: Set<TopicPartition>) -> (rows: Int, rejects: Int) {
        var rows = 0
        for (index, batch) in batches.enumerated() {
            let keep = batch.sources.indices.filter { !revoked.contains(batch.sources[$0].lane) }
            guard keep.count < batch.sources.count else { continue }
            rows += batch.sources.count - keep.count
            var kept = batch
            kept.rows = keep.map { batch.rows[$0] }
            kept.sources = keep.map { batch.sources[$0] }
            kept.bytes = kept.sources.reduce(0) { $0 + $1.value.count + 256 }
            batches[index] = kept
        }
        buffered -= rows
        let before = rejected.count
        rejected.removeAll { revoked.contains($0.message.lane) }
        return (rows, before - rejected.count)
    }

    // MARK: Rebalance

    private func rebalanced(_ change: SilverSourceChange) {
        // Read before this change: handled first, as if each had been handled when read.
        handlePolled()
        switch change {
        case .assigned(let tps):
            for entity in Entity.allCases where !holdsWholeTopic(entity) { sharedTopics.insert(entity) }
            lastActivity = .now
            logger.info("assigned partitions", metadata: ["partitions": "\(tps.count)"])
            // Here, inside the poll that assigns them, no message of these partitions has been
            // handed out yet: what silver holds is known before the first one is handled.
            do {
                let found = try readBack(tps)
                if found > 0 {
                    logger.notice(
                        "already in silver: \(found) rows past the committed offsets; not inserted again",
                        metadata: ["partitions": "\(tps.filter { held[$0] != nil }.count)"])
                }
            } catch {
                readBackFailure = SinkError(
                    .storage,
                    "could not ask \(warehouse.url) which messages past the committed offsets it already holds, so they might be inserted twice; nothing read of the assigned partitions was inserted; \(error.isTransient ? "start the sink again once the warehouse answers" : "fix this, then start the sink again (a missing table: shopstream warehouse init)"): \(error)"
                )
            }
        case .revoked(let tps, let lost):
            let revoked = Set(tps)
            if lost {
                // Lost, not handed over (this member was paused past its session): the new owner reads
                // them from the committed offset and a commit from here would be refused, so what is
                // buffered for them would only be inserted twice. Inserts in flight still land.
                let (rows, letters) = dropBuffered(of: revoked)
                logger.warning(
                    "partitions lost to another member; left what was read of them to it",
                    metadata: [
                        "partitions": "\(tps.count)", "rows": "\(rows)", "rejects": "\(letters)",
                    ])
            } else {
                // Insert and dead-letter what was read, commit, then forget these partitions.
                do {
                    try drainInserts(abandon: { stopSeen.request == .abandon })
                    try commit(force: true)
                } catch {
                    logger.error("while giving up partitions", metadata: ["error": "\(error)"])
                }
            }
            // Facts still waiting are not committed: the next owner reads them again. Kept here, they
            // would be inserted or dead-lettered later, twice or wrongly.
            for tp in tps { held[tp] = nil }
            for tp in tps { if let entity = Entity(topic: tp.topic) { accepted.forgetPartitions(entity, [tp.partition]) } }
            let dropped = gate.drop { revoked.contains($0.message.lane) }
            if dropped > 0 { logger.info("left waiting facts to the partitions' next owner", metadata: ["facts": "\(dropped)"]) }
        }
    }
}

import Foundation
import Logging
import Metrics
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake

/// Archives the entity topics into the lake, 100 events an object, exactly once.
///
/// How exactly-once holds across crashes:
/// - an object's name is derived from its first record's Kafka coordinates, and
///   objects are created with a create-only precondition;
/// - each partition has at most one upload in flight, and its offset is committed
///   only after its object is stored, so the stored objects of a partition always
///   form one unbroken chain that starts at the committed offset;
/// - after a restart a batch starts at the committed offset, the name of the next
///   stored object in the chain. If that object exists with other contents (a
///   timer or a full buffer cut it shorter or longer before the crash), the sink adopts it: it
///   commits past its last offset and drops the records it already holds. No event
///   is stored twice, none is skipped.
///
/// Why a zombie (a member paused past its session while the group gave its partitions to another,
/// then resumed with its batches, uploads and offsets from before) cannot break this: every member
/// of a partition, old or new, starts at the committed offset, a boundary of the chain, and only
/// ever names its next object after the end of an object it stored or adopted, so all of them walk
/// the one chain; create-only decides each name once, and whoever loses adopts the winner's object.
/// The zombie's commits carry its old generation and the broker refuses them; librdkafka then hands
/// it the loss as a revoke, which drops what it buffered and forgets its unsent offsets before it
/// can rejoin, so no stale offset is committed under a new generation. The folder lake is
/// create-only by `link(2)` under a folder lock (a zombie paused inside that lock stalls the other
/// writers of the folder until it resumes: slower, never wrong). FencingTests shows it.
///
/// Threads: the caller's thread polls Kafka, batches and commits; `uploads`
/// worker threads store objects. Memory stays bounded: past `maxBufferedEvents`
/// events or `maxBufferedBytes` bytes the sink stops reading until uploads catch up,
/// sealing open batches early if too little is on its way to the lake to make room.
/// (An upload also holds its encoded object while in flight, and librdkafka its own
/// prefetch queue: `queued.max.messages.kbytes`, 64 MiB by default.)
public final class BronzeSink: StoppableSink {
    /// What the sink did, for its summary.
    public typealias Statistics = BronzeStatistics

    public let configuration: BronzeConfiguration
    public let lake: any Lake
    public private(set) var statistics = Statistics()
    /// Metrics, lag and stalls, for the status line and `/readyz`.
    public let monitor = SinkMonitor(sink: "bronze")
    /// What the caller asked, where the rebalance handler can see it.
    private let stopSeen = StopSignal()
    private var runs = RunOnce()
    /// Progress and notes (retries, adopted objects), one line each.
    public var logger = Logger(label: "shopstream.bronze", factory: { _ in SwiftLogNoOpLogHandler() })

    private let consumer: Consumer
    private var partitions: [TopicPartition: PartitionState] = [:]
    private var workers: WorkerPool<UploadJob, UploadResult>?
    private var inFlight = 0
    /// Records read and not yet stored (open, sealed or uploading).
    private lazy var buffer = BronzeBuffer(maxEvents: configuration.maxBufferedEvents, maxBytes: configuration.maxBufferedBytes)
    private var toCommit: [TopicPartition: Int64] = [:]
    /// After a failed commit: not again before this (the offsets wait in `toCommit`).
    private var commitAgainAt = ContinuousClock.now
    private var firstRecordAt: ContinuousClock.Instant?
    private var lastActivity = ContinuousClock.now
    private lazy var idleExit = configuration.idleExit.map { IdleExit($0, after: configuration.idleExitAfter) }
    private var lastStoredAt: ContinuousClock.Instant?
    private var fatal: Error?
    private var dates = BronzeFormat.UTCDateCache()
    private var lastEndCheckForSealing = ContinuousClock.now - .seconds(1)
    /// Whether the last poll of Kafka returned nothing.
    private var readNothing = false

    public init(configuration: BronzeConfiguration, lake: any Lake) throws {
        try configuration.validate()
        // Fail at once on a missing bucket, bad credentials or no permission, before
        // joining the consumer group.
        _ = try lake.head("bronze/_probe")
        self.configuration = configuration
        self.lake = lake
        var consumerConfig = ConsumerConfiguration(connection: configuration.connection, groupId: configuration.groupId)
        consumerConfig.clientId = "shopstream-bronze"
        consumerConfig.membership = configuration.membership
        consumer = try Consumer(configuration: consumerConfig, topics: configuration.topics)
        consumer.onRebalance = { [unowned self] change in self.rebalanced(change) }
    }

    deinit {
        // Leave the group before the rebalance handler's owner is gone.
        consumer.onRebalance = nil
        consumer.close()
        workers?.close()
    }

    /// Runs until `request` asks, or until idle for `idleExit`: `.now` stores and commits what was
    /// read, `.drain` first reads on until caught up with the partitions' ends, `.abandon` returns
    /// without waiting for uploads in flight to land (they are not committed; the next owner
    /// stores them again or adopts them). Throws on failures retrying cannot fix, committing
    /// nothing for the work that failed.
    ///
    /// `.abandon` also ends the lake's waits (a Cloud Storage backoff, up to 32 s): on the upload
    /// threads as soon as this thread sees it. Before returning, the sink waits (up to 30 s) only
    /// for its upload threads to end: a request on the wire is answered or times out, a backoff
    /// ends at once and nothing is sent again. `run(until:)` hands the lake the caller's own signal.
    public func run(asking request: () -> StopSignal.Request) throws {
        try run(asking: request, waitsEndOn: stopSeen)
    }

    /// Runs until `stop` asks; see `run(asking:)`.
    public func run(until stop: StopSignal) throws {
        try run(asking: { stop.request }, waitsEndOn: stop)
    }

    private func run(asking request: () -> StopSignal.Request, waitsEndOn stop: StopSignal) throws {
        try runs.start("BronzeSink")
        lake.interruptWaits(on: stop)
        // However the run ends, start no more uploads and let those under way end: the process
        // may exit next, and exiting while an upload thread is inside libcurl or OpenSSL crashes
        // it (OpenSSL's exit handler frees what the thread still uses). Bounded, as an upload can
        // take minutes to give up; after an abandon an upload backing off ends at once.
        defer {
            workers?.close(discardingPending: true)
            workers?.waitForThreads(timeout: .seconds(30))
        }
        do {
            try consume(request)
        } catch {
            // Leave the group now, so the next run need not wait for this member's
            // session to time out; nothing more is committed.
            consumer.onRebalance = nil
            consumer.close()
            throw error
        }
    }

    private func consume(_ request: () -> StopSignal.Request) throws {
        try consumer.checkTopics()
        startWorkers()
        defer { workers?.close() }
        lastActivity = .now
        var lastRetryCheck = ContinuousClock.now
        var lastEndCheck = ContinuousClock.now
        while true {
            let asked = request()
            stopSeen.request(asked)
            if asked >= .now { break }
            if asked == .drain, ContinuousClock.now - lastEndCheck >= .milliseconds(200) {
                lastEndCheck = .now
                if consumer.hasReadToEnd() || ContinuousClock.now - lastActivity >= .seconds(5) {
                    logger.info("stopping: read to the end of every partition; storing what is left")
                    break
                }
            }
            monitor.tick(consumer: consumer)
            if let fatal { throw fatal }
            if bufferIsFull {
                sealToMakeRoom()
                // Waiting for the lake, not for Kafka: not idle.
                lastActivity = .now
            }
            // Uploads are handed out as workers free up (see `scheduleUploads`): while any is in
            // flight, wait for the lake rather than for Kafka when Kafka had nothing last time.
            try handleResults(wait: bufferIsFull ? .milliseconds(50) : (readNothing && inFlight > 0 ? .milliseconds(10) : nil))
            readNothing = true
            if !bufferIsFull, let m = try consumer.poll(timeout: inFlight > 0 ? .zero : .milliseconds(50)) {
                readNothing = false
                lastActivity = .now
                add(m)
                // Drain quickly without waiting while messages are flowing; not for long, as a
                // freed upload worker waits for this thread to hand it the next batch.
                var n = 0
                while n < 1000, !bufferIsFull, let more = try consumer.poll(timeout: .zero) {
                    add(more)
                    n += 1
                }
                try handleResults(wait: nil)
            }
            sealAged()
            sealOnceReadToTheEnd()
            try commit()
            if ContinuousClock.now - lastRetryCheck > .seconds(5) {
                collectRetries(report: true)
                lastRetryCheck = .now
            }
            // Idle counts from the last message or the last assignment (joining a group takes
            // seconds), and ends the run only once the whole group has read to the end.
            if idleExit?.isDue(lastActivity: lastActivity, consumer: consumer, logger: logger) == true {
                logger.info("idle: storing what is left", metadata: ["idle": "\(idleExit!.idle)"])
                break
            }
        }
        stopSeen.request(request())
        if request() == .abandon {
            logger.warning(
                "stopping at once: uploads in flight are not committed (the next run stores or adopts them)",
                metadata: ["uploads": "\(inFlight)"])
            consumer.close()
            return
        }
        try drain(abandon: {
            // Seen here, an abandon must also reach the upload threads, to end their waits.
            stopSeen.request(request())
            return stopSeen.request == .abandon
        })
        collectRetries(report: false)
        if let firstRecordAt, let lastStoredAt { statistics.elapsed = lastStoredAt - firstRecordAt }
        consumer.close()
        if let fatal { throw fatal }
    }

    // MARK: Batching

    /// A class, not a struct: read out of `partitions` a struct is copied whole, retaining its
    /// batches, and this is read for every record (with a struct, its copies, retains and releases
    /// were about a third of the polling thread's samples in a year's `run`).
    private final class PartitionState {
        var open: BronzeBatch?
        var openedAt = ContinuousClock.now
        var sealed: [BronzeBatch] = []
        var uploading = false
        /// Records at or below this offset are already stored (in an adopted object).
        var storedThrough: Int64 = -1
        /// False until the partition stored a new object since it was assigned: until
        /// then a stored object may exist under the other suffix (.jsonl vs .jsonl.gz).
        var chainChecked = false
        /// After a failed upload: when to try again.
        var retryAt: ContinuousClock.Instant?

        /// Appends to the open batch of UTC date `dt` (sealing the open one of another date first),
        /// and seals it once it holds `batchSize` records.
        func add(_ record: BronzeRecord, dt: String, of tp: TopicPartition, batchSize: Int) {
            if let current = open, current.dt != dt {
                sealed.append(current)
                open = nil
            }
            if open == nil {
                open = BronzeBatch(topic: tp.topic, partition: tp.partition, dt: dt, records: [])
                open!.records.reserveCapacity(min(batchSize, 1024))
                openedAt = .now
            }
            open!.records.append(record)
            if open!.records.count >= batchSize {
                sealed.append(open!)
                open = nil
            }
        }
    }

    private func add(_ m: ConsumedMessage) {
        if firstRecordAt == nil { firstRecordAt = .now }
        monitor.read(m.topic)
        add(BronzeRecord(offset: m.offset, timestampMs: m.timestampMs, value: m.value), to: m.topicPartition)
    }

    private func add(_ record: BronzeRecord, to tp: TopicPartition) {
        guard let state = partitions[tp] else { return }  // revoked while the record was on its way
        if record.offset <= state.storedThrough {
            statistics.skipped += 1
            return
        }
        let dt = record.timestampMs.map { dates.date(milliseconds: $0) } ?? "unknown"
        state.add(record, dt: dt, of: tp, batchSize: configuration.batchSize)
        hold(record)
        // Only a batch this record sealed is new to schedule (others were offered when sealed, and
        // are again as uploads finish): not a scan of every partition per record.
        if !state.sealed.isEmpty { scheduleUploads() }
    }

    // MARK: The buffer bound

    private var bufferIsFull: Bool { buffer.isFull }

    private func hold(_ record: BronzeRecord) {
        buffer.hold(bytes: record.value.count)
        statistics.peakBufferedEvents = buffer.peakEvents
        statistics.peakBufferedBytes = buffer.peakBytes
    }

    private func release(_ records: some Sequence<BronzeRecord>) {
        for record in records { buffer.release(bytes: record.value.count) }
    }

    /// A batch cut early to make room is like one the timer cut: its object is named by its first
    /// offset, and a restart adopts whatever cut was stored.
    private func sealToMakeRoom() {
        let open = partitions.compactMap { tp, state in state.open.map { (key: tp, events: $0.records.count, bytes: $0.valueBytes) } }
        for tp in buffer.batchesToSeal(open) {
            seal(tp)
            statistics.sealedToMakeRoom += 1
        }
    }

    private func sealAged() {
        let now = ContinuousClock.now
        for (tp, state) in partitions {
            if state.open != nil && now - state.openedAt >= configuration.maxBatchAge {
                seal(tp)
            } else if let due = state.retryAt, due <= now {
                scheduleUploads()
            }
        }
    }

    /// With an idle exit whose clock runs, the run ends once idle: when nothing has come for a
    /// moment and every held partition is read to its end, the open batches are stored now rather
    /// than after the idle wait. Their objects are the ones the exit would store (cut early, as the
    /// timer cuts them: the chain and exactly-once are unchanged); waiting held the last events of a
    /// backlog out of the lake for the whole idle time (2 s of a 3.9 s `benchmarks/bronze.sh` run). A
    /// sink without an idle exit keeps its batches open for the batch size or age; one with an idle
    /// exit on a slow live stream (caught up most of the time) stores smaller objects than it did.
    private func sealOnceReadToTheEnd() {
        guard let idleExit, idleExit.after?.isRaised ?? true else { return }
        let now = ContinuousClock.now
        guard now - lastActivity >= .milliseconds(100), now - lastEndCheckForSealing >= .milliseconds(100),
            partitions.values.contains(where: { $0.open != nil })
        else { return }
        lastEndCheckForSealing = now
        guard consumer.hasReadToEnd(timeout: .milliseconds(500)) else { return }
        for tp in Array(partitions.keys) { seal(tp) }
    }

    private func seal(_ tp: TopicPartition) {
        guard let state = partitions[tp], let open = state.open else { return }
        state.sealed.append(open)
        state.open = nil
        scheduleUploads()
    }

    /// Starts uploads while fewer than `uploads` are in flight: of the partitions with a sealed
    /// batch and no upload in flight, the one with the most sealed batches first. Why not hand
    /// every ready batch to the workers at once: a partition stores one object at a time, so behind
    /// a queue of ~20 jobs each object of a long chain waited for the whole queue, and a backlog's
    /// busiest partitions went on alone after the rest (1,804 objects in 3.5 s, the last 19,000
    /// events in 1.9 of them). Longest chain first keeps that critical path short.
    private func scheduleUploads() {
        guard inFlight < configuration.uploads else { return }
        let now = ContinuousClock.now
        while inFlight < configuration.uploads {
            var waiting = 0
            var next: PartitionState?
            // The values only: the keys (a String each) are not needed, and this runs for every
            // record while a batch waits for an upload slot.
            for state in partitions.values where !state.uploading && state.sealed.count > waiting {
                if let due = state.retryAt, due > now { continue }
                next = state
                waiting = state.sealed.count
            }
            guard let next else { return }
            start(next)
        }
    }

    private func start(_ state: PartitionState) {
        state.retryAt = nil
        let batch = state.sealed.removeFirst()
        state.uploading = true
        inFlight += 1
        workers?.put(UploadJob(batch: batch, checkOtherSuffix: !state.chainChecked))
    }

    // MARK: Uploads

    private struct UploadJob: Sendable {
        var batch: BronzeBatch
        var checkOtherSuffix: Bool
    }

    private enum Outcome: Sendable {
        /// Stored now.
        case stored(bytes: Int, unparsed: Int)
        /// An object starting at this batch's first offset was already there, holding
        /// records through `lastOffset`.
        case alreadyStored(lastOffset: Int64, name: String)
        /// Worth trying again later (the HTTP layer's retries ran out on a transient error).
        case retry(Error)
        /// Given up while backing off, as the stop asked (`.abandon`): not stored, not committed.
        case stopped
        case failed(Error)
    }

    private struct UploadResult: Sendable {
        var job: UploadJob
        var outcome: Outcome
    }

    private func startWorkers() {
        guard workers == nil else { return }
        workers = WorkerPool(count: configuration.uploads, name: "bronze-upload") {
            [lake, gzip = configuration.gzip, monitor] job in
            let started = ContinuousClock.now
            let outcome = BronzeSink.store(job, lake: lake, gzip: gzip)
            if case .stored = outcome { monitor.recordWrite(since: started, events: job.batch.records.count) }
            return UploadResult(job: job, outcome: outcome)
        }
    }

    /// Runs on an upload thread.
    private static func store(_ job: UploadJob, lake: any Lake, gzip: Bool) -> Outcome {
        let batch = job.batch
        let name = BronzeFormat.objectName(
            topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset, dt: batch.dt, gzip: gzip)
        do {
            if job.checkOtherSuffix {
                let other = BronzeFormat.objectName(
                    topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset, dt: batch.dt, gzip: !gzip)
                if let existing = try lake.head(other) {
                    return try adopted(existing)
                }
            }
            let (bytes, unparsed) = try BronzeFormat.encode(batch, gzip: gzip)
            let contentType = gzip ? "application/gzip" : "application/x-ndjson"
            let checksums = ObjectChecksums(of: bytes)
            do {
                _ = try lake.create(
                    name, bytes: bytes, contentType: contentType,
                    metadata: BronzeFormat.metadata(batch, checksums: checksums, gzip: gzip), checksums: checksums)
                return .stored(bytes: bytes.count, unparsed: unparsed)
            } catch let error as LakeError where error.code == .alreadyExists {
                guard let existing = try lake.head(name) else { return .retry(error) }
                return try adopted(existing)
            }
        } catch let error as LakeError where error.code == .stopped {
            return .stopped
        } catch {
            // The error says whether later may work (a 503, a dropped connection, a full disk);
            // what needs a person (permissions, a missing bucket) stops the sink.
            return error.isTransient ? .retry(error) : .failed(error)
        }
    }

    private static func adopted(_ existing: StoredObject) throws -> Outcome {
        guard let last = existing.metadata["last_offset"].flatMap(Int64.init) else {
            throw SinkError(
                .corrupt,
                "\(existing.name) exists but has no last_offset metadata, so the sink cannot tell which records it holds; move it out of the lake's bronze/ folder and restart"
            )
        }
        return .alreadyStored(lastOffset: last, name: existing.name)
    }

    /// Applies finished uploads; with `wait`, waits that long for the first one.
    private func handleResults(wait: Duration?) throws {
        var first = true
        while inFlight > 0 {
            let result: UploadResult?
            result = workers?.take(timeout: first ? (wait ?? .zero) : .zero)
            first = false
            guard let result else { return }
            inFlight -= 1
            try apply(result)
        }
    }

    private func apply(_ result: UploadResult) throws {
        let batch = result.job.batch
        let tp = TopicPartition(batch.topic, batch.partition)
        release(batch.records)
        guard let state = partitions[tp] else { return }  // revoked meanwhile: the next owner redoes it
        state.uploading = false
        switch result.outcome {
        case .stored(let bytes, let unparsed):
            statistics.countStored(topic: batch.topic, events: batch.records.count, bytes: bytes, unparsed: unparsed, monitor: monitor)
            lastStoredAt = .now
            state.chainChecked = true
            toCommit[tp] = batch.lastOffset + 1
        case .alreadyStored(let last, let name):
            statistics.adopted += 1
            logger.notice(
                "already stored by an earlier run: adopting it",
                metadata: [
                    "object": "\(name)", "topic": "\(tp.topic)", "partition": "\(tp.partition)", "last_offset": "\(last)",
                ])
            toCommit[tp] = last + 1
            state.storedThrough = max(state.storedThrough, last)
            // Re-batch what follows the adopted object, in order.
            let pending = batch.records + state.sealed.flatMap(\.records) + (state.open?.records ?? [])
            release(pending.dropFirst(batch.records.count))
            state.sealed = []
            state.open = nil
            for r in pending { add(r, to: tp) }
        case .retry(let error):
            statistics.requeued += 1
            monitor.retried(batch.topic, batch.records.count)
            logger.warning(
                "storing failed; will retry",
                metadata: [
                    "topic": "\(tp.topic)", "partition": "\(tp.partition)", "first_offset": "\(batch.firstOffset)",
                    "last_offset": "\(batch.lastOffset)", "error": "\(error)",
                ])
            state.sealed.insert(batch, at: 0)
            for record in batch.records { hold(record) }
            // Not before a second from now; the polling thread does not wait for it.
            state.retryAt = .now + .seconds(1)
        case .stopped:
            // The stop is abandoning: left for the next owner, as an upload still in flight is,
            // and no upload started after it.
            return
        case .failed(let error):
            fatal = error
            throw error
        }
        scheduleUploads()
    }

    /// Commits what is stored; `force` ignores the wait after a failed commit (stopping, revoking).
    private func commit(force: Bool = false) throws {
        guard !toCommit.isEmpty, force || ContinuousClock.now >= commitAgainAt else { return }
        let offsets = toCommit.filter { partitions[$0.key] != nil }
        toCommit = [:]
        do {
            try consumer.commit(offsets)
            monitor.committed(offsets)
        } catch let error as KafkaError {
            // A commit fails when it races a rebalance or its coordinator moved, timed out or is
            // down. Keep the offsets and try again in a second: a partition with nothing new to store
            // would otherwise stay uncommitted (lag shown, a stall reported) until the next run.
            // Should the partition go meanwhile, its next owner adopts what this one stored.
            for (tp, offset) in offsets where offset > (toCommit[tp] ?? -1) { toCommit[tp] = offset }
            commitAgainAt = .now + .seconds(1)
            logger.warning("commit failed; trying again in a second", metadata: ["error": "\(error.message)"])
        }
    }

    /// Stores every partial batch, waits for every upload, commits; gives up waiting (committing
    /// what is stored so far) once `abandon` says so.
    private func drain(abandon: () -> Bool) throws {
        for tp in Array(partitions.keys) { seal(tp) }
        while inFlight > 0 {
            if abandon() {
                logger.warning(
                    "stopping at once: uploads in flight are not committed (the next run stores or adopts them)",
                    metadata: ["uploads": "\(inFlight)"])
                break
            }
            try handleResults(wait: .milliseconds(200))
            try commit()
            monitor.tick(consumer: consumer)
        }
        try commit(force: true)
    }

    private func collectRetries(report: Bool) {
        statistics.collectRetries(from: lake, monitor: monitor, logger: report ? logger : nil)
    }

    // MARK: Rebalance

    private func rebalanced(_ change: Rebalance) {
        switch change {
        case .assigned(let tps):
            for tp in tps where partitions[tp] == nil { partitions[tp] = PartitionState() }
            monitor.assigned(tps)
            lastActivity = .now
            logger.info("assigned partitions", metadata: ["partitions": "\(tps.count)"])
        case .revoked(let tps):
            // Drop what is only buffered (the next owner reads it again), finish the
            // uploads in flight and commit them while these partitions are still ours.
            let revoked = Set(tps)
            for tp in revoked {
                guard let state = partitions[tp] else { continue }
                for batch in state.sealed { release(batch.records) }
                release(state.open?.records ?? [])
                state.sealed = []
                state.open = nil
            }
            while tps.contains(where: { partitions[$0]?.uploading == true }) {
                // Not past the stop's deadline: those uploads are left to the next owner.
                if stopSeen.request == .abandon { break }
                guard let result = workers?.take(timeout: .milliseconds(200)) else { continue }
                inFlight -= 1
                do { try apply(result) } catch { fatal = error }
            }
            try? commit(force: true)
            for tp in revoked {
                // What an upload applied above put back (records after an adopted object, a batch to
                // retry) is the next owner's now: out of the buffer bound, or it would never empty.
                if let state = partitions[tp] {
                    for batch in state.sealed { release(batch.records) }
                    release(state.open?.records ?? [])
                }
                partitions[tp] = nil
                toCommit[tp] = nil  // not ours to commit any more, should that commit have failed
            }
            monitor.revoked(tps)
        }
    }
}

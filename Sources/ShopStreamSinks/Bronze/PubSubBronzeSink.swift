import Foundation
import Logging
import ShopStreamCore
import ShopStreamLake
import ShopStreamPubSub

/// How the bronze sink reads Pub/Sub.
public struct PubSubBronzeConfiguration: Sendable {
    /// The sink's subscriptions: `shop.<entity>.bronze` for every entity by default.
    public var subscriptions = Entity.allCases.map { PubSubTopology.subscription($0, .bronze) }
    /// Batch size, age, uploads, buffer bounds, idle exit (shared with Kafka).
    public var batching = BronzeBatching()
    /// Pull requests in flight per subscription.
    public var pullsPerSubscription = 2
    /// How long a batch whose upload keeps failing is held, its lease kept and its upload tried
    /// again, before it is given back to Pub/Sub. Every give-back spends a delivery attempt (and
    /// the dead-letter policy sets a message aside after its last), so a lake outage shorter than
    /// this costs none. Zero: given back at the first failure (after the HTTP layer's retries).
    public var giveBackAfter: Duration = .seconds(600)

    public init() {}
}

/// Archives Pub/Sub subscriptions into the lake, 100 events an object: every event at least once,
/// and every duplicate recognisable.
///
/// Pub/Sub has no offsets, so Kafka's chain of names does not carry over; instead:
/// - a message is acknowledged only after the object holding it is stored, so a crash at any point
///   loses nothing: what was not acknowledged is delivered again;
/// - an object is named by its batch's least (publish time, message id) and created create-only,
///   and its metadata lists its message ids: a retried upload of the same batch finds its name
///   taken by an object that holds its messages and adopts it (acknowledges, stores nothing);
///   messages of the batch that object does not hold are batched again;
/// - a batch whose lease was lost is dropped, not uploaded (its messages are coming again), and
///   the rest of it given back; a batch whose upload failed (after the HTTP layer's retries) is
///   held, its lease kept, and tried again a second later, for up to `giveBackAfter` (10 min),
///   then given back (nack) and comes again; stopping, it is given back at once;
/// - what is redelivered in a different batch lands twice, in two objects whose `message_ids`
///   share it: `lake verify` reports every such message;
/// - each give-back spends one of the subscription's delivery attempts: after its dead-letter
///   policy's `maxDeliveryAttempts` (`topics apply --max-delivery-attempts`, 20) Pub/Sub moves the
///   message to shop.dlq, not into the lake. Held for `giveBackAfter` before each give-back, a
///   message is set aside only after a lake outage of about 20 x 10 min; the sink counts and logs
///   each give-back on a last attempt (`statistics.deadLettered`).
///
/// Threads: the caller's thread polls, batches and settles; `uploads` threads store objects; the
/// consumer pulls and keeps leases on threads of its own.
public final class PubSubBronzeSink {
    public typealias Statistics = BronzeStatistics

    public let configuration: PubSubBronzeConfiguration
    public let lake: any Lake
    public let client: PubSubClient
    public private(set) var statistics = Statistics()
    public let monitor = SinkMonitor(sink: "bronze")
    public var logger = Logger(label: "shopstream.bronze", factory: { _ in SwiftLogNoOpLogHandler() })

    private var batching: BronzeBatching { configuration.batching }
    private var open: [BatchKey: OpenBatch] = [:]
    private var sealed: [PubSubBatch] = []
    private var inFlight = 0
    private var workers: WorkerPool<PubSubBatch, Upload>?
    private lazy var buffer = BronzeBuffer(maxEvents: batching.maxBufferedEvents, maxBytes: batching.maxBufferedBytes)
    private var firstRecordAt: ContinuousClock.Instant?
    private var lastStoredAt: ContinuousClock.Instant?
    /// When a poll last brought something, and whether the latest came back empty.
    private var lastReadAt = ContinuousClock.now
    private var lastPollEmpty = false
    /// The idle wait that ended the run (`--idle-exit`), and when it did: not work, so left out of
    /// `elapsed` when what was left was stored after it.
    private var idleWaited: Duration = .zero
    private var idleEndedAt: ContinuousClock.Instant?
    private var fatal: (any Error)?
    /// Storing what is left before returning: a failed upload is given back, not held.
    private var stopping = false
    /// Batches that failed before being uploaded again.
    private var retryingInFlight = 0
    /// Each subscription's dead-letter `maxDeliveryAttempts` (none: no policy, or not readable),
    /// to say when a give-back is a message's last.
    private var lastAttempt: [String: Int] = [:]
    private var runs = RunOnce()

    public init(configuration: PubSubBronzeConfiguration, client: PubSubClient, lake: any Lake) throws {
        try configuration.batching.validate()
        // Fail at once on a missing bucket, bad credentials or no permission.
        _ = try lake.head("bronze/_probe")
        self.configuration = configuration
        self.client = client
        self.lake = lake
    }

    /// Runs until `stop` asks (`.drain` reads on until every subscription comes back empty), or
    /// until idle for `idleExit`: no message for that long and every subscription pulled empty
    /// throughout. Stores and acknowledges what was read before returning, except on `.abandon`,
    /// which gives back what is held (it comes again).
    ///
    /// `.abandon` also ends the waits of the lake and of the Pub/Sub client (a backoff of up to
    /// 32 s, a pull's pause), so the uploads and pulls under way end at once instead of holding the
    /// stop for as long.
    public func run(until stop: StopSignal) throws {
        try runs.start("PubSubBronzeSink")
        lake.interruptWaits(on: stop)
        client.interruptWaits(on: stop)
        var consumerConfiguration = PubSubConsumer.Configuration()
        consumerConfiguration.pullsPerSubscription = configuration.pullsPerSubscription
        consumerConfiguration.maxWaiting = max(1000, min(10_000, batching.maxBufferedEvents / 2))
        let consumer = try PubSubConsumer(
            client: client, subscriptions: configuration.subscriptions, configuration: consumerConfiguration)
        // Best effort: reading a subscription needs pubsub.subscriptions.get, which a subscriber
        // role may lack; without it the sink only cannot say which give-back was the last.
        for id in configuration.subscriptions {
            if let policy = (try? client.subscription(id))?.deadLetterPolicy { lastAttempt[id] = policy.maxDeliveryAttempts }
        }
        let workers = WorkerPool<PubSubBatch, Upload>(count: batching.uploads, name: "bronze-upload") {
            [lake, gzip = batching.gzip, monitor] batch in
            let started = ContinuousClock.now
            let outcome = PubSubBronzeSink.store(batch, lake: lake, gzip: gzip)
            if case .stored = outcome { monitor.recordWrite(since: started, events: batch.deliveries.count) }
            return Upload(batch: batch, outcome: outcome)
        }
        self.workers = workers
        defer {
            // Start no more uploads and let those under way end (exiting inside libcurl crashes).
            workers.close(discardingPending: true)
            workers.waitForThreads(timeout: .seconds(30))
            self.workers = nil
        }
        do {
            try consume(consumer, stop)
        } catch {
            consumer.close(givingBack: true)
            throw error
        }
        collectRetries(report: false)
        if let firstRecordAt, let lastStoredAt {
            let waited = idleEndedAt.map { lastStoredAt > $0 } == true ? idleWaited : .zero
            statistics.elapsed = lastStoredAt - firstRecordAt - waited
        }
    }

    private func consume(_ consumer: PubSubConsumer, _ stop: StopSignal) throws {
        var lastRetryCheck = ContinuousClock.now
        lastReadAt = .now
        var drainAskedAt: ContinuousClock.Instant?
        while true {
            let asked = stop.request
            if asked >= .now { break }
            if asked == .drain {
                // Asked once whoever publishes has flushed: everything published by then is pulled
                // once a pull sent after it comes back empty.
                let since = drainAskedAt ?? .now
                drainAskedAt = since
                let drained = !buffer.isFull && consumer.pulledEmpty(since: since)
                if drained || ContinuousClock.now - max(lastReadAt, since) >= .seconds(5) {
                    logger.info(
                        "stopping: \(drained ? "every subscription came back empty" : "nothing came for 5 s"); storing what was pulled and pulling no more (what is published from now on stays in the subscriptions for the next run)"
                    )
                    break
                }
            }
            monitor.tick(held: buffer.events, subscriptions: configuration.subscriptions.count)
            if let fatal { throw fatal }
            dropLostLeases(consumer)
            if buffer.isFull {
                sealToMakeRoom()
                lastReadAt = .now  // waiting for the lake, not for Pub/Sub: not idle
            }
            schedule()
            try handleResults(consumer, wait: buffer.isFull ? .milliseconds(50) : nil)
            if !buffer.isFull {
                let got = try consumer.poll(max: 1000, wait: .milliseconds(50))
                lastPollEmpty = got.isEmpty
                if !got.isEmpty { lastReadAt = .now }
                for d in got { add(d, hold: true) }
            }
            sealAged()
            schedule()
            if ContinuousClock.now - lastRetryCheck > .seconds(5) {
                collectRetries(report: true)
                lastRetryCheck = .now
            }
            if let idle = batching.idleExit, caughtUp(consumer, idle: idle) {
                logger.info("idle: storing what is left", metadata: ["idle": "\(idle)"])
                // From the last read or store, whichever came later.
                idleEndedAt = .now
                idleWaited = ContinuousClock.now - max(lastReadAt, lastStoredAt ?? lastReadAt)
                break
            }
        }
        if stop.request == .abandon {
            logger.warning(
                "stopping at once: what is held is given back (uploads in flight may land it twice)",
                metadata: ["uploads": "\(inFlight)"])
            consumer.close(givingBack: true)
            return
        }
        // Store every partial batch, wait for the uploads, settle; what fails now is given back.
        stopping = true
        for i in sealed.indices { sealed[i].retryAt = nil }
        for key in Array(open.keys) { seal(key) }
        while inFlight > 0 || !sealed.isEmpty {
            if stop.request == .abandon { break }
            dropLostLeases(consumer)
            schedule()
            try handleResults(consumer, wait: .milliseconds(200))
            monitor.tick(held: buffer.events, subscriptions: configuration.subscriptions.count)
        }
        consumer.close(givingBack: true)
        if let fatal { throw fatal }
    }

    /// Idle for `idle`: nothing read for that long, the last poll empty, every subscription pulled
    /// empty throughout (no backlog figure exists on the emulator), and no batch held to be tried
    /// again (waiting for the lake is not idle: stopping would give it back).
    private func caughtUp(_ consumer: PubSubConsumer, idle: Duration) -> Bool {
        guard lastPollEmpty, !buffer.isFull, !sealed.contains(where: { $0.failingSince != nil }), retryingInFlight == 0,
            let quiet = consumer.quietSince
        else { return false }
        return ContinuousClock.now - max(quiet, lastReadAt) >= idle
    }

    // MARK: Batching

    /// A batch is one topic's events of one date.
    private struct BatchKey: Hashable {
        var subscription: String
        var dt: String
    }

    private struct OpenBatch {
        var batch: PubSubBatch
        var openedAt = ContinuousClock.now
    }

    private func add(_ d: PubSubDelivery, hold: Bool) {
        if hold {
            if firstRecordAt == nil { firstRecordAt = .now }
            monitor.read(d.topic)
            buffer.hold(bytes: d.data.count)
            statistics.peakBufferedEvents = buffer.peakEvents
            statistics.peakBufferedBytes = buffer.peakBytes
        }
        let dt = BronzeFormat.utcDate(milliseconds: d.eventTimeMs ?? d.publishTimeMs)
        let key = BatchKey(subscription: d.subscription, dt: dt)
        var entry = open[key] ?? OpenBatch(batch: PubSubBatch(topic: d.topic, subscription: d.subscription, dt: dt))
        entry.batch.deliveries.append(d)
        entry.batch.messageIdBytes += d.messageId.utf8.count + 1
        open[key] = entry
        if entry.batch.deliveries.count >= batching.batchSize || entry.batch.messageIdBytes >= BronzeFormat.maxMessageIdBytes {
            seal(key)
        }
    }

    private func seal(_ key: BatchKey) {
        guard let entry = open.removeValue(forKey: key) else { return }
        sealed.append(entry.batch)
    }

    private func sealAged() {
        let now = ContinuousClock.now
        for (key, entry) in open where now - entry.openedAt >= batching.maxBatchAge { seal(key) }
    }

    private func sealToMakeRoom() {
        let sizes = open.map { key, entry in (key: key, events: entry.batch.deliveries.count, bytes: entry.batch.valueBytes) }
        for key in buffer.batchesToSeal(sizes) {
            seal(key)
            statistics.sealedToMakeRoom += 1
        }
    }

    private func schedule() {
        let now = ContinuousClock.now
        while inFlight < batching.uploads, let workers, let next = sealed.firstIndex(where: { ($0.retryAt ?? now) <= now }) {
            let batch = sealed.remove(at: next)
            if batch.failingSince != nil { retryingInFlight += 1 }
            workers.put(batch)
            inFlight += 1
        }
    }

    private func release(_ deliveries: [PubSubDelivery]) {
        for d in deliveries { buffer.release(bytes: d.data.count) }
    }

    /// Drops every batch not yet uploading that holds a delivery whose lease was lost, giving back
    /// the rest of it: all of it comes again, and uploading it would only add a duplicate.
    private func dropLostLeases(_ consumer: PubSubConsumer) {
        let lost = Set(consumer.takeLostLeases().map(\.ackId))
        guard !lost.isEmpty else { return }
        var dropped: [PubSubBatch] = []
        for (key, entry) in open where entry.batch.deliveries.contains(where: { lost.contains($0.ackId) }) {
            dropped.append(entry.batch)
            open[key] = nil
        }
        sealed.removeAll { batch in
            let hit = batch.deliveries.contains { lost.contains($0.ackId) }
            if hit { dropped.append(batch) }
            return hit
        }
        for batch in dropped {
            release(batch.deliveries)
            statistics.droppedForLostLease += batch.deliveries.count
            try? consumer.giveBack(batch.deliveries.filter { !lost.contains($0.ackId) })
            logger.warning(
                "a lease was lost: batch dropped unstored, its messages come again",
                metadata: ["topic": "\(batch.topic)", "events": "\(batch.deliveries.count)"])
        }
    }

    // MARK: Uploads

    private enum Outcome: Sendable {
        case stored(name: String, bytes: Int, unparsed: Int)
        /// The name was taken by an object holding these message ids (stored before).
        case alreadyStored(name: String, messageIds: Set<String>)
        /// Worth trying again (the HTTP layer's retries ran out on a transient error).
        case retry(any Error)
        /// Given up while backing off, as the stop asked (`.abandon`): not stored; the consumer
        /// gives its messages back as it closes.
        case stopped
        case failed(any Error)
    }

    private struct Upload: Sendable {
        var batch: PubSubBatch
        var outcome: Outcome
    }

    /// Runs on an upload thread.
    private static func store(_ batch: PubSubBatch, lake: any Lake, gzip: Bool) -> Outcome {
        let first = batch.first
        let name = BronzeFormat.pubSubObjectName(
            topic: batch.topic, firstPublishMs: first.publishTimeMs, firstMessageId: first.messageId, dt: batch.dt, gzip: gzip)
        let ids = batch.deliveries.map(\.messageId)
        do {
            let (bytes, unparsed) = try BronzeFormat.encode(batch.deliveries.map(\.data), topic: batch.topic, gzip: gzip) { i in
                "\"message_id\":\(JSONText.quoted(ids[i]))"
            }
            let checksums = ObjectChecksums(of: bytes)
            do {
                _ = try lake.create(
                    name, bytes: bytes, contentType: gzip ? "application/gzip" : "application/x-ndjson",
                    metadata: BronzeFormat.pubSubMetadata(
                        topic: batch.topic, subscription: batch.subscription, messageIds: ids, checksums: checksums, gzip: gzip),
                    checksums: checksums)
                return .stored(name: name, bytes: bytes.count, unparsed: unparsed)
            } catch let error as LakeError where error.code == .alreadyExists {
                guard let existing = try lake.head(name) else { return .retry(error) }
                guard let held = BronzeFormat.messageIds(existing.metadata), held.contains(first.messageId) else {
                    throw SinkError(
                        .corrupt,
                        "\(name) exists but its message_ids metadata does not list message \(first.messageId), so the sink cannot tell which messages it holds; move it out of the lake's bronze/ folder and restart"
                    )
                }
                return .alreadyStored(name: name, messageIds: Set(held))
            }
        } catch let error as LakeError where error.code == .stopped {
            return .stopped
        } catch {
            return error.isTransient ? .retry(error) : .failed(error)
        }
    }

    private func handleResults(_ consumer: PubSubConsumer, wait: Duration?) throws {
        var first = true
        while inFlight > 0, let workers {
            guard let upload = workers.take(timeout: first ? (wait ?? .zero) : .zero) else { return }
            first = false
            inFlight -= 1
            try apply(upload, consumer)
        }
    }

    private func apply(_ upload: Upload, _ consumer: PubSubConsumer) throws {
        let batch = upload.batch
        if batch.failingSince != nil { retryingInFlight -= 1 }
        switch upload.outcome {
        case .stored(_, let bytes, let unparsed):
            release(batch.deliveries)
            statistics.countStored(
                topic: batch.topic, events: batch.deliveries.count, bytes: bytes, unparsed: unparsed, monitor: monitor)
            lastStoredAt = .now
            try settle(batch.deliveries, consumer)
        case .alreadyStored(let name, let held):
            statistics.adopted += 1
            let stored = batch.deliveries.filter { held.contains($0.messageId) }
            let rest = batch.deliveries.filter { !held.contains($0.messageId) }
            statistics.skipped += stored.count
            logger.notice(
                "already stored by an earlier run: adopting it",
                metadata: ["object": "\(name)", "held": "\(stored.count)", "batched again": "\(rest.count)"])
            release(stored)
            try settle(stored, consumer)
            // Not in that object: batched again (their first message differs, so their name does).
            for d in rest { add(d, hold: false) }
        case .retry(let error):
            statistics.requeued += 1
            monitor.retried(batch.topic, batch.deliveries.count)
            let failingSince = batch.failingSince ?? .now
            if !stopping && ContinuousClock.now - failingSince < configuration.giveBackAfter {
                // Held, lease kept: tried again without spending a delivery attempt.
                var again = batch
                again.failingSince = failingSince
                again.failures += 1
                // A second from now, as the Kafka sink does: each upload already backed off
                // through the HTTP layer's retries (~30 s) before it failed.
                again.retryAt = .now + .seconds(1)
                sealed.append(again)
                logger.warning(
                    "storing failed; holding the batch and trying again",
                    metadata: [
                        "topic": "\(batch.topic)", "events": "\(batch.deliveries.count)", "failures": "\(again.failures)",
                        "error": "\(error)",
                    ])
                return
            }
            release(batch.deliveries)
            logger.warning(
                "storing failed; giving the batch back to Pub/Sub to deliver again",
                metadata: ["topic": "\(batch.topic)", "events": "\(batch.deliveries.count)", "error": "\(error)"])
            do { try consumer.giveBack(batch.deliveries) } catch {
                logger.warning("giving back failed; the messages come again after their ack deadline", metadata: ["error": "\(error)"])
            }
            reportLastAttempts(batch)
        case .stopped:
            release(batch.deliveries)
        case .failed(let error):
            release(batch.deliveries)
            fatal = error
            throw error
        }
    }

    /// Acknowledges what is stored. A refused or failed acknowledgement loses nothing (the message
    /// comes again and lands twice, which `lake verify` reports); nor does one an abandon cut short
    /// (`.stopped`: the stop's deadline passed). Only what needs a person stops.
    private func settle(_ deliveries: [PubSubDelivery], _ consumer: PubSubConsumer) throws {
        guard !deliveries.isEmpty else { return }
        do {
            try consumer.settle(deliveries)
        } catch let error as PubSubError where error.code == .leaseLost || error.code == .stopped || error.isTransient {
            let n = error.messageIds.isEmpty ? deliveries.count : error.messageIds.count
            statistics.unacknowledged += n
            logger.warning(
                "stored, but not acknowledged: these messages may land twice (lake verify reports it)",
                metadata: ["messages": "\(n)", "error": "\(error.message)"])
        }
    }

    /// Counts and says which of a batch given back were on their last delivery attempt: Pub/Sub's
    /// dead-letter policy moves them to shop.dlq instead of delivering them again.
    private func reportLastAttempts(_ batch: PubSubBatch) {
        guard let limit = lastAttempt[batch.subscription] else { return }
        let last = batch.deliveries.filter { $0.deliveryAttempt >= limit }
        guard !last.isEmpty else { return }
        statistics.deadLettered += last.count
        logger.error(
            "given back on their last delivery attempt: Pub/Sub moves these messages to \(Entity.deadLetterTopic), not into the lake; read them with `shopstream topics drain --pubsub \(client.project) \(PubSubTopology.deadLetterSubscription) --print`",
            metadata: [
                "subscription": "\(batch.subscription)", "messages": "\(last.count)", "attempts": "\(limit)",
                "message ids": "\(last.prefix(10).map(\.messageId).joined(separator: ","))\(last.count > 10 ? ",…" : "")",
            ])
    }

    private func collectRetries(report: Bool) {
        statistics.collectRetries(from: lake, monitor: monitor, logger: report ? logger : nil)
    }
}

/// Events of one subscription and date on their way to one object.
struct PubSubBatch: Sendable {
    var topic: String
    var subscription: String
    var dt: String
    var deliveries: [PubSubDelivery] = []
    var messageIdBytes = 0
    /// After failed uploads: since when, how many, and not to be tried before `retryAt`.
    var failingSince: ContinuousClock.Instant?
    var failures = 0
    var retryAt: ContinuousClock.Instant?

    /// The delivery that names the object: the least (publish time, message id), so the same set
    /// of messages always gets the same name.
    var first: PubSubDelivery {
        deliveries.min { ($0.publishTimeMs, $0.messageId) < ($1.publishTimeMs, $1.messageId) }!
    }

    var valueBytes: Int { deliveries.reduce(0) { $0 + $1.data.count } }
}

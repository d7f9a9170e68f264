import Foundation
import ShopStreamCore

/// Consumes several subscriptions at once, for a sink that acknowledges only after it has landed
/// what it read: `poll` hands out deliveries, `settle` acknowledges them once landed, `giveBack`
/// returns them for redelivery (a nack: ack deadline 0).
///
/// - Pulls: `pullsPerSubscription` threads per subscription, each asking with `returnImmediately`
///   and pausing after an empty answer. No pull is ever abandoned, so no message is ever delivered
///   to a request nobody reads (the emulator's trap). Pulling stops while `maxWaiting` deliveries
///   wait unpolled: memory and leases stay bounded by what the caller takes. A subscription the
///   caller paused (`pause`) is not pulled until resumed.
/// - Leases: every delivery from its pull to its settle or give-back is held. A keeper thread
///   extends each held lease (modifyAckDeadline) once half of it has passed, so a batch may fill
///   and upload for longer than the subscription's ack deadline without being redelivered.
/// - A lease is lost when it ran out before an extension reached Pub/Sub (counted from when the pull
///   was sent, so from before Pub/Sub started its clock), or an extension was refused. Its message
///   will come again; `takeLostLeases()` says which, so the caller drops what it built from them.
/// - With exactly-once delivery on the subscription, `settle` either succeeds (the messages will
///   not come again) or throws `.leaseLost` naming those it could not confirm.
///
/// Thread-safe; blocking (libcurl): call it from threads of your own, not the cooperative pool.
public final class PubSubConsumer: Sendable {
    public struct Configuration: Sendable {
        /// Pull requests in flight per subscription.
        public var pullsPerSubscription = 2
        /// Messages one pull asks for (at most 1,000).
        public var maxMessagesPerPull = 1000
        /// Deliveries pulled and not yet polled, across subscriptions, above which pulling pauses.
        public var maxWaiting = 10_000
        /// Seconds each lease extension asks for (10 to 600); nil: the subscription's ack deadline.
        public var leaseSeconds: Int?
        /// The longest pause between empty pulls of a subscription (a pause doubles from 10 ms).
        public var longestPause: Duration = .milliseconds(200)

        public init() {}
    }

    /// A subscription as Pub/Sub described it when the consumer started.
    public struct Subscription: Sendable, Equatable {
        public var id: String
        public var topic: String
        public var ackDeadlineSeconds: Int
        public var exactlyOnce: Bool
    }

    /// Counts since the start, for summaries and tests.
    public struct Statistics: Sendable, Equatable {
        public var pulls = 0
        public var emptyPulls = 0
        public var delivered = 0
        /// Lease extensions that reached Pub/Sub in time (one per delivery per extension).
        public var extended = 0
        public var lost = 0
        public var settled = 0
        public var givenBack = 0
        /// Pulls that failed after the HTTP layer's retries (then tried again after a second).
        public var pullErrors = 0
    }

    public let client: PubSubClient
    public let subscriptions: [Subscription]
    public let configuration: Configuration
    /// Everything the threads touch; they hold it, not the consumer, so that dropping the
    /// consumer closes it.
    private let engine: Engine

    /// Reads each subscription (its topic, ack deadline, exactly-once) and starts pulling.
    /// Throws if one does not exist (`shopstream topics apply --pubsub` creates them).
    public init(client: PubSubClient, subscriptions ids: [String], configuration: Configuration = Configuration()) throws {
        self.client = client
        self.configuration = configuration
        subscriptions = try ids.map { id in
            guard let s = try client.subscription(id) else {
                throw PubSubError(
                    .notFound,
                    "subscription \(id) does not exist in \(client.location); create the topics and subscriptions first: shopstream topics apply --pubsub \(client.project)"
                )
            }
            return Subscription(
                id: s.id, topic: s.topic, ackDeadlineSeconds: s.ackDeadlineSeconds, exactlyOnce: s.enableExactlyOnceDelivery)
        }
        engine = Engine(client: client, subscriptions: subscriptions, configuration: configuration)
        engine.start()
    }

    deinit { engine.close(givingBack: true) }

    /// Up to `max` deliveries, waiting at most `wait` for the first; empty when none came.
    /// Throws what stopped pulling (a subscription deleted, permission refused).
    public func poll(max: Int, wait: Duration) throws -> [PubSubDelivery] { try engine.poll(max: max, wait: wait) }

    /// Acknowledges deliveries (once what was read from them is landed): they are no longer held,
    /// and Pub/Sub will not deliver them again.
    ///
    /// Throws when an acknowledgement failed: on an exactly-once subscription `.leaseLost` naming
    /// the messages of every refused request (Pub/Sub refuses a request holding a stale ack id;
    /// the emulator acknowledges the rest of it without saying which, so some named may not come
    /// again); otherwise the failure of the request (after the HTTP layer's retries).
    public func settle(_ deliveries: [PubSubDelivery]) throws { try engine.settle(deliveries) }

    /// Gives deliveries back at once (ack deadline 0): Pub/Sub redelivers them, counting an attempt.
    /// A failure loses nothing (they come back when their lease runs out) and is thrown to be said.
    public func giveBack(_ deliveries: [PubSubDelivery]) throws { try engine.giveBack(deliveries) }

    /// Deliveries whose lease was lost since the last call (their messages will come again), no
    /// longer held. Drop whatever was built from them; settling them anyway makes a duplicate.
    public func takeLostLeases() -> [PubSubDelivery] { engine.takeLostLeases() }

    /// Whether every delivery is still held (none lost, settled or given back).
    public func holds(_ deliveries: some Sequence<PubSubDelivery>) -> Bool { engine.holds(deliveries) }

    /// Deliveries held: pulled and neither settled, given back nor lost.
    public var heldCount: Int { engine.heldCount }

    /// Since when every subscription has come back empty: the last time any pull brought messages
    /// (or the start), provided each subscription has been pulled empty since. Nil while one has
    /// not. Pub/Sub has no backlog figure on the emulator; this is what stands for "caught up".
    public var quietSince: ContinuousClock.Instant? { engine.quietSince }

    /// Whether everything published before `instant` has been handed out by `poll` (or is held by
    /// another consumer): each subscription came back empty from a pull sent at `instant` or later
    /// and after its last messages came, no pull sent before that one is still under way (it may
    /// bring messages), and nothing waits to be polled. A stop's drain asks this, `instant` being
    /// when the publisher had confirmed its last message: `quietSince` may be older than that.
    public func pulledEmpty(since instant: ContinuousClock.Instant) -> Bool { engine.pulledEmpty(since: instant) }

    /// Stops pulling `subscriptions` (ids) until `resume`: what the consumer has pulled of them
    /// is still handed out, and every lease it holds is still kept. Pub/Sub has no positions, so a
    /// pause loses and repeats nothing: the messages stay in the subscription. Unknown ids are
    /// ignored.
    public func pause(_ subscriptions: Set<String>) { engine.setPaused(subscriptions, true) }

    /// Pulls `subscriptions` (ids) again.
    public func resume(_ subscriptions: Set<String>) { engine.setPaused(subscriptions, false) }

    /// The subscriptions (ids) paused now.
    public var paused: Set<String> { engine.paused }

    public var statistics: Statistics { engine.statistics }

    /// Stops pulling and keeping leases (waiting up to 10 s for the requests under way; a pull
    /// answered later gives its messages back itself), then gives back every delivery still held (with `givingBack`), so
    /// that the next consumer gets them at once instead of after their ack deadline. Idempotent.
    public func close(givingBack: Bool = true) { engine.close(givingBack: givingBack) }
}

/// The consumer's state and threads. `@unchecked Sendable`: every mutable field is touched only
/// with `condition` locked.
private final class Engine: @unchecked Sendable {
    typealias Configuration = PubSubConsumer.Configuration
    typealias Statistics = PubSubConsumer.Statistics
    let client: PubSubClient
    let subscriptions: [PubSubConsumer.Subscription]
    let configuration: Configuration

    private struct Lease {
        var delivery: PubSubDelivery
        var expiresAt: ContinuousClock.Instant
        var extendAt: ContinuousClock.Instant
    }

    private struct PullTimes {
        /// When the last answer that held messages came back.
        var lastMessagesAt: ContinuousClock.Instant?
        /// When the last pull that came back empty was sent.
        var lastEmptySentAt: ContinuousClock.Instant?
        /// When each pull under way was sent.
        var inFlight: [ContinuousClock.Instant] = []
    }

    private let condition = NSCondition()
    private var waiting: [PubSubDelivery] = []
    private var waitingHead = 0
    /// Every delivery held, by ack id: waiting, or handed out and not yet settled or given back.
    private var leases: [String: Lease] = [:]
    private var lost: [PubSubDelivery] = []
    private var pullTimes: [PullTimes]
    private var stats = Statistics()
    private var failure: (any Error)?
    private var closed = false
    /// Subscriptions (indices) not pulled until resumed.
    private var pausedSubscriptions: Set<Int> = []
    private let startedAt = ContinuousClock.now
    private let threads = DispatchGroup()

    init(client: PubSubClient, subscriptions: [PubSubConsumer.Subscription], configuration: Configuration) {
        self.client = client
        self.subscriptions = subscriptions
        self.configuration = configuration
        pullTimes = Array(repeating: PullTimes(), count: subscriptions.count)
    }

    func start() {
        for (k, subscription) in subscriptions.enumerated() {
            for i in 0..<max(1, configuration.pullsPerSubscription) {
                start("pubsub-pull-\(subscription.id)-\(i)") { self.pullLoop(k) }
            }
        }
        start("pubsub-leases") { self.leaseLoop() }
    }

    // MARK: The caller's side

    func poll(max: Int, wait: Duration) throws -> [PubSubDelivery] {
        let deadline = Date().addingTimeInterval(wait.seconds)
        condition.lock()
        defer { condition.unlock() }
        while waitingHead == waiting.count, failure == nil, !closed {
            if !condition.wait(until: deadline) { break }
        }
        if let failure { throw failure }
        var out: [PubSubDelivery] = []
        while out.count < max, waitingHead < waiting.count {
            let d = waiting[waitingHead]
            waitingHead += 1
            // Lost or given back while it waited: not to be handed out.
            if leases[d.ackId] != nil { out.append(d) }
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        }
        condition.broadcast()  // room for the pullers
        return out
    }

    func settle(_ deliveries: [PubSubDelivery]) throws {
        release(deliveries)
        var failures: [any Error] = []
        var refused: [String] = []
        for (k, group) in bySubscription(deliveries) {
            let subscription = subscriptions[k]
            for chunk in PubSubClient.chunks(group.map(\.ackId)) {
                do {
                    try client.acknowledge(subscription.id, ackIds: chunk)
                    count { $0.settled += chunk.count }
                } catch let error as PubSubError where subscription.exactlyOnce && error.code == .invalidArgument {
                    // A stale ack id fails the request, yet the emulator acknowledges the others in
                    // it and says not which failed: a second try of each would fail too. So the
                    // whole request is reported unconfirmed; some of it may not come again.
                    let inChunk = Set(chunk)
                    refused += group.filter { inChunk.contains($0.ackId) }.map(\.messageId)
                } catch {
                    failures.append(error)
                }
            }
        }
        if let first = failures.first { throw first }
        if !refused.isEmpty {
            throw PubSubError(
                .leaseLost,
                "acknowledging \(refused.count) messages was refused (a lease had run out), e.g. message \(refused[0]): they may be delivered again, so what was landed from them may land twice",
                messageIds: refused)
        }
    }

    func giveBack(_ deliveries: [PubSubDelivery]) throws {
        release(deliveries)
        var first: (any Error)?
        for (k, group) in bySubscription(deliveries) {
            do {
                try client.nack(subscriptions[k].id, ackIds: group.map(\.ackId))
                count { $0.givenBack += group.count }
            } catch {
                if first == nil { first = error }
            }
        }
        if let first { throw first }
    }

    func takeLostLeases() -> [PubSubDelivery] {
        condition.lock()
        defer { condition.unlock() }
        sweepExpired(now: .now)
        defer { lost = [] }
        return lost
    }

    func holds(_ deliveries: some Sequence<PubSubDelivery>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        sweepExpired(now: .now)
        return deliveries.allSatisfy { leases[$0.ackId] != nil }
    }

    var heldCount: Int { locked { leases.count } }

    var quietSince: ContinuousClock.Instant? {
        locked {
            let since = pullTimes.map { $0.lastMessagesAt ?? startedAt }.max() ?? startedAt
            return pullTimes.allSatisfy({ ($0.lastEmptySentAt.map { $0 >= since }) ?? false }) ? since : nil
        }
    }

    func pulledEmpty(since instant: ContinuousClock.Instant) -> Bool {
        locked {
            waitingHead == waiting.count
                && pullTimes.allSatisfy { t in
                    guard let empty = t.lastEmptySentAt, empty >= instant, empty >= t.lastMessagesAt ?? startedAt else { return false }
                    return t.inFlight.allSatisfy { $0 >= empty }
                }
        }
    }

    var statistics: Statistics { locked { stats } }

    func setPaused(_ ids: Set<String>, _ paused: Bool) {
        let indices = subscriptions.indices.filter { ids.contains(subscriptions[$0].id) }
        locked {
            if paused { pausedSubscriptions.formUnion(indices) } else { pausedSubscriptions.subtract(indices) }
            condition.broadcast()
        }
    }

    var paused: Set<String> { locked { Set(pausedSubscriptions.map { subscriptions[$0].id }) } }

    func close(givingBack: Bool = true) {
        let first = locked {
            defer { closed = true }
            condition.broadcast()
            return !closed
        }
        guard first else { return }
        // Bounded: a pull stuck in the HTTP layer's retries gives back what it brings itself.
        _ = threads.wait(timeout: .now() + 10)
        let held = locked { Array(leases.values.map(\.delivery)) }
        if givingBack, !held.isEmpty { try? giveBack(held) }
    }

    // MARK: Pulling

    private func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        threads.enter()
        startThread(named: name) { [threads] in
            body()
            threads.leave()
        }
    }

    private func pullLoop(_ k: Int) {
        let subscription = subscriptions[k]
        var pause = Duration.milliseconds(10)
        while true {
            let (room, sentAt): (Int?, ContinuousClock.Instant) = locked {
                while !closed, failure == nil,
                    pausedSubscriptions.contains(k) || waiting.count - waitingHead >= configuration.maxWaiting
                {
                    condition.wait()
                }
                guard !closed, failure == nil else { return (nil, .now) }
                let sentAt = ContinuousClock.now
                pullTimes[k].inFlight.append(sentAt)
                return (configuration.maxWaiting - (waiting.count - waitingHead), sentAt)
            }
            guard let room else { return }
            do {
                let messages = try client.pull(subscription.id, maxMessages: min(configuration.maxMessagesPerPull, room))
                guard received(messages, from: k, sentAt: sentAt) else {
                    // Closed while this pull was under way: nobody will take these.
                    if !messages.isEmpty { try? client.nack(subscription.id, ackIds: messages.map(\.ackId)) }
                    return
                }
                if !messages.isEmpty {
                    pause = .milliseconds(10)
                    continue
                }
                pauseUnlessClosed(pause)
                pause = min(pause * 2, configuration.longestPause)
            } catch {
                locked { pullEnded(k, sentAt: sentAt) }
                if error.isTransient {
                    count { $0.pullErrors += 1 }
                    pauseUnlessClosed(.seconds(1))
                } else {
                    locked {
                        if failure == nil { failure = error }
                        condition.broadcast()
                    }
                    return
                }
            }
        }
    }

    /// Forgets a pull as under way (with the lock held).
    private func pullEnded(_ k: Int, sentAt: ContinuousClock.Instant) {
        if let i = pullTimes[k].inFlight.firstIndex(of: sentAt) { pullTimes[k].inFlight.remove(at: i) }
    }

    /// Registers a pull's deliveries as held, each lease counted from when the pull was sent;
    /// false once closed (then nothing is held).
    private func received(_ messages: [ReceivedMessage], from k: Int, sentAt: ContinuousClock.Instant) -> Bool {
        let subscription = subscriptions[k]
        let deadline = Duration.seconds(subscription.ackDeadlineSeconds)
        return locked {
            pullEnded(k, sentAt: sentAt)
            if closed { return false }
            stats.pulls += 1
            if messages.isEmpty {
                stats.emptyPulls += 1
                pullTimes[k].lastEmptySentAt = max(pullTimes[k].lastEmptySentAt ?? sentAt, sentAt)
                return true
            }
            pullTimes[k].lastMessagesAt = .now
            stats.delivered += messages.count
            for m in messages {
                let d = PubSubDelivery(m, topic: subscription.topic, subscription: subscription.id)
                leases[d.ackId] = Lease(
                    delivery: d, expiresAt: sentAt + deadline, extendAt: sentAt + deadline / 2)
                waiting.append(d)
            }
            condition.broadcast()
            return true
        }
    }

    private func pauseUnlessClosed(_ pause: Duration) {
        let until = Date().addingTimeInterval(pause.seconds)
        locked {
            while !closed, condition.wait(until: until) {}
        }
    }

    // MARK: Leases

    private func leaseLoop() {
        while true {
            let due: [Int: [String]]? = locked {
                let until = Date().addingTimeInterval(0.25)
                while !closed, condition.wait(until: until) {}
                if closed { return nil }
                let now = ContinuousClock.now
                sweepExpired(now: now)
                var due: [Int: [String]] = [:]
                for (ackId, lease) in leases where lease.extendAt <= now {
                    // Not again while this extension is on its way.
                    leases[ackId]?.extendAt = now + .seconds(3600)
                    due[index(of: lease.delivery.subscription), default: []].append(ackId)
                }
                return due
            }
            guard let due else { return }
            for (k, ackIds) in due {
                let seconds = max(10, min(configuration.leaseSeconds ?? subscriptions[k].ackDeadlineSeconds, 600))
                for chunk in PubSubClient.chunks(ackIds) { extend(chunk, on: k, seconds: seconds) }
            }
        }
    }

    private func extend(_ ackIds: [String], on k: Int, seconds: Int) {
        let sentAt = ContinuousClock.now
        do {
            try client.modifyAckDeadline(subscriptions[k].id, ackIds: ackIds, seconds: seconds)
            locked {
                for ackId in ackIds {
                    guard let lease = leases[ackId] else { continue }  // settled meanwhile
                    if sentAt < lease.expiresAt {
                        leases[ackId]?.expiresAt = sentAt + .seconds(seconds)
                        leases[ackId]?.extendAt = sentAt + .seconds(seconds) / 2
                        stats.extended += 1
                    } else {
                        // Too late: Pub/Sub may have handed the message to someone else already.
                        loseLease(ackId)
                    }
                }
            }
        } catch {
            locked {
                for ackId in ackIds where leases[ackId] != nil {
                    // Refused (a stale ack id): lost. Otherwise try again in a second, while it lasts.
                    if !error.isTransient { loseLease(ackId) } else { leases[ackId]?.extendAt = .now + .seconds(1) }
                }
                sweepExpired(now: .now)
            }
        }
    }

    /// Moves every lease that has run out to `lost`. Called with `condition` locked.
    private func sweepExpired(now: ContinuousClock.Instant) {
        for (ackId, lease) in leases where lease.expiresAt <= now { loseLease(ackId) }
    }

    /// Called with `condition` locked.
    private func loseLease(_ ackId: String) {
        guard let lease = leases.removeValue(forKey: ackId) else { return }
        lost.append(lease.delivery)
        stats.lost += 1
    }

    // MARK: Plumbing

    private func release(_ deliveries: [PubSubDelivery]) {
        locked {
            for d in deliveries { leases[d.ackId] = nil }
        }
    }

    private func bySubscription(_ deliveries: [PubSubDelivery]) -> [(Int, [PubSubDelivery])] {
        Dictionary(grouping: deliveries) { index(of: $0.subscription) }.sorted { $0.key < $1.key }
    }

    private func index(of subscription: String) -> Int {
        subscriptions.firstIndex { $0.id == subscription } ?? 0
    }

    private func count(_ change: (inout Statistics) -> Void) { locked { change(&stats) } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}

import Dispatch
import Foundation
import ShopStreamCore
import ShopStreamHTTP

/// Publishes messages in batches, several requests in flight, each ordering key in order.
///
/// Messages are gathered per topic into requests of at most `maxMessages` and `maxBytes`. An
/// ordering key always goes to the same lane (by its hash), and each lane sends one request at a
/// time, in order: a key's messages reach Pub/Sub in the order given, while the lanes together
/// keep `lanes` requests in flight. Messages without a key are spread over the lanes.
///
/// When a request fails (after the HTTP client's retries), every ordering key in it is paused, as
/// Google's client libraries do: what follows for that key, queued or published later, is not sent
/// (it would overtake the lost messages) and fails with `.orderingKeyPaused`, until
/// `resume(orderingKey:)`. Call `flush()` to send what is gathered and wait for every answer; it
/// throws the first failure.
///
/// `@unchecked Sendable`: every mutable field is touched only under `lock`; the lanes' queues
/// serialise the requests.
public final class PubSubPublisher: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Messages per publish request (Pub/Sub allows 1,000).
        public var maxMessages: Int
        /// Bytes per request, as sent (base64 and JSON included); Pub/Sub allows 10 MB.
        public var maxBytes: Int
        /// Requests in flight at once, one per lane.
        public var lanes: Int
        /// A partial batch waits at most this long before it is sent (a live, slow stream).
        public var maxDelay: Duration

        public init(maxMessages: Int = 1000, maxBytes: Int = 9_500_000, lanes: Int = 4, maxDelay: Duration = .milliseconds(50)) {
            self.maxMessages = max(1, min(maxMessages, 1000))
            self.maxBytes = max(1024, min(maxBytes, 10_000_000))
            self.lanes = max(1, lanes)
            self.maxDelay = maxDelay
        }
    }

    /// What happened to the messages given so far.
    public struct Statistics: Sendable, Equatable {
        /// Given to `publish`.
        public var sent = 0
        /// Confirmed by Pub/Sub with a message id.
        public var published = 0
        /// Lost for good: their request failed, or their ordering key was paused.
        public var failed = 0

        public init(sent: Int = 0, published: Int = 0, failed: Int = 0) {
            self.sent = sent
            self.published = published
            self.failed = failed
        }

        /// Gathered or in flight, not yet answered.
        public var inFlight: Int { sent - published - failed }
    }

    public let client: PubSubClient
    public let configuration: Configuration

    private struct Batch {
        var topic: String
        var messages: [OutgoingMessage] = []
        var bytes = 0
        var since = ContinuousClock.now
    }

    private let lock = NSLock()
    /// Per lane, the batch gathering for each topic.
    private var gathering: [[String: Batch]]
    private var paused: Set<String> = []
    private var stats = Statistics()
    private var firstFailure: PubSubError?
    private let queues: [DispatchQueue]
    private let group = DispatchGroup()
    /// Bounds the batches sent but not answered, so a fast producer waits instead of queueing
    /// without limit.
    private let slots: DispatchSemaphore
    private var nextUnkeyedLane = 0
    private var timer: (any DispatchSourceTimer)?

    public init(client: PubSubClient, configuration: Configuration = Configuration()) {
        self.client = client
        self.configuration = configuration
        gathering = Array(repeating: [:], count: configuration.lanes)
        slots = DispatchSemaphore(value: configuration.lanes * 4)
        queues = (0..<configuration.lanes).map { DispatchQueue(label: "shopstream.pubsub.publish.\($0)") }
        // A batch that does not fill is sent by this timer, so a slow stream is not held back.
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "shopstream.pubsub.linger"))
        let interval = DispatchTimeInterval.milliseconds(max(1, Int(configuration.maxDelay.seconds * 1000)))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.sendDue() }
        timer.resume()
        self.timer = timer
    }

    deinit { timer?.cancel() }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }

    /// The ordering keys paused by a failed publish.
    public var pausedKeys: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return paused
    }

    /// Gathers a message for `topic`; sends its batch when full. Throws `.orderingKeyPaused` if
    /// its key is paused, and nothing else: failures of requests come from `flush()` and
    /// `throwIfFailed()`.
    public func publish(topic: String, _ message: OutgoingMessage) throws {
        let size = message.requestBytes
        lock.lock()
        if !message.orderingKey.isEmpty && paused.contains(message.orderingKey) {
            let error = pausedError(message.orderingKey, topic: topic)
            lock.unlock()
            throw error
        }
        stats.sent += 1
        let lane: Int
        if message.orderingKey.isEmpty {
            lane = nextUnkeyedLane
            nextUnkeyedLane = (nextUnkeyedLane + 1) % configuration.lanes
        } else {
            lane = Self.lane(of: message.orderingKey, lanes: configuration.lanes)
        }
        var batch = gathering[lane][topic] ?? Batch(topic: topic)
        var full: Batch?
        if !batch.messages.isEmpty && batch.bytes + size > configuration.maxBytes {
            full = batch
            batch = Batch(topic: topic)
        }
        batch.messages.append(message)
        batch.bytes += size
        if full == nil && batch.messages.count >= configuration.maxMessages {
            full = batch
            gathering[lane][topic] = nil
        } else {
            gathering[lane][topic] = batch
        }
        lock.unlock()
        if let full { send(full, lane: lane) }
    }

    /// Sends every gathered batch and waits until each request in flight has been answered;
    /// throws the first failure since the publisher was made (then `statistics.failed` > 0).
    public func flush() throws {
        lock.lock()
        let batches = takeAll { _ in true }
        lock.unlock()
        for (lane, batch) in batches { send(batch, lane: lane) }
        group.wait()
        try throwIfFailed()
    }

    /// Throws the first failure so far, without waiting.
    public func throwIfFailed() throws {
        lock.lock()
        defer { lock.unlock() }
        if let firstFailure { throw firstFailure }
    }

    /// Publishing of `orderingKey` may go on: its later messages are sent again (the failed ones
    /// are not; publish them again first if they matter). Clears the failure the pause came with
    /// once no key is paused.
    public func resume(orderingKey: String) {
        lock.lock()
        defer { lock.unlock() }
        paused.remove(orderingKey)
        if paused.isEmpty { firstFailure = nil }
    }

    // MARK: Sending

    static func lane(of key: String, lanes: Int) -> Int {
        // FNV-1a: stable across runs and processes, unlike `hashValue`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(lanes))
    }

    /// Under `lock` (the caller's): removes and returns the gathered batches that `due` selects.
    private func takeAll(_ due: (Batch) -> Bool) -> [(Int, Batch)] {
        var taken: [(Int, Batch)] = []
        for lane in gathering.indices {
            for (topic, batch) in gathering[lane] where due(batch) {
                taken.append((lane, batch))
                gathering[lane][topic] = nil
            }
        }
        return taken
    }

    private func sendDue() {
        let now = ContinuousClock.now
        lock.lock()
        let batches = takeAll { now - $0.since >= configuration.maxDelay }
        lock.unlock()
        for (lane, batch) in batches { send(batch, lane: lane) }
    }

    private func send(_ batch: Batch, lane: Int) {
        slots.wait()
        group.enter()
        queues[lane].async { [self] in
            defer {
                slots.signal()
                group.leave()
            }
            // Keys paused by an earlier request of this lane do not go out behind its back.
            lock.lock()
            let (held, ready) = partition(batch.messages) { !$0.orderingKey.isEmpty && paused.contains($0.orderingKey) }
            if !held.isEmpty {
                stats.failed += held.count
                if firstFailure == nil { firstFailure = pausedError(held[0].orderingKey, topic: batch.topic) }
            }
            lock.unlock()
            guard !ready.isEmpty else { return }
            do {
                _ = try client.publish(topic: batch.topic, messages: ready)
                lock.lock()
                stats.published += ready.count
                lock.unlock()
            } catch {
                let failure =
                    error as? PubSubError
                    ?? PubSubError(.service, "publish to topic \(batch.topic) in \(client.location) failed: \(error)")
                lock.lock()
                stats.failed += ready.count
                for m in ready where !m.orderingKey.isEmpty { paused.insert(m.orderingKey) }
                if firstFailure == nil { firstFailure = failure }
                lock.unlock()
            }
        }
    }

    private func partition(_ messages: [OutgoingMessage], _ isHeld: (OutgoingMessage) -> Bool) -> ([OutgoingMessage], [OutgoingMessage]) {
        guard !paused.isEmpty else { return ([], messages) }
        var held: [OutgoingMessage] = []
        var ready: [OutgoingMessage] = []
        for m in messages { if isHeld(m) { held.append(m) } else { ready.append(m) } }
        return (held, ready)
    }

    private func pausedError(_ key: String, topic: String) -> PubSubError {
        PubSubError(
            .orderingKeyPaused,
            "publish to topic \(topic) in \(client.location): ordering key \(key) is paused after an earlier publish of it failed; publish the failed messages again and call resume(orderingKey:) (a run of shopstream generate starts afresh)",
            http: firstFailure?.http)
    }
}

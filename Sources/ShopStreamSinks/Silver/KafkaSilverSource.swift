import Logging
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver

/// Silver's source on Kafka: a group member of `configuration.groupId` over the entity topics.
/// Offsets are committed only up to where every earlier message of the partition landed
/// (`OffsetTracker`), so a fact waiting for its dimension holds back its partition's commit, not
/// the stream; what is not committed is read again by the next run or the partition's next owner.
final class KafkaSilverSource: SilverSource {
    let consumer: Consumer
    private let dlq: Producer
    var onChange: ((SilverSourceChange) -> Void)?
    var logger = Logger(label: "shopstream.silver", factory: { _ in SwiftLogNoOpLogHandler() })
    private var tracker = OffsetTracker()
    private let monitor: SinkMonitor
    /// Ends the dead-letter flush's wait (see `interruptWaits(on:)`).
    private var stop: StopSignal?

    init(configuration: SilverConfiguration, monitor: SinkMonitor) throws {
        var consumerConfig = ConsumerConfiguration(connection: configuration.connection, groupId: configuration.groupId)
        consumerConfig.clientId = "shopstream-silver"
        consumerConfig.membership = configuration.membership
        consumer = try Consumer(configuration: consumerConfig, topics: configuration.topics)
        var producerConfig = ProducerConfiguration(connection: configuration.connection)
        producerConfig.clientId = "shopstream-silver-dlq"
        dlq = try Producer(configuration: producerConfig)
        self.monitor = monitor
        consumer.onRebalance = { [unowned self] change in self.rebalanced(change) }
    }

    deinit { close() }

    func start() throws { try consumer.checkTopics() }

    func poll(timeout: Duration) throws -> SilverDelivery? {
        guard let m = try consumer.poll(timeout: timeout) else { return nil }
        tracker.read(m.topicPartition, m.offset)
        return SilverDelivery(
            source: .kafka(topic: m.topic, partition: m.partition, offset: m.offset, timestampMs: m.timestampMs),
            lane: m.topicPartition, key: m.key, value: m.value, headers: m.headers, timestampMs: m.timestampMs)
    }

    func settle(_ delivery: SilverDelivery) {
        guard let offset = delivery.source.offset else { return }
        tracker.finish(delivery.lane, offset)
    }

    /// Nothing to do: left uncommitted, they are read again.
    func giveBack(_ deliveries: [SilverDelivery]) {}

    /// Keyed `<topic>+<partition>+<offset>`, with the original headers and the rule as `shopstream-reason`.
    func publishDeadLetters(_ letters: [(letter: DeadLetter, rule: String)]) throws {
        for (letter, rule) in letters {
            try dlq.send(
                topic: Entity.deadLetterTopic, key: Array(letter.key.utf8), value: letter.envelope(),
                headers: letter.headers + [KafkaHeader("shopstream-reason", rule)])
        }
        try dlq.flush(timeout: .seconds(60), abandoningOn: stop)
    }

    func commit() throws {
        let offsets = tracker.takeCommittable().filter { consumer.assignment.contains($0.key) }
        guard !offsets.isEmpty else { return }
        do {
            try consumer.commit(offsets)
            monitor.committed(offsets)
        } catch let error as KafkaError {
            // Offered again at the next commit: a partition with nothing new would otherwise stay uncommitted.
            tracker.restore(offsets)
            logger.warning(
                "commit failed; trying again (if the partition goes first, its messages are read again; inserts are idempotent downstream)",
                metadata: ["error": "\(error.message)"])
        }
    }

    func committedOffsets(_ lanes: [TopicPartition]) throws -> [TopicPartition: Int64] {
        try consumer.committed(lanes).compactMapValues { $0 }
    }

    func tick() { monitor.tick(consumer: consumer) }

    let drained = "read to the end of every partition"

    /// The partitions' ends as the broker has them now: later than `instant`.
    func hasReadToEnd(since instant: ContinuousClock.Instant) -> Bool { consumer.hasReadToEnd() }

    func isCaughtUp() -> Bool { consumer.isCaughtUp() }

    func idleExitIsDue(_ idleExit: inout IdleExit, lastActivity: ContinuousClock.Instant) -> Bool {
        idleExit.isDue(lastActivity: lastActivity, consumer: consumer, logger: logger)
    }

    /// A pause that fails (the consumer closing) only leaves the partitions read: logged, not thrown.
    func pause(_ lanes: Set<TopicPartition>) {
        do { try consumer.pause(lanes) } catch {
            logger.warning("could not pause partitions; reading on", metadata: ["error": "\(error)"])
        }
    }

    /// A resume that fails leaves the partitions in `paused`: the sink resumes them again.
    func resume(_ lanes: Set<TopicPartition>) {
        do { try consumer.resume(lanes) } catch {
            logger.warning("could not resume partitions; trying again", metadata: ["error": "\(error)"])
        }
    }

    var paused: Set<TopicPartition> { consumer.paused }

    func holdsWholeTopic(_ topic: String, partitions: Int) -> Bool {
        consumer.assignment.lazy.filter { $0.topic == topic }.count >= partitions
    }

    func readThrough(_ topic: String, latest: [TopicPartition: Int64]) -> Int64 {
        var through = Int64.max
        let positions = (try? consumer.positions()) ?? [:]
        for tp in consumer.assignment where tp.topic == topic {
            // The high watermark librdkafka learned from its last fetch of the partition (it fetches
            // an idle partition again every fetch.wait.max.ms); nothing read yet: from the start.
            if consumer.isReadToItsCachedEnd(tp, positions: positions) == true { continue }
            through = min(through, latest[tp] ?? .min)
        }
        return through
    }

    /// Ends the dead-letter flush's wait for the cluster (up to 60 s) when `stop` asks `.abandon`:
    /// publishing the letters throws `KafkaError` `.stopped`. Nothing is lost: the rejects are not
    /// settled, so their offsets stay uncommitted and the next reader rejects them again (their
    /// letters may then be on shop.dlq twice). librdkafka's polls keep their own short timeouts.
    func interruptWaits(on stop: StopSignal) { self.stop = stop }

    func close() {
        consumer.onRebalance = nil
        consumer.close()
    }

    private func rebalanced(_ change: Rebalance) {
        switch change {
        case .assigned(let tps):
            onChange?(.assigned(tps))
            monitor.assigned(tps)
        case .revoked(let tps):
            onChange?(.revoked(tps, lost: consumer.assignmentLost))
            tracker.forget(tps)
            monitor.revoked(tps)
        }
    }
}

import Foundation
import Logging
import ShopStreamBus
import ShopStreamCore
import ShopStreamPubSub
import ShopStreamSilver

/// Silver's source on Pub/Sub: silver's subscription on each entity topic (`shop.sales.silver`,
/// made by `topics apply --pubsub`), read by a `PubSubConsumer` (pulls that never block, a lease
/// keeper that extends what is held).
///
/// A delivery is acknowledged only once it landed (a row in its table, or a letter on shop.dlq and
/// a row of silver.rejects); what did not land is given back (redelivered at once) or, after a
/// crash, redelivered when its lease runs out. A redelivery carries the same message id, so its
/// row has the same insert id and the sink takes it for a replay, not a duplicate: it may land
/// twice in the raw table (a lease lost, a crash between insert and acknowledge), and the dedup
/// views show it once. Unlike Kafka, nothing is read back from silver at a restart: there are no
/// partitions and no committed offsets to ask silver about (`SilverSink`'s header). Pub/Sub has no positions: each topic is one lane, read to its end when
/// every subscription has been pulled empty since the last message (`quietSince`).
final class PubSubSilverSource: SilverSource {
    var onChange: ((SilverSourceChange) -> Void)?
    var logger = Logger(label: "shopstream.silver", factory: { _ in SwiftLogNoOpLogHandler() })

    private let client: PubSubClient
    private let subscriptionIds: [String]
    private let monitor: SinkMonitor
    private let pulling: PubSubConsumer.Configuration
    private var consumer: PubSubConsumer?
    /// Polled from the consumer and not yet handed to the sink.
    private var polled: [PubSubDelivery] = []
    private var polledHead = 0
    /// Handed to the sink and not yet settled or given back, by ack id.
    private var held: [String: PubSubDelivery] = [:]
    /// Settled by the sink, to acknowledge at the next commit.
    private var settled: [PubSubDelivery] = []

    /// `maxWaitingFacts`: the sink's bound on facts waiting for their dimensions; what the
    /// consumer pulls ahead of the sink is kept to a fraction of it (a fifth, in pulls of a tenth;
    /// at most 10,000 in pulls of 1,000), since a paused subscription's pulled messages still come.
    init(client: PubSubClient, topics: [String], monitor: SinkMonitor, maxWaitingFacts: Int) {
        self.client = client
        self.monitor = monitor
        subscriptionIds = topics.compactMap { Entity(topic: $0).map { PubSubTopology.subscription($0, .silver) } }
        var pulling = PubSubConsumer.Configuration()
        pulling.maxWaiting = min(pulling.maxWaiting, max(10, maxWaitingFacts / 5))
        pulling.maxMessagesPerPull = min(pulling.maxMessagesPerPull, max(10, maxWaitingFacts / 10))
        self.pulling = pulling
    }

    deinit { close() }

    func start() throws {
        guard consumer == nil else { return }
        consumer = try PubSubConsumer(client: client, subscriptions: subscriptionIds, configuration: pulling)
    }

    func poll(timeout: Duration) throws -> SilverDelivery? {
        if polledHead == polled.count, let consumer {
            polled = try consumer.poll(max: 1000, wait: timeout)
            polledHead = 0
        }
        guard polledHead < polled.count else { return nil }
        let d = polled[polledHead]
        polledHead += 1
        held[d.ackId] = d
        return Self.delivery(d)
    }

    static func delivery(_ d: PubSubDelivery) -> SilverDelivery {
        SilverDelivery(
            source: .pubSub(
                topic: d.topic, messageId: d.messageId, publishTimeMs: d.publishTimeMs > 0 ? d.publishTimeMs : nil,
                deliveryAttempt: d.deliveryAttempt > 0 ? d.deliveryAttempt : nil),
            lane: TopicPartition(d.topic, 0), key: d.orderingKey.isEmpty ? nil : Array(d.orderingKey.utf8), value: d.data,
            // Attributes in a fixed order; the event time is the record time, not a header.
            headers: d.attributes.filter { $0.key != EventAttributes.eventTimeMs }.sorted { $0.key < $1.key }.map {
                KafkaHeader($0.key, $0.value)
            },
            timestampMs: d.eventTimeMs, ackId: d.ackId)
    }

    func settle(_ delivery: SilverDelivery) {
        guard let ackId = delivery.ackId, let d = held.removeValue(forKey: ackId) else { return }
        settled.append(d)
    }

    /// A topic is one lane: pausing any lane of it stops pulling its subscription. What was pulled
    /// already is still handed out (at most the consumer's `maxWaiting` and the pulls under way),
    /// and the leases of what waits are kept.
    func pause(_ lanes: Set<TopicPartition>) { consumer?.pause(subscriptions(of: lanes)) }
    func resume(_ lanes: Set<TopicPartition>) { consumer?.resume(subscriptions(of: lanes)) }
    var paused: Set<TopicPartition> {
        guard let consumer else { return [] }
        let ids = consumer.paused
        return Set(consumer.subscriptions.filter { ids.contains($0.id) }.map { TopicPartition($0.topic, 0) })
    }

    private func subscriptions(of lanes: Set<TopicPartition>) -> Set<String> {
        let topics = Set(lanes.map(\.topic))
        return Set(consumer?.subscriptions.filter { topics.contains($0.topic) }.map(\.id) ?? [])
    }

    func giveBack(_ deliveries: [SilverDelivery]) {
        let back = deliveries.compactMap { $0.ackId.flatMap { held.removeValue(forKey: $0) } }
        guard !back.isEmpty, let consumer else { return }
        do { try consumer.giveBack(back) } catch {
            logger.warning("giving messages back failed; they come again when their lease ends", metadata: ["error": "\(error)"])
        }
    }

    /// To shop.dlq, with the reason as attributes beside the original ones: `shopstream-reason`
    /// (the rule), `shopstream-reason-text` (the sentence, cut to Pub/Sub's 1,024 bytes) and
    /// `shopstream-source` (`<topic>+<message id>`).
    func publishDeadLetters(_ letters: [(letter: DeadLetter, rule: String)]) throws {
        let messages = letters.map { (letter, rule) -> OutgoingMessage in
            var attributes: [String: String] = [:]
            for h in letter.headers { attributes[h.name] = String(decoding: h.value, as: UTF8.self) }
            attributes["shopstream-reason"] = rule
            attributes["shopstream-reason-text"] = Self.prefix(letter.reason, bytes: 1024)
            attributes["shopstream-source"] = letter.key
            return OutgoingMessage(data: letter.envelope(), attributes: attributes)
        }
        for start in stride(from: 0, to: messages.count, by: 500) {
            try client.publish(topic: Entity.deadLetterTopic, messages: Array(messages[start..<min(start + 500, messages.count)]))
        }
    }

    /// Never asked: a subscription assigns no lanes, and has no offsets to read silver back from.
    func committedOffsets(_ lanes: [TopicPartition]) throws -> [TopicPartition: Int64] { [:] }

    func commit() throws {
        guard !settled.isEmpty, let consumer else { return }
        let batch = settled
        settled = []
        do {
            try consumer.settle(batch)
        } catch let error as PubSubError where error.code == .leaseLost {
            // They may come again: landed again under the same insert ids, shown once by the views.
            logger.warning("acknowledgements refused; those messages may land twice", metadata: ["error": "\(error.message)"])
        } catch let error as PubSubError where error.code == .stopped {
            // The stop's deadline has passed and the sink returns without another commit. Settled
            // messages are out of the consumer's leases, so nothing gives them back either: Pub/Sub
            // delivers them again once their ack deadline passes.
            logger.warning(
                "acknowledging cut short by the stop: what it did not acknowledge is left so; Pub/Sub delivers it again to the next reader once its ack deadline passes (landed again under the same insert ids, shown once by the dedup views)",
                metadata: ["messages": "\(batch.count)", "error": "\(error.message)"])
        } catch {
            settled = batch + settled
            logger.warning("acknowledging failed; trying again", metadata: ["error": "\(error)"])
        }
    }

    func tick() {
        monitor.tick(held: held.count + polled.count - polledHead, subscriptions: subscriptionIds.count)
        // Redelivered anyway, and recognised by their message ids: only worth a line.
        guard let lost = consumer?.takeLostLeases(), !lost.isEmpty else { return }
        for d in lost { held[d.ackId] = nil }
        logger.warning("leases lost; those messages come again", metadata: ["messages": "\(lost.count)"])
    }

    let drained = "every subscription came back empty (what is published from now on stays in the subscriptions for the next run)"

    func hasReadToEnd(since instant: ContinuousClock.Instant) -> Bool {
        polledHead == polled.count && consumer?.pulledEmpty(since: instant) == true
    }

    /// Everything pulled was handed over, and the subscriptions came back empty since.
    func isCaughtUp() -> Bool { polledHead == polled.count && consumer?.quietSince != nil }

    /// Idle for the time, and every subscription pulled empty since the last message.
    func idleExitIsDue(_ idleExit: inout IdleExit, lastActivity: ContinuousClock.Instant) -> Bool {
        ContinuousClock.now - lastActivity >= idleExit.idle && isCaughtUp()
    }

    /// Other sinks on the same subscription are not known here: taken as the only reader.
    func holdsWholeTopic(_ topic: String, partitions: Int) -> Bool { true }

    /// Quiet for longer than any lease. Event time says nothing here (Pub/Sub orders by key at most,
    /// so a later event read does not mean the earlier ones were), and an empty pull does not mean
    /// nothing is left while another consumer (a sink killed a moment ago) holds messages under its
    /// leases: they come back within the ack deadline, so a fact waits that long for its dimension.
    func readThrough(_ topic: String, latest: [TopicPartition: Int64]) -> Int64 {
        guard polledHead == polled.count, let consumer, let quiet = consumer.quietSince else { return .min }
        let longestLease = consumer.subscriptions.map(\.ackDeadlineSeconds).max() ?? 0
        return ContinuousClock.now - quiet >= .seconds(longestLease) ? .max : .min
    }

    /// The client's retries' backoffs and pulls' pauses (a dead-letter publish, an acknowledge, a
    /// give-back) end with `PubSubError` `.stopped`.
    func interruptWaits(on stop: StopSignal) { client.interruptWaits(on: stop) }

    /// Stops pulling and gives back what is held, so it comes again at once.
    func close() {
        consumer?.close(givingBack: true)
        held = [:]
    }

    /// `s` cut to at most `bytes` UTF-8 bytes, at a character boundary.
    private static func prefix(_ s: String, bytes: Int) -> String {
        guard s.utf8.count > bytes else { return s }
        var out = ""
        for c in s {
            guard out.utf8.count + c.utf8.count <= bytes else { break }
            out.append(c)
        }
        return out
    }
}

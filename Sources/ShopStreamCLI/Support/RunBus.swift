import Foundation
import Logging
import ShopStreamBus
import ShopStreamCore
import ShopStreamLake
import ShopStreamPubSub
import ShopStreamSinks
import ShopStreamWarehouse

/// The bus a run goes over (`run`, `run --live`). The run's flow is the same on either; this is
/// where they differ: what the generator publishes through, and which bronze sink and silver
/// source read it.
enum RunBus: Sendable {
    /// Kafka, its sinks reading as members of their groups or, on an embedded broker the run owns,
    /// as their groups' sole readers (no group join to wait for).
    case kafka(KafkaConnection, ConsumerConfiguration.Membership)
    case pubSub(PubSubClient)

    var name: String {
        switch self {
        case .kafka(let conn, _): "Kafka at \(conn.bootstrapServers)"
        case .pubSub(let client): client.location
        }
    }

    /// What happens to what a sink did not read when it stops, for the log.
    var leftBehind: String {
        switch self {
        case .kafka: "the next run reads on from the committed offsets"
        case .pubSub: "what a sink did not acknowledge stays in its Pub/Sub subscription for the next run"
        }
    }

    var silverConfiguration: SilverConfiguration {
        switch self {
        case .kafka(let conn, let membership):
            var c = SilverConfiguration(connection: conn)
            c.membership = membership
            return c
        case .pubSub: return .pubSub()
        }
    }

    /// A publisher for the generator, its connection proven.
    func publisher() throws -> BusPublisher {
        switch self {
        case .kafka(let conn, _):
            let producer = try Producer(configuration: ProducerConfiguration(connection: conn))
            try producer.checkConnection()
            return BusPublisher(
                send: { try producer.send(topic: $0.topic, key: $1, value: $2, headers: $3, timestampMs: $4) },
                throwIfFailed: { try producer.throwIfFailed() },
                flush: { try producer.flush(timeout: $0) },
                inFlight: { producer.statistics.inFlight })
        case .pubSub(let client):
            let publisher = PubSubPublisher(client: client)
            return BusPublisher(
                send: { entity, key, value, headers, timestampMs in
                    try publisher.publish(
                        topic: entity.topic, .event(key: key, value: value, timestampMs: timestampMs, headers: headers))
                    // A request that failed for good stops the run at once: every later event would
                    // be published beside a hole.
                    try publisher.throwIfFailed()
                },
                throwIfFailed: { try publisher.throwIfFailed() },
                // Each request is bounded by the HTTP client's retries; the wait has no deadline of its own.
                flush: { _ in try publisher.flush() },
                inFlight: { publisher.statistics.inFlight })
        }
    }

    /// Bronze on its own consumer group (Kafka) or subscriptions (Pub/Sub).
    func bronzeSink(batching: BronzeBatching, lake: any Lake) throws -> any RunBronzeSink {
        switch self {
        case .kafka(let conn, let membership):
            var c = BronzeConfiguration(connection: conn)
            c.membership = membership
            c.batching = batching
            return try BronzeSink(configuration: c, lake: lake)
        case .pubSub(let client):
            var c = PubSubBronzeConfiguration()
            c.batching = batching
            return try PubSubBronzeSink(configuration: c, client: client, lake: lake)
        }
    }

    /// Silver on its own consumer group (Kafka) or subscriptions (Pub/Sub).
    func silverSink(configuration: SilverConfiguration, warehouse: any Warehouse, catalog: TopicCatalog) throws -> SilverSink {
        switch self {
        case .kafka: try SilverSink(configuration: configuration, warehouse: warehouse, catalog: catalog)
        case .pubSub(let client): try SilverSink(configuration: configuration, warehouse: warehouse, catalog: catalog, pubSub: client)
        }
    }
}

/// Kafka's producer or Pub/Sub's publisher, as the generator uses them. Used by one thread.
struct BusPublisher {
    /// Queues an event (entity, key, value, headers, event time in ms); delivery is confirmed later.
    let send: (Entity, UnsafeRawBufferPointer, UnsafeRawBufferPointer, [KafkaHeader], Int64) throws -> Void
    /// Throws the first failed delivery so far, without waiting.
    let throwIfFailed: () throws -> Void
    /// Waits (at most the time given, on Kafka) until everything sent is confirmed; throws if anything failed.
    let flush: (Duration) throws -> Void
    /// Sent and not yet confirmed.
    let inFlight: () -> Int
}

/// A bronze sink on either bus, as a run drives it.
protocol RunBronzeSink: AnyObject {
    var monitor: SinkMonitor { get }
    var statistics: BronzeStatistics { get }
    var logger: Logger { get set }
    /// Until `stop` asks, or idle for the batching's `idleExit`.
    func run(until stop: StopSignal) throws
}

extension BronzeSink: RunBronzeSink {}
extension PubSubBronzeSink: RunBronzeSink {}

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSinks
import TestSupport
import XCTest

/// A silver sink on Kafka waits up to 60 s for the cluster to take its dead letters before it
/// records the rejects; an abandon (its stop's deadline passed) ends that wait. Nothing is lost:
/// the reject is not committed, so the next reader rejects it again (embedded broker, whose next
/// produce request, the letter's, is answered late).
final class KafkaDeadLetterStopTests: XCTestCase {
    func testAnAbandonEndsTheDeadLetterFlushAndTheRejectIsNotCommitted() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        try producer.send(
            topic: Entity.customers.topic, key: Array("CUS-00000001".utf8), value: Array("not json".utf8),
            timestampMs: SilverEvents.dimensionTimeMs)
        try producer.flush()
        // The sink's dead letter is the next produce request; it is answered as late as a backoff
        // an abandon must not wait out.
        try broker.pushRequestErrors([.noError], api: .produce, broker: 1, rtt: backoffAnAbandonMustNotWaitOut)
        var config = silverConfiguration(broker, grace: .seconds(5))
        config.idleExit = nil
        let sink = Handed(try SilverSink(configuration: config, warehouse: try freshSQLiteWarehouse(), catalog: silverCatalog))

        let stop = StopSignal()
        let letterAnsweredLate = { (try? broker.waitingErrors(broker: 1, api: .produce)) == 0 }
        let outcome = try abandonOnceFaulted(stop, faulted: letterAnsweredLate) { try sink.value.run(until: stop) }
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        let error = try XCTUnwrap(outcome.error as? KafkaError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped, error.message)
        XCTAssertTrue(
            error.message.hasPrefix("stopped while waiting for the cluster at \(broker.bootstrapServers) to take 1 message "), error.message
        )
        XCTAssertFalse(error.isTransient, "nobody should try again: the stop asked to give up")
        let partitions = (0..<silverCatalog[.customers].partitions).map { TopicPartition(Entity.customers.topic, Int32($0)) }
        for (lane, offset) in try committedOffsets(broker, group: config.groupId, partitions) {
            XCTAssertNil(offset, "\(lane): the reject is not committed, so it is read again")
        }
    }
}

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// Every module's error says itself whether trying again later may work (`isTransient`), and the
/// sinks retry on that alone: what needs a person stops them at once, with the error's sentence.
final class TransientErrorTests: XCTestCase {
    func testHTTPErrorsThatSayLaterAreTransient() {
        for status in [408, 429, 500, 502, 503, 504] {
            XCTAssertTrue(HTTPError(.status, "HTTP \(status)", status: status).isTransient, "\(status)")
        }
        for status in [400, 401, 403, 404, 409, 412] {
            XCTAssertFalse(HTTPError(.status, "HTTP \(status)", status: status).isTransient, "\(status)")
        }
        XCTAssertTrue(HTTPError(.transport, "connection reset").isTransient)
        XCTAssertTrue(HTTPError(.timeout, "no answer in 30 s").isTransient)
        XCTAssertFalse(HTTPError(.credentials, "refused").isTransient)
        XCTAssertFalse(HTTPError(.invalidRequest, "bad URL").isTransient)
    }

    func testALakeStoreThatFailedOtherwiseIsTransientUnlessItsAnswerSaysNot() {
        XCTAssertTrue(LakeError(.storage, "disk I/O error").isTransient, "a folder lake's I/O error")
        XCTAssertTrue(LakeError(.storage, "503", http: HTTPError(.status, "503", status: 503)).isTransient)
        XCTAssertFalse(LakeError(.storage, "400", http: HTTPError(.status, "400", status: 400)).isTransient)
        for code in [LakeError.Code.permissionDenied, .bucketNotFound, .credentials, .invalidName, .invalidURL, .alreadyExists, .corrupt] {
            XCTAssertFalse(LakeError(code, "\(code)").isTransient, "\(code)")
        }
    }

    func testAWarehouseErrorIsTransientWhenTheEngineIsBusyOrTheServiceSaysLater() {
        for reason in ["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED", "SQLITE_IOERR (778)", "SQLITE_FULL"] {
            XCTAssertTrue(WarehouseError(.sqlite, reason, reason: reason).isTransient, reason)
        }
        for reason in ["SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_CORRUPT", "SQLITE_NOTADB"] {
            XCTAssertFalse(WarehouseError(.sqlite, reason, reason: reason).isTransient, reason)
        }
        XCTAssertTrue(WarehouseError(.bigquery, "503", http: HTTPError(.status, "503", status: 503)).isTransient)
        XCTAssertFalse(WarehouseError(.bigquery, "400", http: HTTPError(.status, "400", status: 400)).isTransient)
        XCTAssertTrue(WarehouseError(.quotaExceeded, "quota").isTransient, "quotas refill")
        for code in [WarehouseError.Code.notFound, .query, .credentials, .permissionDenied, .invalidURL, .unsupported] {
            XCTAssertFalse(WarehouseError(code, "\(code)").isTransient, "\(code)")
        }
    }

    func testAKafkaErrorIsTransientWhenLibrdkafkaSaysItIsRetriableOrTheClusterIsOutOfReach() throws {
        for name in [
            "NOT_LEADER_FOR_PARTITION", "REQUEST_TIMED_OUT", "COORDINATOR_NOT_AVAILABLE", "_TRANSPORT", "_ALL_BROKERS_DOWN",
            "_MSG_TIMED_OUT",
        ] {
            let code = try XCTUnwrap(KafkaErrorCode(name: name))
            XCTAssertTrue(KafkaError(.consumer, name, rdkafkaCode: code.rawValue).isTransient, name)
        }
        for name in ["TOPIC_AUTHORIZATION_FAILED", "MSG_SIZE_TOO_LARGE", "_INVALID_ARG"] {
            let code = try XCTUnwrap(KafkaErrorCode(name: name))
            XCTAssertFalse(KafkaError(.consumer, name, rdkafkaCode: code.rawValue).isTransient, name)
        }
        XCTAssertTrue(KafkaError(.unreachable, "no broker answered").isTransient)
        XCTAssertFalse(KafkaError(.configuration, "unknown property").isTransient)
    }

    func testAnErrorOfNoKnownKindIsNotTakenForTransient() {
        struct Strange: Error {}
        XCTAssertFalse(Strange().isTransient)
        XCTAssertFalse(SinkError(.corrupt, "x").isTransient)
        XCTAssertEqual("\(SinkError(.corrupt, "one sentence"))", "one sentence")
    }

    /// A silver table dropped under a running sink: no number of inserts will land, so the sink
    /// (told to retry without end, as a long-running one is) stops at once and names the cause.
    func testASilverSinkStopsAtOnceOnAnInsertErrorRetryingCannotFix() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = try freshSQLiteWarehouse()
        var config = silverConfiguration(broker, grace: .seconds(5))
        config.idleExit = nil
        config.keepsTryingInserts = true
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)

        // One customer lands first: the sink has started, been assigned its partitions and read back
        // what silver holds (a table missing then stops it with that read-back's error instead).
        try producer.send(
            topic: Entity.customers.topic, key: Array("CUS-00000002".utf8), value: SilverEvents.customer("CUS-00000002"),
            timestampMs: SilverEvents.dimensionTimeMs)
        try producer.flush()
        var dropped = false
        let started = ContinuousClock.now
        let deadline = started + .seconds(40)
        var thrown: Error?
        do {
            try sink.run(shouldStop: {
                if !dropped && sink.statistics.totalRows > 0 {
                    try? warehouse.execute("DROP TABLE silver.customers")
                    try? producer.send(
                        topic: Entity.customers.topic, key: Array("CUS-00000001".utf8),
                        value: SilverEvents.customer("CUS-00000001"), timestampMs: SilverEvents.dimensionTimeMs)
                    try? producer.flush()
                    dropped = true
                }
                return ContinuousClock.now > deadline
            })
        } catch { thrown = error }

        let message = try XCTUnwrap(thrown.map { "\($0)" }, "the sink kept retrying until the test's deadline")
        XCTAssertTrue(message.hasPrefix("inserting into silver.customers failed in a way retrying cannot fix: "), message)
        XCTAssertTrue(message.contains("table silver.customers does not exist"), message)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(20), "stopped at once, not after retries")
        XCTAssertEqual(sink.statistics.retries, 0)
    }
}

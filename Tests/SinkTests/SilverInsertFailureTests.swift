import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

/// What the silver sink does when the warehouse fails an insert or is slow with it: retrying is the
/// warehouse's own business (BigQuery's budget, SQLite's busy timeout); the sink only stops or keeps
/// going, and a stop waits for the inserts under way.
final class SilverInsertFailureTests: XCTestCase {
    private let customers = TableName("silver", "customers")

    /// The answer SQLite gives when its busy timeout ran out: transient, and already waited for.
    private static let busy = WarehouseError(
        .sqlite, "inserting into silver.customers: database is locked, still after the busy timeout", reason: "SQLITE_BUSY")

    private func customerPartitions() -> [TopicPartition] {
        (0..<silverCatalog[.customers].partitions).map { TopicPartition(Entity.customers.topic, Int32($0)) }
    }

    /// Runs `sink` until it stops (within a minute) and gives what it stopped with, as text.
    private func stoppingMessage(of sink: SilverSink, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        do { try sink.run(shouldStop: { ContinuousClock.now > deadline }) } catch { return "\(error)" }
        return try XCTUnwrap(nil as String?, "the sink ended without an error", file: file, line: line)
    }

    /// No offset of the customers' partitions is committed in `group`.
    private func assertNothingCommitted(
        _ broker: EmbeddedBroker, group: String, _ why: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for (lane, offset) in try committedOffsets(broker, group: group, customerPartitions()) {
            XCTAssertNil(offset, "\(lane): \(why)", file: file, line: line)
        }
    }

    /// A sink that ends when idle does not stack its own tries on the warehouse's: the warehouse
    /// gave up once, so the sink stops after that one insert, says why in one sentence, and commits
    /// nothing of the rows that did not land.
    func testASinkThatEndsWhenIdleStopsAfterTheWarehouseGaveUpOnce() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        let customers = self.customers
        warehouse.beforeInsert = { table in if table == customers { throw Self.busy } }
        let config = silverConfiguration(broker, grace: .seconds(5))
        XCTAssertFalse(config.keepsTryingInserts, "the default")
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try publishDimensions(producer, customers: ["CUS-00000001"])

        let message = try stoppingMessage(of: sink)
        XCTAssertTrue(message.hasPrefix("inserting into silver.customers failed and the warehouse gave up retrying"), message)
        XCTAssertTrue(message.hasSuffix(Self.busy.message), message)
        XCTAssertEqual(warehouse.inserts(into: customers), 1, "one insert: the warehouse's tries are the only ones")
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["0"])
        try assertNothingCommitted(broker, group: config.groupId, "nothing committed past rows that did not land")
    }

    /// Offsets are committed only once the warehouse made the rows before them durable: when it
    /// cannot (a disk that fails its flush), the sink stops saying so and commits nothing, though
    /// the row is in the table (the next run reads it again and finds it there).
    func testOffsetsAreCommittedOnlyOnceTheWarehouseMadeTheRowsDurable() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        warehouse.beforeMakeDurable = {
            throw WarehouseError(.sqlite, "could not flush warehouse.silver.db-wal to disk: Input/output error")
        }
        let config = silverConfiguration(broker, grace: .seconds(5))
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try publishDimensions(producer, customers: ["CUS-00000001"])

        let message = try stoppingMessage(of: sink)
        XCTAssertTrue(message.hasPrefix("could not make the rows inserted into sqlite://"), message)
        XCTAssertTrue(message.hasSuffix("Input/output error"), message)
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["1"])
        try assertNothingCommitted(broker, group: config.groupId, "nothing committed before the rows are durable")
    }

    /// The sink's last commit of offsets comes after the warehouse made every insert durable.
    func testTheLastOffsetsCommittedFollowEveryInsertMadeDurable() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        let config = silverConfiguration(broker, grace: .seconds(5))
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try publishDimensions(producer, customers: ["CUS-00000001", "CUS-00000002"])

        try sink.run(shouldStop: { false })

        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["2"])
        XCTAssertGreaterThan(warehouse.insertsReturned, 0)
        XCTAssertEqual(warehouse.madeDurableAfterInserts.last, warehouse.insertsReturned, "made durable after the last insert")
        let committed = try committedOffsets(broker, group: config.groupId, customerPartitions()).values.compactMap { $0 }
        XCTAssertEqual(committed.reduce(0, +), 2, "both customers' offsets committed")
    }

    /// A sink that runs until stopped sends the rows again after its pause, for as long as the
    /// warehouse keeps giving up, and commits them once they are in.
    func testASinkThatRunsUntilStoppedSendsTheRowsAgainUntilTheyLand() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        let customers = self.customers
        warehouse.beforeInsert = { [unowned warehouse] table in
            if table == customers && warehouse.inserts(into: customers) <= 2 { throw Self.busy }
        }
        var config = silverConfiguration(broker, grace: .seconds(5))
        config.keepsTryingInserts = true
        config.insertRetryPause = .milliseconds(100)
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try publishDimensions(producer, customers: ["CUS-00000001"])

        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(shouldStop: { ContinuousClock.now > deadline })

        XCTAssertEqual(warehouse.inserts(into: customers), 3, "twice given up, the third landed")
        XCTAssertEqual(try column(warehouse, "SELECT customer_id FROM silver.customers"), ["CUS-00000001"])
        let committed = try committedOffsets(broker, group: config.groupId, customerPartitions())
        XCTAssertEqual(committed.values.compactMap { $0 }.reduce(0, +), 1, "the one customer is committed once it is in")
    }

    /// Asked to give up at once (`.abandon`, a shutdown deadline passed) while an insert is slow: the
    /// sink still waits for that insert to end before it returns (an insert cut by the process
    /// exiting can crash it inside libcurl), commits nothing more, and a run that reads the rows
    /// again finds them in silver rather than inserting them twice.
    func testAStopDuringASlowInsertWaitsForItAndItsRowsAreFoundWhenReadAgain() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        let customers = self.customers
        let entered = Latch()
        let release = DispatchSemaphore(value: 0)
        warehouse.beforeInsert = { table in
            guard table == customers else { return }
            entered.raise()
            _ = release.wait(timeout: .now() + 20)
            // A slow warehouse: the rows land well after the stop was asked.
            Thread.sleep(forTimeInterval: 0.5)
        }
        let config = silverConfiguration(broker, grace: .seconds(5))
        try publishDimensions(producer, customers: ["CUS-00000001"])

        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(asking: {
            guard entered.isRaised || ContinuousClock.now > deadline else { return .none }
            release.signal()
            return .abandon
        })
        XCTAssertTrue(entered.isRaised, "the customer's insert started")
        XCTAssertEqual(
            try column(warehouse, "SELECT customer_id FROM silver.customers"), ["CUS-00000001"],
            "the insert under way at the stop ended before run returned")
        try assertNothingCommitted(broker, group: config.groupId, "nothing committed after giving up")

        // Read again from the start (a group of its own: nothing committed), every row is found in silver.
        warehouse.beforeInsert = { _ in }
        var again = config
        again.groupId += "-again"
        let next = try SilverSink(configuration: again, warehouse: warehouse, catalog: silverCatalog)
        try next.run(shouldStop: { ContinuousClock.now > deadline })
        XCTAssertGreaterThanOrEqual(next.statistics.alreadyHeld, 1, "read again, found in silver")
        XCTAssertEqual(next.statistics.rows[.customers] ?? 0, 0)
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["1"], "not inserted twice")
    }

    /// What a newly assigned partition's read-back asks: which offsets past the committed one silver holds.
    private static let heldQuery = "_source_offset >="

    /// Asking silver what it holds past the committed offsets is retried by the warehouse only: a
    /// sink that ends when idle stops after the one query the warehouse gave up on, saying why, and
    /// inserts and commits nothing it read meanwhile.
    func testASinkThatEndsWhenIdleStopsOnceTheWarehouseGaveUpOnItsReadBack() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        warehouse.beforeQuery = { sql in if sql.contains(Self.heldQuery) { throw Self.busy } }
        let config = silverConfiguration(broker, grace: .seconds(5))
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try publishDimensions(producer, customers: ["CUS-00000001"])

        let message = try stoppingMessage(of: sink)
        XCTAssertTrue(message.contains("which messages past the committed offsets it already holds"), message)
        XCTAssertTrue(message.hasSuffix(Self.busy.message), message)
        XCTAssertEqual(warehouse.queries(containing: Self.heldQuery), 1, "one read-back: the warehouse's tries are the only ones")
        XCTAssertEqual(try column(warehouse, "SELECT COUNT(*) FROM silver.customers"), ["0"])
        try assertNothingCommitted(broker, group: config.groupId, "nothing committed")
    }

    /// A sink that runs until stopped asks again after its pause until silver answers, then lands
    /// what it read.
    func testASinkThatRunsUntilStoppedAsksAgainUntilItsReadBackIsAnswered() throws {
        let broker = try silverBroker()
        let producer = try silverProducer(broker)
        let warehouse = InterceptedWarehouse(try freshSQLiteWarehouse())
        warehouse.beforeQuery = { [unowned warehouse] sql in
            if sql.contains(Self.heldQuery) && warehouse.queries(containing: Self.heldQuery) <= 2 { throw Self.busy }
        }
        var config = silverConfiguration(broker, grace: .seconds(5))
        config.keepsTryingInserts = true
        config.insertRetryPause = .milliseconds(100)
        let sink = try SilverSink(configuration: config, warehouse: warehouse, catalog: silverCatalog)
        try publishDimensions(producer, customers: ["CUS-00000001"])

        let deadline = ContinuousClock.now + .seconds(60)
        try sink.run(shouldStop: { ContinuousClock.now > deadline })

        XCTAssertEqual(warehouse.queries(containing: Self.heldQuery), 3, "twice given up, the third answered")
        XCTAssertEqual(try column(warehouse, "SELECT customer_id FROM silver.customers"), ["CUS-00000001"])
    }
}

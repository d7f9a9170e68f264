import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import TestSupport
import XCTest

// Helpers of the silver sink tests (the bronze ones are in Utilities.swift).

let silverCatalog: TopicCatalog = try! TopicCatalog.load(directory: TopicCatalog.sourceDirectory)

/// sql/ applied to `warehouse`, as `shopstream warehouse init` does; no drift expected.
func initialiseSilver(_ warehouse: any Warehouse, file: StaticString = #filePath, line: UInt = #line) throws {
    let setup = WarehouseSetup(
        warehouse: warehouse, sqlDirectory: TopicCatalog.sourceDirectory.deletingLastPathComponent().appendingPathComponent("sql"),
        schema: try SilverSchema(catalog: silverCatalog))
    XCTAssertEqual(try setup.apply(), [], "no drift after init", file: file, line: line)
}

/// A new SQLite warehouse file in a temporary directory, with sql/ applied, durable when the sink
/// asks (as `shopstream sink silver` opens it).
func freshSQLiteWarehouse() throws -> any Warehouse {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wh-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let warehouse = try makeWarehouse(url: "sqlite://\(dir.path)/warehouse.db", durability: .onMakeDurable)
    try initialiseSilver(warehouse)
    return warehouse
}

/// The BigQuery emulator's warehouse (BIGQUERY_EMULATOR_HOST), with sql/ applied and every silver
/// table emptied (the emulator lives for the whole test run); skipped without the emulator, except
/// under CI=true.
func emptiedEmulatorWarehouse() throws -> any Warehouse {
    _ = try requiredEnvironment("BIGQUERY_EMULATOR_HOST")
    let warehouse = try makeWarehouse(url: "bigquery://shopstream")
    try initialiseSilver(warehouse)
    for table in try SilverSchema(catalog: silverCatalog).allTables {
        try warehouse.execute("DELETE FROM \(table.name) WHERE TRUE;")
    }
    return warehouse
}

/// An embedded broker with every topic of the catalog, empty.
func silverBroker() throws -> EmbeddedBroker {
    try EmbeddedBroker(topics: silverCatalog.definitions)
}

func silverProducer(_ broker: EmbeddedBroker) throws -> Producer {
    try Producer(configuration: ProducerConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers)))
}

/// The sink's configuration for a test: its own consumer group, a short idle exit.
func silverConfiguration(_ broker: EmbeddedBroker, grace: Duration) -> SilverConfiguration {
    var config = SilverConfiguration(connection: KafkaConnection(bootstrapServers: broker.bootstrapServers))
    config.groupId = "silver-\(UUID().uuidString.prefix(8))"
    config.idleExit = .seconds(2)
    config.referenceGrace = grace
    return config
}

/// Valid events of the star schema, as the generator writes them (ids chosen by the test).
enum SilverEvents {
    /// The record time of `sale(…)` (its event_time, 2025-03-21T00:01:38.974+05:00), in ms.
    static let saleTimeMs: Int64 = 1_742_497_298_974
    /// The record time of the dimensions (2025-01-01T00:00:00+05:00), in ms.
    static let dimensionTimeMs: Int64 = 1_735_671_600_000

    static func customer(_ id: String) -> [UInt8] {
        Array(
            #"{"event_id":"\#(eventId())","event_time":"2025-01-01T00:00:00.000+05:00","customer_id":"\#(id)","full_name":"Umar Siddiqui","gender":"Male","age":31,"email":"umarsiddiqui1@gmail.com","phone":"+923172128195","city":"Faisalabad","province":"Punjab","loyalty_tier":"Bronze","signup_date":"2024-12-10"}"#
                .utf8)
    }

    static func product(_ id: String) -> [UInt8] {
        Array(
            #"{"event_id":"\#(eventId())","event_time":"2025-01-01T00:00:00.000+05:00","product_id":"\#(id)","sku":"APL-AUD-001","model_name":"AirPods Pro 2 (USB-C)","category":"Audio","brand":"Apple","compatible_with":"iPhone, iPad, Mac","base_price":74999.00,"launch_date":"2023-09-22"}"#
                .utf8)
    }

    static func store(_ id: String) -> [UInt8] {
        Array(
            #"{"event_id":"\#(eventId())","event_time":"2025-01-01T00:00:00.000+05:00","store_id":"\#(id)","store_name":"ShopStream Dolmen Mall Clifton","city":"Karachi","region":"South","address":"Shop 114, Dolmen Mall, Block 4, Clifton, Karachi","opened_date":"2017-03-18","type":"Mall"}"#
                .utf8)
    }

    /// Sale number `n` (sale_id SAL-000000000n) of one unit, by `customer`, of PRD-0001 at STR-01.
    static func sale(_ n: Int, customer: String, product: String = "PRD-0001", store: String = "STR-01") -> [UInt8] {
        let saleId = self.saleId(n)
        return Array(
            #"{"event_id":"\#(eventId())","event_time":"2025-03-21T00:01:38.974+05:00","sale_id":"\#(saleId)","sale_date":"2025-03-21","customer_id":"\#(customer)","product_id":"\#(product)","store_id":"\#(store)","salesperson":"Umar Anwar","channel":"WhatsApp","quantity":1,"unit_price":2299.00,"discount":340.00,"promotion":"Ramadan Offer","total_price":1959.00}"#
                .utf8)
    }

    /// `SAL-000000000n`, the id of `sale(n, …)` and its record key.
    static func saleId(_ n: Int) -> String {
        "SAL-" + String(repeating: "0", count: max(0, 10 - String(n).count)) + String(n)
    }

    /// Payment number `n` (payment_id PAY-000000000n) of sale `saleId`.
    static func payment(_ n: Int, sale saleId: String) -> [UInt8] {
        let paymentId = "PAY-" + String(repeating: "0", count: max(0, 10 - String(n).count)) + String(n)
        return Array(
            #"{"event_id":"\#(eventId())","event_time":"2025-03-21T00:22:21.696+05:00","payment_id":"\#(paymentId)","sale_id":"\#(saleId)","payment_method":"Bank Transfer","amount":1959.00,"currency":"PKR","status":"Completed","paid_at":"2025-03-21T00:22:21.696+05:00"}"#
                .utf8)
    }

    private static func eventId() -> String { UUID().uuidString.lowercased() }
}

/// Publishes product PRD-0001 and store STR-01 (and the customers given), and waits until Kafka has them.
func publishDimensions(_ producer: Producer, customers: [String] = []) throws {
    try producer.send(
        topic: Entity.products.topic, key: Array("PRD-0001".utf8), value: SilverEvents.product("PRD-0001"),
        timestampMs: SilverEvents.dimensionTimeMs)
    try producer.send(
        topic: Entity.stores.topic, key: Array("STR-01".utf8), value: SilverEvents.store("STR-01"),
        timestampMs: SilverEvents.dimensionTimeMs)
    for id in customers {
        try producer.send(
            topic: Entity.customers.topic, key: Array(id.utf8), value: SilverEvents.customer(id), timestampMs: SilverEvents.dimensionTimeMs)
    }
    try producer.flush()
}

/// The first column of every row, as text.
func column(_ warehouse: any Warehouse, _ sql: String) throws -> [String?] {
    try warehouse.query(sql).rows.map { $0[0] }
}

extension Duration {
    /// In seconds, for Foundation's sleeps.
    var timeInterval: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A warehouse that is `inner`, except that each insert into a table goes first through
/// `beforeInsert` (on the insert thread), and each query through `beforeQuery`, which may throw or
/// take their time: a warehouse failing or slow on demand. Counts the inserts into each table and
/// keeps the queries asked.
final class InterceptedWarehouse: Warehouse, @unchecked Sendable {
    // @unchecked: `calls` is touched only while `lock` is held; `beforeInsert` is set before use.
    let inner: any Warehouse
    var beforeInsert: @Sendable (TableName) throws -> Void = { _ in }
    var beforeQuery: @Sendable (String) throws -> Void = { _ in }
    var beforeMakeDurable: @Sendable () throws -> Void = {}
    private let lock = NSLock()
    private var calls: [TableName: Int] = [:]
    private var asked: [String] = []
    private var returned = 0
    private var durableAfter: [Int] = []

    init(_ inner: any Warehouse) { self.inner = inner }

    /// Inserts tried into `table` so far.
    func inserts(into table: TableName) -> Int { lock.withLock { calls[table] ?? 0 } }

    /// Per `makeDurable` call so far, how many inserts had returned before it.
    var madeDurableAfterInserts: [Int] { lock.withLock { durableAfter } }

    /// Inserts returned so far.
    var insertsReturned: Int { lock.withLock { returned } }

    /// Queries asked so far whose SQL contains `text`.
    func queries(containing text: String) -> Int { lock.withLock { asked.filter { $0.contains(text) }.count } }

    var url: String { inner.url }
    var dialect: SQLDialect { inner.dialect }
    func execute(_ sql: String) throws { try inner.execute(sql) }
    func executeTransaction(_ sql: String) throws { try inner.executeTransaction(sql) }
    func query(_ sql: String) throws -> QueryResult {
        try asking(sql)
        return try inner.query(sql)
    }
    func forEachRow(_ sql: String, _ body: ([String?]) throws -> Void) throws {
        try asking(sql)
        try inner.forEachRow(sql, body)
    }
    private func asking(_ sql: String) throws {
        lock.withLock { asked.append(sql) }
        try beforeQuery(sql)
    }
    func columns(of table: TableName) throws -> [Column]? { try inner.columns(of: table) }
    func createDataset(_ name: String) throws { try inner.createDataset(name) }
    func takeRetries() -> RetrySummary { inner.takeRetries() }
    /// The inner warehouse's unless set.
    var rowsPerInsertGiven: Int?
    var rowsPerInsert: Int { rowsPerInsertGiven ?? inner.rowsPerInsert }

    func makeDurable() throws {
        try beforeMakeDurable()
        try inner.makeDurable()
        lock.withLock { durableAfter.append(returned) }
    }

    func insert(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] {
        lock.withLock { calls[table, default: 0] += 1 }
        try beforeInsert(table)
        defer { lock.withLock { returned += 1 } }
        return try inner.insert(into: table, rows: rows)
    }
}

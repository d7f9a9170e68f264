import Dispatch
import Foundation
import ShopStreamCore
import ShopStreamSilver
import ShopStreamWarehouse

/// Loads generated events straight into silver, without Kafka: for histories larger than
/// a broker at hand holds (the embedded one keeps about a year), benchmarks and demos.
///
/// Every event is validated and typed exactly as the silver sink does, and a refused one is
/// counted and kept out. What it does not do is the sink's reference gate: the generator
/// only ever refers to what it published before, so order alone keeps facts after their
/// dimensions. Rows carry `_source_partition = -1` and a per-topic sequence as `_source_offset`,
/// so they are never mistaken for records read from Kafka (and insert ids never collide
/// with theirs). Loading the same seed twice adds copies that the views and gold
/// de-duplicate by event_id.
///
/// An `EventSink`: `Simulator.run(days:into:)` feeds it; `finish()` waits for every insert.
///
/// `@unchecked Sendable`: the feeding thread alone touches `buffers`, `offsets`, `skipping` and the
/// validator (`emit`, `sync`, `finish`); the worker threads touch only the semaphore and `totals`,
/// which `lock` guards.
public final class SilverBackfill: EventSink, @unchecked Sendable {
    public struct Totals: Sendable {
        public var rowsByEntity = [Int](repeating: 0, count: Entity.allCases.count)
        public var refused = 0
        public var failedRows = 0
        public var firstProblem: String?
        public var rows: Int { rowsByEntity.reduce(0, +) }
    }

    public let warehouse: any Warehouse
    public let batchSize: Int
    /// While true, events only advance the per-topic sequence and are not loaded: simulate the
    /// days an earlier backfill of the same seed loaded, then load the days after them.
    public var skipping = false
    private let validator: EventValidator
    private let schema: SilverSchema
    private let topics: [String]
    private var buffers: [[WarehouseRow]]
    private var offsets: [Int64]
    private let slots: DispatchSemaphore
    private let capacity: Int
    private let lock = NSLock()
    private var totals = Totals()
    /// Set once at the end of `init` (its threads call back into `self`).
    private var inserts: WorkerPool<(Entity, [WarehouseRow]), Void>?
    private let ingestedAt = Date()

    /// `workers` inserts run at once (BigQuery gains from several; SQLite serialises them).
    public init(
        warehouse: any Warehouse, catalog: TopicCatalog, rules: SanityRules = SanityRules(),
        batchSize: Int = 2000, workers: Int = 1
    ) throws {
        guard batchSize > 0, workers > 0 else { throw SinkError(.invalidArgument, "backfill: batch size and workers must be positive") }
        self.warehouse = warehouse
        self.batchSize = batchSize
        validator = try EventValidator(catalog: catalog, rules: rules)
        schema = validator.schema
        topics = Entity.allCases.map { catalog[$0].name }
        buffers = Array(repeating: [], count: Entity.allCases.count)
        offsets = Array(repeating: 0, count: Entity.allCases.count)
        capacity = workers * 2
        slots = DispatchSemaphore(value: capacity)
        inserts = WorkerPool(count: workers, name: "backfill") { [self] (entity, rows) in
            insert(rows, entity: entity)
            slots.signal()
        }
    }

    public func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        let i = entity.index
        let offset = offsets[i]
        offsets[i] += 1
        if skipping { return true }
        switch validator.validate(value, entity: entity, now: Date()) {
        case .success(let event):
            let source = SourceCoordinates.kafka(topic: topics[i], partition: -1, offset: offset, timestampMs: timestampMs)
            buffers[i].append(
                SilverRow.make(entity: entity, event: event, source: source, ingestedAt: ingestedAt, insertId: source.insertId))
            if buffers[i].count >= batchSize { flush(entity) }
        case .failure(let rejection):
            lock.withLock {
                totals.refused += 1
                if totals.firstProblem == nil { totals.firstProblem = "\(topics[i]) offset \(offset): \(rejection)" }
            }
        }
        return true
    }

    /// Sends what is buffered, waits for every insert, and returns the totals.
    public func finish() -> Totals {
        for entity in Entity.allCases { flush(entity) }
        inserts?.close()
        inserts?.waitForThreads(timeout: nil)
        return lock.withLock { totals }
    }

    /// Sends what is buffered and waits until every insert so far has finished; the backfill
    /// goes on taking events (e.g. one simulated day at a time, a compaction between).
    public func sync() {
        for entity in Entity.allCases { flush(entity) }
        for _ in 0..<capacity { slots.wait() }
        for _ in 0..<capacity { slots.signal() }
    }

    public var progress: Totals { lock.withLock { totals } }

    private func flush(_ entity: Entity) {
        let rows = buffers[entity.index]
        guard !rows.isEmpty else { return }
        buffers[entity.index] = []
        slots.wait()  // back-pressure: at most two batches a worker in flight
        inserts?.put((entity, rows))
    }

    private func insert(_ rows: [WarehouseRow], entity: Entity) {
        let table = schema.table(for: entity).name
        do {
            let failures = try warehouse.insert(into: table, rows: rows)
            lock.withLock {
                totals.rowsByEntity[entity.index] += rows.count - failures.count
                totals.failedRows += failures.count
                if let first = failures.first, totals.firstProblem == nil { totals.firstProblem = "\(table): \(first)" }
            }
        } catch {
            lock.withLock {
                totals.failedRows += rows.count
                if totals.firstProblem == nil { totals.firstProblem = "\(table): \(error)" }
            }
        }
    }
}

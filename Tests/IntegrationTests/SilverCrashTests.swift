import Foundation
import ShopStreamBus
import ShopStreamCore
import TestSupport
import XCTest

@testable import ShopStreamGenerator

/// `shopstream sink silver` as a process, stopped the hard way (SIGKILL while the generator
/// publishes) and the soft way (SIGTERM in the middle of a backlog), into SQLite. A restart reads
/// again from the group's committed offsets what the stopped run had inserted past its commit; it
/// asks silver first and inserts none of it again: every event once in the raw tables, nothing lost.
final class SilverCrashTests: XCTestCase {
    static let kills = 5

    func testKilledAtRandomSilverLosesNothingAndHoldsEveryEventExactlyOnce() throws {
        let seed = ProcessInfo.processInfo.environment["SILVER_CRASH_SEED"].flatMap { UInt64($0) } ?? 20_250_601
        var random = Xoshiro256(seed: seed)
        print("silver crash test seed \(seed) (SILVER_CRASH_SEED=\(seed) replays the kill schedule)")
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let silver = try Silver(broker: broker)

        // About thirty seconds of live publishing: the kills land while events still arrive.
        let generator = Process()
        generator.executableURL = try shopstreamBinary()
        generator.arguments = ["generate", "--brokers", broker.bootstrap, "--events", "12000", "--rate", "400", "--seed", "7", "-q"]
        let generatorOut = Pipe()
        generator.standardOutput = generatorOut
        generator.standardError = FileHandle.nullDevice
        try generator.run()
        defer { if generator.isRunning { generator.terminate() } }

        var leftPastCommit: [TopicPartition: Int] = [:]  // by the last kill: what a restart reads again
        var readAgain = 0, killedRows: [Int] = []
        for round in 0..<Self.kills {
            let before = try silver.tally()
            let committedBefore = try silver.committed()
            let sink = try silver.startSink(label: "kill-\(round)")
            // Kill it only once it inserted, and committed past all silver held when it started
            // (everything it reads again): so a kill never finds a replay uncommitted, and a row
            // is inserted at most twice. A sink that does not commit as it goes never gets here.
            let deadline = Date().addingTimeInterval(60)
            var committedAsItWent = false
            while !committedAsItWent && Date() < deadline && sink.isRunning {
                Thread.sleep(forTimeInterval: 0.2)
                let now = try silver.tally(), committed = try silver.committed()
                let inserted = now.values.map(\.rows).reduce(0, +) > before.values.map(\.rows).reduce(0, +)
                let moved = committed.contains { tp, offset in (offset ?? 0) > ((committedBefore[tp] ?? nil) ?? 0) }
                let pastStart = before.allSatisfy { tp, t in ((committed[tp] ?? nil) ?? 0) > t.maxOffset }
                committedAsItWent = inserted && moved && pastStart
            }
            guard committedAsItWent else {
                kill(sink.processIdentifier, SIGKILL)
                sink.waitUntilExit()
                return XCTFail(
                    "run \(round) did not insert and commit past what silver held when it started within 60 s: \(try silver.committed())")
            }
            Thread.sleep(forTimeInterval: random.unit())
            // Killed, if it comes within five seconds, while rows are in silver past the commit: what
            // the restart reads again and must find there.
            let until = Date().addingTimeInterval(5)
            while Date() < until, try silver.rowsAtOrPast(try silver.committed()).values.reduce(0, +) == 0 {
                Thread.sleep(forTimeInterval: 0.05)
            }
            kill(sink.processIdentifier, SIGKILL)
            sink.waitUntilExit()

            let after = try silver.tally()
            killedRows.append(after.values.map(\.rows).reduce(0, +))
            XCTAssertGreaterThan(killedRows.last!, before.values.map(\.rows).reduce(0, +), "run \(round) was killed after it inserted")
            let again = silver.checkNothingReinserted(from: before, to: after, run: "run \(round)")
            let readBack = leftPastCommit.values.reduce(0, +)
            readAgain += readBack
            leftPastCommit = try silver.rowsAtOrPast(try silver.committed())
            print(
                "run \(round): \(killedRows.last! - before.values.map(\.rows).reduce(0, +)) rows, \(again) of them again (\(readBack) read again, already in silver); killed with \(leftPastCommit.values.reduce(0, +)) past its commit"
            )
        }
        generator.waitUntilExit()
        XCTAssertEqual(generator.terminationStatus, 0)
        let published = String(decoding: generatorOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(published.contains("published 12,000 events"), published)

        // A last, clean run drains the rest.
        let before = try silver.tally()
        let last = try shopstream(silver.sinkArguments + ["--idle-exit", "3s"], timeout: 180)
        XCTAssertEqual(last.status, 0, last.stderr)
        silver.checkNothingReinserted(from: before, to: try silver.tally(), run: "the last run")
        let lastReadAgain = leftPastCommit.values.reduce(0, +)
        readAgain += lastReadAgain
        if lastReadAgain > 0 {
            XCTAssertTrue(
                last.stdout.contains("already in silver: \(lastReadAgain) messages"),
                "the last run reports the \(lastReadAgain) messages it found in silver: \(last.stdout)")
        }
        print("rows after each kill: \(killedRows); rows read again by the restarts, found in silver and not inserted: \(readAgain)")
        // Else no restart had anything to find, and this test proved nothing about it.
        XCTAssertGreaterThan(readAgain, 0, "the kills left rows past the commit for the restarts to read again")

        try silver.checkEveryEventOnce(published: published)
        XCTAssertEqual(try silver.scalar("SELECT COUNT(*) FROM silver.rejects"), 0, "a clean stream has no rejects")
    }

    func testSigtermMidBacklogExits0WithEverythingItReportedCommittedAndTheNextRunLandsTheRest() throws {
        let broker = try BrokerProcess()
        defer { broker.stop() }
        let silver = try Silver(broker: broker)
        let generate = try shopstream(["generate", "--brokers", broker.bootstrap, "--events", "12000", "--seed", "7", "-q"])
        XCTAssertEqual(generate.status, 0, generate.stderr)

        // At most 50 × 40 rows read ahead of the inserts: the backlog takes several seconds.
        let sink = try silver.startSink(label: "sigterm", extra: ["--max-rows", "50"])
        var rowsBefore = 0
        let deadline = Date().addingTimeInterval(60)
        while rowsBefore == 0 && Date() < deadline && sink.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
            rowsBefore = try silver.tally().values.map(\.rows).reduce(0, +)
        }
        kill(sink.processIdentifier, SIGTERM)
        let signalled = Date()
        while sink.isRunning && Date().timeIntervalSince(signalled) < 60 { Thread.sleep(forTimeInterval: 0.05) }
        if sink.isRunning { kill(sink.processIdentifier, SIGKILL) }
        sink.waitUntilExit()
        let stopped = silver.output("sigterm")
        print(
            "SIGTERM after \(rowsBefore) rows; exited \(sink.terminationStatus) \(String(format: "%.1f", Date().timeIntervalSince(signalled))) s later:\n\(stopped)"
        )
        XCTAssertEqual(sink.terminationReason, .exit)
        XCTAssertEqual(sink.terminationStatus, 0, "SIGTERM: insert, commit, summary, exit 0\n\(silver.errors("sigterm"))")

        let tally = try silver.tally()
        let rows = tally.values.map(\.rows).reduce(0, +)
        XCTAssertGreaterThan(rowsBefore, 0, "signalled once rows were landing")
        XCTAssertLessThan(rows, 12_000, "signalled while the backlog was being read")
        XCTAssertTrue(
            stopped.contains("silver: \(rows) rows, 0 rejected"), "the summary reports what is in silver (\(rows) rows): \(stopped)")

        // Everything it inserted is committed, except rows behind a fact it left waiting for its
        // dimension: where the commit stops short of rows in silver, it stops at a message that is
        // not in silver. And nothing below a commit is missing.
        let committed = try silver.committed()
        let offsets = silver.offsetCase(committed)
        let below = try silver.perPartition("COUNT(DISTINCT _source_offset)", where: { "_source_offset < \(offsets($0))" })
        let past = try silver.rowsAtOrPast(committed)
        for tp in silver.partitions {
            XCTAssertEqual(Int64(below[tp] ?? 0), (committed[tp] ?? nil) ?? 0, "\(tp): every offset below the commit is in silver")
            guard let n = past[tp], n > 0, let c = committed[tp] ?? nil else { continue }
            XCTAssertTrue(
                Self.factTopics.contains(tp.topic), "\(tp): \(n) rows past the commit at \(c), which only a waiting fact explains")
            XCTAssertEqual(
                try silver.scalar(
                    "SELECT COUNT(*) FROM silver.\(tp.topic.dropFirst(5)) WHERE _source_partition = \(tp.partition) AND _source_offset = \(c)"
                ), 0,
                "\(tp): the commit stops at a message not in silver (the fact left waiting), not at an inserted row")
        }
        let leftPastCommit = past.values.reduce(0, +)
        print("rows past the commit (behind facts left waiting): \(leftPastCommit)")

        // The same group carries on from the commits: the rest lands, and what was past a commit is
        // read again, found in silver and not inserted a second time.
        let rest = try shopstream(silver.sinkArguments + ["--idle-exit", "3s"], timeout: 180)
        XCTAssertEqual(rest.status, 0, rest.stderr)
        silver.checkNothingReinserted(from: tally, to: try silver.tally(), run: "the second run")
        if leftPastCommit > 0 {
            XCTAssertTrue(
                rest.stdout.contains("already in silver: \(leftPastCommit) messages"),
                "the second run reports the \(leftPastCommit) rows past the first run's commit as already in silver: \(rest.stdout)")
        }
        try silver.checkEveryEventOnce(published: generate.stdout)
    }

    /// Topics of events that reference others, and so may wait.
    static let factTopics: Set = ["shop.inventory", "shop.sales", "shop.payments", "shop.shipping"]
}

/// One broker's silver: the SQLite warehouse, the sink's group and the queries the tests ask.
private final class Silver {
    let broker: BrokerProcess
    let directory: URL
    let warehouse: String
    let partitions: [TopicPartition]
    let connection: KafkaConnection

    /// The killed member stays in the group until its session times out. librdkafka's mock
    /// cluster answers a member joining an empty group only after 3 s, so a shorter session
    /// (2 s) never gets partitions: 3 s is the shortest that works.
    var sinkArguments: [String] {
        [
            "sink", "silver", "--brokers", broker.bootstrap, "--warehouse", warehouse, "-q",
            "-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300",
        ]
    }

    init(broker: BrokerProcess) throws {
        self.broker = broker
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("silver-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        warehouse = "sqlite://\(directory.path)/warehouse.db"
        connection = KafkaConnection(bootstrapServers: broker.bootstrap)
        let catalog = try TopicCatalog.load(directory: TopicCatalog.sourceDirectory)
        partitions = catalog.definitions.filter { Entity(topic: $0.name) != nil }
            .flatMap { d in (0..<d.partitions).map { TopicPartition(d.name, Int32($0)) } }
        let initialised = try shopstream(["warehouse", "init", "--warehouse", warehouse])
        XCTAssertEqual(initialised.status, 0, initialised.stderr)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// `shopstream sink silver` in the background, its output in files named after `label`.
    func startSink(label: String, extra: [String] = []) throws -> Process {
        let sink = Process()
        sink.executableURL = try shopstreamBinary()
        sink.arguments = sinkArguments + extra
        for suffix in ["out", "err"] {
            FileManager.default.createFile(atPath: directory.appendingPathComponent("\(label).\(suffix)").path, contents: nil)
        }
        sink.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("\(label).out"))
        sink.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("\(label).err"))
        sink.standardInput = FileHandle.nullDevice
        try sink.run()
        return sink
    }

    func output(_ label: String) -> String { read("\(label).out") }
    func errors(_ label: String) -> String { read("\(label).err") }
    private func read(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) ?? Data(), as: UTF8.self)
    }

    /// The silver group's committed offsets (read from outside the group: it does not rebalance).
    func committed() throws -> [TopicPartition: Int64?] {
        try Consumer.committed(partitions, groupId: "shopstream-silver", connection: connection)
    }

    // MARK: Queries

    struct Tally {
        var rows = 0
        /// Distinct insert ids (`topic:partition:offset`): messages in silver.
        var ids = 0
        var maxOffset: Int64 = -1
    }

    /// The raw tables per Kafka partition.
    func tally() throws -> [TopicPartition: Tally] {
        let sql = Entity.allCases.map {
            "SELECT _source_topic, _source_partition, COUNT(*), COUNT(DISTINCT _insert_id), MAX(_source_offset) FROM silver.\($0.rawValue) GROUP BY _source_topic, _source_partition"
        }.joined(separator: " UNION ALL ")
        var out: [TopicPartition: Tally] = [:]
        for row in try rows(sql) {
            out[TopicPartition(row[0], Int32(row[1]) ?? -1)] = Tally(
                rows: Int(row[2]) ?? -1, ids: Int(row[3]) ?? -1, maxOffset: Int64(row[4]) ?? -1)
        }
        return out
    }

    /// `expression` per Kafka partition over the raw tables, for rows matching `condition`.
    func perPartition(_ expression: String, where condition: (Entity) -> String) throws -> [TopicPartition: Int] {
        let sql = Entity.allCases.map {
            "SELECT _source_topic, _source_partition, \(expression) FROM silver.\($0.rawValue) WHERE \(condition($0)) GROUP BY _source_topic, _source_partition"
        }.joined(separator: " UNION ALL ")
        var out: [TopicPartition: Int] = [:]
        for row in try rows(sql) { out[TopicPartition(row[0], Int32(row[1]) ?? -1)] = Int(row[2]) ?? -1 }
        return out
    }

    /// The committed offset of each partition of `entity`'s topic, as SQL over `_source_partition`.
    func offsetCase(_ committed: [TopicPartition: Int64?]) -> (Entity) -> String {
        { entity in
            let whens = self.partitions.filter { $0.topic == entity.topic }
                .map { "WHEN \($0.partition) THEN \((committed[$0] ?? nil) ?? 0)" }.joined(separator: " ")
            return "CASE _source_partition \(whens) ELSE 0 END"
        }
    }

    /// Messages in silver at or past each partition's committed offset: what a restart reads again.
    func rowsAtOrPast(_ committed: [TopicPartition: Int64?]) throws -> [TopicPartition: Int] {
        let offsets = offsetCase(committed)
        return try perPartition("COUNT(DISTINCT _insert_id)", where: { "_source_offset >= \(offsets($0))" })
    }

    /// No row a run added is a copy of a message already in silver. Returns how many were.
    @discardableResult
    func checkNothingReinserted(
        from before: [TopicPartition: Tally], to after: [TopicPartition: Tally], run: String, file: StaticString = #filePath,
        line: UInt = #line
    ) -> Int {
        var total = 0
        for tp in partitions {
            let b = before[tp] ?? Tally(), a = after[tp] ?? Tally()
            let again = (a.rows - b.rows) - (a.ids - b.ids)
            total += again
            XCTAssertEqual(again, 0, "\(run) inserted \(again) rows of \(tp) that silver already held", file: file, line: line)
        }
        return total
    }

    /// Every published event is in silver, and every message exactly once in the raw tables; no
    /// event under two insert ids; every _current view has one row per id; and the group committed
    /// every partition to its end.
    func checkEveryEventOnce(published summary: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var total = 0
        for entity in Entity.allCases {
            let t = "silver.\(entity.rawValue)"
            let expected = Self.count(in: summary, topic: entity.topic)
            let row = try rows(
                """
                SELECT COUNT(DISTINCT event_id) AS events, COUNT(*) AS rows_,
                  (SELECT COUNT(*) FROM (SELECT event_id FROM \(t) GROUP BY event_id HAVING COUNT(DISTINCT _insert_id) > 1)) AS two_ids,
                  (SELECT COUNT(*) FROM (SELECT _source_topic, _source_partition, _source_offset, COUNT(*) FROM \(t)
                     GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)) AS repeated
                FROM \(t)
                """)[0].map { Int($0) ?? -1 }
            XCTAssertEqual(row[0], expected, "\(t): every published event is in silver", file: file, line: line)
            XCTAssertEqual(row[1], expected, "\(t): one row per published event", file: file, line: line)
            XCTAssertEqual(row[2], 0, "\(t): no event under two insert ids", file: file, line: line)
            XCTAssertEqual(row[3], 0, "\(t): no Kafka message in the raw table twice", file: file, line: line)
            total += expected
        }
        XCTAssertEqual(total, 12_000, file: file, line: line)
        for (view, key) in [
            ("customers_current", "customer_id"), ("products_current", "product_id"), ("stores_current", "store_id"),
            ("inventory_current", "inventory_id"),
        ] {
            let table = String(view.dropLast("_current".count))
            let r = try rows(
                "SELECT COUNT(*), COUNT(DISTINCT \(key)), (SELECT COUNT(DISTINCT \(key)) FROM silver.\(table)) FROM silver.\(view)")[0]
            XCTAssertEqual(r[0], r[1], "silver.\(view): one row per \(key)", file: file, line: line)
            XCTAssertEqual(r[1], r[2], "silver.\(view): every \(key) of silver.\(table)", file: file, line: line)
        }
        let admin = try TopicAdmin(connection: connection)
        let committed = try self.committed()
        for topic in Set(partitions.map(\.topic)) {
            let marks = try admin.watermarks(topic, partitions: partitions.filter { $0.topic == topic }.count)
            for (p, mark) in marks.enumerated() {
                let tp = TopicPartition(topic, Int32(p))
                XCTAssertEqual(
                    (committed[tp] ?? nil) ?? 0, mark.high, "\(tp): committed to its end by the clean run", file: file, line: line)
            }
        }
    }

    func scalar(_ sql: String) throws -> Int { Int(try rows(sql)[0][0]) ?? -1 }

    /// `shopstream warehouse query`'s rows (tab-separated, after the header).
    private func rows(_ sql: String) throws -> [[String]] {
        let r = try shopstream(["warehouse", "query", "--warehouse", warehouse, sql])
        guard r.status == 0 else {
            XCTFail("warehouse query failed: \(r.stderr)\n\(sql)")
            throw CommandFailure()
        }
        return r.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// The per-topic count from `shopstream generate`'s summary.
    static func count(in summary: String, topic: String) -> Int {
        guard let line = summary.split(separator: "\n").first(where: { $0.split(separator: " ").first.map(String.init) == topic }) else {
            return -1
        }
        return Int(line.split(separator: " ")[1].replacingOccurrences(of: ",", with: "")) ?? -1
    }
}

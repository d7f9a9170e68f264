import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake
import TestSupport
import XCTest

// The bronze tests drive the `shopstream` binary as separate processes against real local
// stand-ins: `shopstream broker`, fake-gcs-server, and Tests/Fixtures/faultproxy.py between the
// two. The binary, tools and `Child` (a process whose output goes to files, so a test can
// SIGKILL it and still read what it said) come from TestSupport; what is here is bronze's own:
// the fault proxy and the exactly-once check.

// MARK: - Processes

/// How a command ended.
struct RunResult: CustomStringConvertible {
    var status: Int32?
    var stdout: String
    var stderr: String

    /// The `error: …` lines on stderr.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error:") } }
    var description: String { "exit \(status.map(String.init) ?? "timeout")\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// Runs `shopstream` to the end (killed after `timeout`, which fails the test).
func runShopstream(
    _ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 120,
    directory: String, label: String? = nil, file: StaticString = #filePath, line: UInt = #line
) throws -> RunResult {
    let child = try Child(
        try shopstreamBinary(), arguments, environment: environment, directory: directory,
        label: label.map { "\($0)-\(UUID().uuidString.prefix(4))" }
            ?? "\(arguments.prefix(2).joined(separator: "-"))-\(UUID().uuidString.prefix(6))")
    let status = child.wait(timeout: timeout)
    if status == nil {
        XCTFail("shopstream \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s", file: file, line: line)
    }
    return RunResult(status: status, stdout: child.stdout, stderr: child.stderr)
}

/// This process's environment with `STORAGE_EMULATOR_HOST` set to `storageEmulator` (or removed).
func environment(storageEmulator: String?, _ changes: [String: String?] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["STORAGE_EMULATOR_HOST"] = storageEmulator
    for (key, value) in changes { env[key] = value }
    return env
}

/// A fresh folder for one test's files, removed afterwards unless the test failed.
func makeScratchDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "shopstream-bronze-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { [weak test] in
        if (test?.testRun?.totalFailureCount ?? 0) == 0 {
            try? FileManager.default.removeItem(atPath: path)
        } else {
            print("kept \(path) for a look (the output of every process the test ran)")
        }
    }
    return path
}

// MARK: - Stand-ins

/// `shopstream broker --port 0` as its own process.
final class Broker {
    let child: Child
    let bootstrap: String

    init(directory: String) throws {
        child = try Child(
            try shopstreamBinary(), ["broker", "--port", "0"], directory: directory, label: "broker-\(UUID().uuidString.prefix(6))")
        let deadline = Date().addingTimeInterval(20)
        var found: String?
        while found == nil && Date() < deadline && child.isRunning {
            found = child.stdout.split(separator: "\n").first { $0.hasPrefix("bootstrap: ") }.map { String($0.dropFirst(11)) }
            if found == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let found else { throw BronzeTestError("shopstream broker did not start: \(child.stderr)") }
        bootstrap = found
    }

    func stop() {
        child.send(SIGINT)
        child.wait(timeout: 10)
    }
}

/// The fake-gcs-server endpoint from `STORAGE_EMULATOR_HOST`. Unset: the test fails under
/// `CI=true` (CI must run it) and is skipped otherwise.
func emulatorEndpoint(file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let env = ProcessInfo.processInfo.environment
    guard let endpoint = GCSLake.Configuration.emulatorEndpoint(environment: env) else {
        let hint = "STORAGE_EMULATOR_HOST is not set; run `eval \"$(scripts/emulators start gcs)\"` first"
        if env["CI"] == "true" {
            XCTFail(hint + " (CI=true: the emulator tests must run)", file: file, line: line)
            throw BronzeTestError(hint)
        }
        throw XCTSkip(hint)
    }
    return endpoint
}

/// Creates a bucket on the emulator, with a fresh name unless one is given.
@discardableResult
func createBucket(_ endpoint: String, named name: String? = nil) throws -> String {
    let bucket = name ?? "bronze-test-" + UUID().uuidString.prefix(12).lowercased()
    let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), timeout: .seconds(10)))
    _ = try client.send(
        HTTPRequest(
            method: .post, url: endpoint + "/storage/v1/b?project=test", headers: ["Content-Type": "application/json"],
            body: Data(#"{"name":"\#(bucket)"}"#.utf8)))
    return bucket
}

// MARK: - What was published

/// Every message on the entity topics, read back through a fresh consumer group.
struct Published {
    /// Per partition, in offset order.
    var partitions: [TopicPartition: [ConsumedMessage]]
    var count: Int
    var eventIDs: Set<String>

    static let topics = Entity.allCases.map(\.topic)

    static func drain(_ bootstrap: String, expected: Int, timeout: Duration = .seconds(60)) throws -> Published {
        let consumer = try Consumer(
            configuration: ConsumerConfiguration(
                connection: KafkaConnection(bootstrapServers: bootstrap), groupId: "drain-\(UUID().uuidString.prefix(8))"),
            topics: topics)
        defer { consumer.close() }
        var all: [ConsumedMessage] = []
        all.reserveCapacity(expected)
        let deadline = ContinuousClock.now + timeout
        while all.count < expected && ContinuousClock.now < deadline {
            if let m = try consumer.poll(timeout: .milliseconds(200)) { all.append(m) }
        }
        // Anything beyond `expected` would be a surprise worth seeing.
        while let m = try consumer.poll(timeout: .milliseconds(300)) { all.append(m) }
        var partitions: [TopicPartition: [ConsumedMessage]] = [:]
        var ids = Set<String>()
        for m in all {
            partitions[m.topicPartition, default: []].append(m)
            if let id = eventID(Data(m.value)) { ids.insert(id) }
        }
        for key in partitions.keys { partitions[key]!.sort { $0.offset < $1.offset } }
        return Published(partitions: partitions, count: all.count, eventIDs: ids)
    }
}

func eventID(_ line: Data) -> String? {
    (try? JSONSerialization.jsonObject(with: line) as? [String: Any])?["event_id"] as? String
}

// MARK: - What the lake holds

/// A bronze object as the test reads it, its name parsed by the contract:
/// `bronze/<entity>/dt=YYYY-MM-DD/<topic>+<partition>+<first offset, 20 digits>.jsonl[.gz]`.
struct BronzeObject {
    var stored: StoredObject
    var entity: String
    var dt: String
    var topic: String
    var partition: Int32
    var firstOffset: Int64
    var gzip: Bool
    /// The bytes as stored.
    var raw: Data
    /// Decompressed when gzip.
    var plain: Data

    var name: String { stored.name }
    var lastOffset: Int64? { stored.metadata["last_offset"].flatMap { Int64($0) } }
    var lines: [Data] {
        var body = plain
        if body.last == 0x0A { body.removeLast() }
        return body.isEmpty ? [] : body.split(separator: 0x0A, omittingEmptySubsequences: false).map { Data($0) }
    }

    /// Parses a name by the contract, or nil.
    static func parse(_ name: String) -> (entity: String, dt: String, topic: String, partition: Int32, firstOffset: Int64, gzip: Bool)? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "bronze", parts[2].hasPrefix("dt=") else { return nil }
        let dt = String(parts[2].dropFirst(3))
        let dateShape = dt.count == 10 && dt.enumerated().allSatisfy { i, c in (i == 4 || i == 7) ? c == "-" : c.isASCII && c.isNumber }
        guard dateShape else { return nil }
        var file = parts[3]
        let gzip = file.hasSuffix(".jsonl.gz")
        guard gzip || file.hasSuffix(".jsonl") else { return nil }
        file.removeLast(gzip ? 9 : 6)
        let coords = file.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard coords.count == 3, let partition = Int32(coords[1]), coords[2].count == 20,
            coords[2].allSatisfy({ $0.isASCII && $0.isNumber }), let offset = Int64(coords[2])
        else { return nil }
        return (parts[1], dt, coords[0], partition, offset, gzip)
    }
}

/// Downloads every object under `bronze/` (8 at a time), decompressing `.gz` ones with gzip(1).
func readBronzeObjects(_ lake: any Lake, scratch: String) throws -> (objects: [BronzeObject], badNames: [String]) {
    let listed = try lake.list(prefix: "bronze/")
    let results = LockedArray<(Int, Result<Data, Error>)>()
    let queue = OperationQueue()
    queue.maxConcurrentOperationCount = 8
    for (index, object) in listed.enumerated() {
        queue.addOperation {
            results.append((index, Result { try lake.get(object.name).bytes }))
        }
    }
    queue.waitUntilAllOperationsAreFinished()
    var raw = [Data](repeating: Data(), count: listed.count)
    for (index, result) in results.all { raw[index] = try result.get() }

    // gzip(1) once for all compressed objects.
    var plain = raw
    let compressed = listed.indices.filter { listed[$0].name.hasSuffix(".gz") }
    if !compressed.isEmpty {
        let dir = scratch + "/gunzip-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for i in compressed { try raw[i].write(to: URL(fileURLWithPath: "\(dir)/\(i).gz")) }
        let gzip = Process()
        gzip.executableURL = try requiredTool("gzip")
        gzip.arguments = ["-d", "-f"] + compressed.map { "\(dir)/\($0).gz" }
        try gzip.run()
        gzip.waitUntilExit()
        for i in compressed { plain[i] = (try? Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(i)"))) ?? Data() }
    }

    var objects: [BronzeObject] = []
    var badNames: [String] = []
    for (i, stored) in listed.enumerated() {
        guard let p = BronzeObject.parse(stored.name) else { badNames.append(stored.name); continue }
        objects.append(
            BronzeObject(
                stored: stored, entity: p.entity, dt: p.dt, topic: p.topic, partition: p.partition,
                firstOffset: p.firstOffset, gzip: p.gzip, raw: raw[i], plain: plain[i]))
    }
    return (objects, badNames)
}

final class LockedArray<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T] = []
    func append(_ value: T) { lock.withLock { values.append(value) } }
    var all: [T] { lock.withLock { values } }
}

// MARK: - The exactly-once check

/// What `checkBronze` found: every departure from the contract as one sentence.
struct BronzeReport: CustomStringConvertible {
    var objects = 0
    var events = 0
    var problems: [String] = []
    /// Objects with fewer than batch-size events, by why they closed early.
    var shortByReason: [String: Int] = [:]
    /// Short objects that neither end their partition nor precede a date change (timer cuts).
    var timerCutsPerPartition: [TopicPartition: Int] = [:]
    /// Objects by line count.
    var sizes: [Int: Int] = [:]

    var description: String {
        let short = shortByReason.sorted { $0.key < $1.key }.map { "\($0.value) at \($0.key)" }.joined(separator: ", ")
        let head =
            "lake: \(objects) objects, \(events) events, \(sizes[100] ?? 0) of 100 events; shorter ones: \(short.isEmpty ? "none" : short)"
        let shown = problems.prefix(25).map { "  - \($0)" }.joined(separator: "\n")
        return problems.isEmpty ? head : head + "\n\(problems.count) problems:\n" + shown + (problems.count > 25 ? "\n  …" : "")
    }
}

private func utcDate(milliseconds: Int64) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    return f.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
}

/// Checks the lake's bronze objects against what was published: names, metadata, lines byte for
/// byte, every offset of every partition in exactly one object, every event id exactly once.
func checkBronze(_ objects: [BronzeObject], badNames: [String], against published: Published, batchSize: Int, gzip: Bool) -> BronzeReport {
    var report = BronzeReport()
    report.objects = objects.count
    report.problems += badNames.prefix(20).map { "\($0): not a bronze object name" }
    var byPartition: [TopicPartition: [BronzeObject]] = [:]
    var seenIDs: [String: String] = [:]
    var dayCache: [Int64: String] = [:]
    func day(_ ms: Int64) -> String {
        let key = ms / 3_600_000  // dates change on the hour, so cache per hour
        if let d = dayCache[key] { return d }
        let d = utcDate(milliseconds: key * 3_600_000)
        dayCache[key] = d
        return d
    }

    for o in objects {
        let meta = o.stored.metadata
        func problem(_ text: String) { report.problems.append("\(o.name): \(text)") }
        if !o.topic.hasPrefix("shop.") || o.entity != String(o.topic.dropFirst(5)) {
            problem("entity folder \(o.entity) does not match topic \(o.topic)")
        }
        if o.gzip != gzip { problem(gzip ? "expected .jsonl.gz" : "expected .jsonl") }
        if gzip && !o.raw.starts(with: [0x1F, 0x8B]) { problem("is named .gz but is not gzip data") }
        let first = meta["first_offset"].flatMap { Int64($0) }, last = meta["last_offset"].flatMap { Int64($0) }
        let count = meta["count"].flatMap { Int($0) }
        if meta["topic"] != o.topic { problem("metadata topic \(meta["topic"] ?? "-") differs from the name's \(o.topic)") }
        if meta["partition"] != String(o.partition) {
            problem("metadata partition \(meta["partition"] ?? "-") differs from the name's \(o.partition)")
        }
        if first != o.firstOffset {
            problem("metadata first_offset \(meta["first_offset"] ?? "-") differs from the name's \(o.firstOffset)")
        }
        if meta["format"] != (gzip ? "jsonl+gzip" : "jsonl") { problem("metadata format is \(meta["format"] ?? "missing")") }
        let crc = CRC32C.base64(o.raw)
        if meta["crc32c"] != crc { problem("metadata crc32c \(meta["crc32c"] ?? "missing") is not the bytes' \(crc)") }
        if let storedCRC = o.stored.crc32c, storedCRC != crc { problem("the lake's crc32c \(storedCRC) is not the bytes' \(crc)") }
        if o.plain.last != 0x0A { problem("does not end with a newline") }
        let lines = o.lines
        report.events += lines.count
        report.sizes[lines.count, default: 0] += 1
        if count != lines.count { problem("metadata count \(meta["count"] ?? "-") but \(lines.count) lines") }
        if lines.count > batchSize { problem("\(lines.count) lines, more than --batch-size \(batchSize)") }
        guard let first, let last, last >= first else { problem("metadata offsets are missing or reversed"); continue }
        if let count, Int64(count) != last - first + 1 { problem("count \(count) != last_offset - first_offset + 1 (\(last - first + 1))") }

        let tp = TopicPartition(o.topic, o.partition)
        let messages = (published.partitions[tp] ?? []).filter { $0.offset >= first && $0.offset <= last }
        if messages.count != lines.count {
            problem("holds \(lines.count) lines but Kafka has \(messages.count) records at offsets \(first)–\(last)")
        } else {
            if let m = zip(lines, messages).first(where: { $0.0 != Data($0.1.value) })?.1 {
                problem("the line for offset \(m.offset) differs from the record as published")
            }
            let dates = Set(messages.compactMap(\.timestampMs).map(day))
            if let ts = messages.first?.timestampMs, day(ts) != o.dt {
                problem("dt=\(o.dt) but the first record's timestamp is on \(day(ts)) (UTC)")
            }
            if dates.count > 1 { problem("spans several UTC dates: \(dates.sorted().joined(separator: ", "))") }
        }
        for line in lines {
            guard let id = eventID(line) else { problem("a line without an event_id"); break }
            if let other = seenIDs[id] { report.problems.append("event \(id) is stored twice: in \(other) and \(o.name)") }
            seenIDs[id] = o.name
        }
        byPartition[tp, default: []].append(o)
    }

    // Every published offset in exactly one object, and why short objects closed early.
    for (tp, messages) in published.partitions.sorted(by: { $0.key < $1.key }) {
        let chain = (byPartition[tp] ?? []).sorted { $0.firstOffset < $1.firstOffset }
        let offsets = messages.map(\.offset)
        var next = 0  // index in `offsets` of the record the next object must start with
        for (i, o) in chain.enumerated() {
            if next >= offsets.count {
                report.problems.append("\(tp): \(o.name) starts at \(o.firstOffset), after every published record is already stored")
            } else if o.firstOffset > offsets[next] {
                report.problems.append("\(tp): gap: offsets \(offsets[next])–\(o.firstOffset - 1) are in no object")
            } else if o.firstOffset < offsets[next] {
                report.problems.append(
                    "\(tp): overlap: \(o.name) starts at \(o.firstOffset), but offsets up to \(offsets[next] - 1) are already stored")
            }
            let last = o.lastOffset ?? o.firstOffset
            next = offsets.firstIndex { $0 > last } ?? offsets.count
            if o.lines.count < batchSize {
                let reason: String
                if i == chain.count - 1 {
                    reason = "end of partition"
                } else if chain[i + 1].dt != o.dt {
                    reason = "date change"
                } else {
                    reason = "timer"
                    report.timerCutsPerPartition[tp, default: 0] += 1
                }
                report.shortByReason[reason, default: 0] += 1
            }
        }
        if next < offsets.count {
            report.problems.append("\(tp): offsets \(offsets[next])–\(offsets.last!) (\(offsets.count - next) records) are in no object")
        }
    }
    for tp in byPartition.keys where published.partitions[tp] == nil {
        report.problems.append("\(tp): objects for a partition Kafka has no records in")
    }
    let stored = Set(seenIDs.keys)
    if stored != published.eventIDs {
        let missing = published.eventIDs.subtracting(stored), extra = stored.subtracting(published.eventIDs)
        report.problems.append("event ids differ from the published ones: \(missing.count) missing, \(extra.count) never published")
    }
    return report
}

// MARK: - The sink's summary

/// The numbers in `shopstream sink bronze`'s summary, read leniently.
struct SinkSummary {
    var events: Int?
    var objects: Int?
    var retries: Int?
    var elapsedSeconds: Double?
    var adopted: Int?
    /// From `retries: 7 (503 x3, 429 x2, reset x2)`.
    var retryReasons: [String: Int] = [:]

    init(_ stdout: String) {
        func number(_ pattern: String) -> String? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let m = regex.firstMatch(in: stdout, range: NSRange(stdout.startIndex..., in: stdout)),
                let r = Range(m.range(at: 1), in: stdout)
            else { return nil }
            return stdout[r].replacingOccurrences(of: ",", with: "")
        }
        events = number(#"bronze:\s*([\d,]+)\s+events?"#).flatMap { Int($0) }
        objects = number(#"bronze:\s*[\d,]+\s+events?\s+in\s+([\d,]+)\s+objects?"#).flatMap { Int($0) }
        retries = number(#"retries:\s*([\d,]+)"#).flatMap { Int($0) }
        elapsedSeconds = number(#"elapsed:\s*([\d.]+)\s*s"#).flatMap { Double($0) }
        adopted = number(#"adopted:\s*([\d,]+)"#).flatMap { Int($0) }
        if let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix("retries:") }),
            let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), open < close
        {
            for item in line[line.index(after: open)..<close].split(separator: ",") {
                // The reason may have spaces ("dead keep-alive x2"); the count is the last word.
                let words = item.split(separator: " ")
                if words.count >= 2, let last = words.last, last.hasPrefix("x"), let n = Int(last.dropFirst()) {
                    retryReasons[words.dropLast().joined(separator: " ")] = n
                }
            }
        }
    }
}

// MARK: - Small things

struct BronzeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

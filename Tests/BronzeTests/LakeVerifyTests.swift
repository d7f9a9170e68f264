import Foundation
import ShopStreamBus
import ShopStreamHTTP
import ShopStreamLake
import XCTest

/// `shopstream lake verify` as a user runs it, on lakes damaged on purpose: each kind of damage
/// is exit 1 and one `problem:` line that names the partition and the offsets or the object.
/// Every lake is a copy of one the real sink filled from the shared backlog and that verifies
/// clean, so the damage is the only thing wrong with it.
final class LakeVerifyTests: XCTestCase {
    func testAnObjectMissingInsideAPartitionIsAGapNamingItsOffsets() throws {
        let damaged = try DamagedLake(self)
        let chain = try damaged.chain(damaged.longestPartition)
        let gone = chain[chain.count / 2]
        try damaged.lake.delete(gone.name)

        let run = try damaged.verify()
        assertFails(run, with: ["\(gone.partition): gap: offsets \(gone.first)–\(gone.last) are in no object"])
    }

    func testTwoObjectsHoldingTheSameOffsetsAreAnOverlapNamingBoth() throws {
        let damaged = try DamagedLake(self)
        let chain = try damaged.chain(damaged.longestPartition)
        // The object after `a` replaced by one that starts 10 records early, as if an earlier run
        // had cut it there: offsets a.last-9 … a.last are then in two objects.
        let a = chain[1], b = chain[2]
        let early = a.last - 9
        let aLines = try damaged.lines(a), bLines = try damaged.lines(b)
        let bytes = Data((aLines.suffix(10) + bLines).joined(separator: "\n").utf8 + [0x0A])
        var metadata = b.stored.metadata
        metadata["first_offset"] = String(early)
        metadata["count"] = String(10 + bLines.count)
        metadata["crc32c"] = CRC32C.base64(bytes)
        let name = b.name.replacingOccurrences(of: offsetDigits(b.first), with: offsetDigits(early))
        try damaged.lake.delete(b.name)
        _ = try damaged.lake.create(name, bytes: bytes, contentType: b.stored.contentType, metadata: metadata)

        let run = try damaged.verify(deep: true)
        assertFails(run, with: ["\(a.partition): overlap: \(a.name) holds through \(a.last), \(name) starts at \(early)"])
    }

    func testBytesThatDoNotMatchTheirCrc32cAreNamedByDeep() throws {
        let damaged = try DamagedLake(self)
        let object = try damaged.chain(damaged.longestPartition)[1]
        // Same name, size and lines, one digit changed; the metadata still describes the original.
        var bytes = try damaged.lake.get(object.name).bytes
        let digit = try XCTUnwrap(bytes.firstIndex { (0x30...0x39).contains($0) })
        bytes[digit] = 0x30 + (bytes[digit] - 0x30 + 1) % 10
        try damaged.lake.delete(object.name)
        _ = try damaged.lake.create(object.name, bytes: bytes, contentType: object.stored.contentType, metadata: object.stored.metadata)

        // Only --deep reads the bytes.
        assertClean(try damaged.verify())
        let run = try damaged.verify(deep: true)
        let recorded = try XCTUnwrap(object.stored.metadata["crc32c"])
        assertFails(run, with: ["\(object.name): checksum mismatch (crc32c \(CRC32C.base64(bytes)), metadata says \(recorded))"])
    }

    func testAPartitionWhoseLastObjectIsMissingFailsOnlyAgainstKafka() throws {
        let damaged = try DamagedLake(self)
        let gone = try XCTUnwrap(try damaged.chain(damaged.longestPartition).last)
        XCTAssertEqual(gone.last, damaged.published(gone.partition).last, "the last object ends where Kafka does")
        try damaged.lake.delete(gone.name)

        // The lake alone is a shorter chain without holes; only Kafka knows more was published.
        assertClean(try damaged.verify())
        let run = try damaged.verify(brokers: true)
        assertFails(run, with: ["\(gone.partition): offsets \(gone.first)–\(gone.last) are on Kafka but in no object (yet?)"])
    }

    func testAPartitionWithNoObjectsFailsAgainstKafkaNamingAllItsOffsets() throws {
        let damaged = try DamagedLake(self)
        let partition = damaged.shortestPartition
        for object in try damaged.chain(partition) { try damaged.lake.delete(object.name) }
        let published = damaged.published(partition)

        assertClean(try damaged.verify())
        let run = try damaged.verify(brokers: true)
        assertFails(run, with: ["\(partition): offsets \(published.first)–\(published.last) are on Kafka but in no object"])
    }

    // MARK: -

    /// Exit 1, exactly these `problem:` lines, the failure count, and no `error:` (a problem found
    /// is not a command that broke).
    private func assertFails(_ run: RunResult, with problems: [String], file: StaticString = #filePath, line: UInt = #line) {
        let reported = run.stdout.split(separator: "\n").filter { $0.hasPrefix("problem: ") }.map { String($0.dropFirst(9)) }
        print(
            "lake verify → exit \(run.status.map(String.init) ?? "timeout"):\n"
                + reported.map { "  problem: \($0)" }.joined(separator: "\n"))
        XCTAssertEqual(run.status, 1, "\(run)", file: file, line: line)
        XCTAssertEqual(reported, problems, "\(run)", file: file, line: line)
        XCTAssertTrue(run.stdout.contains("verify: FAILED (\(problems.count) problems)"), "\(run)", file: file, line: line)
        XCTAssertTrue(run.errorLines.isEmpty, "\(run)", file: file, line: line)
    }

    private func assertClean(_ run: RunResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 0, "\(run)", file: file, line: line)
        XCTAssertTrue(run.stdout.contains("verify: OK"), "\(run)", file: file, line: line)
    }
}

/// The 20-digit offset in a bronze object's name.
private func offsetDigits(_ offset: Int64) -> String {
    let digits = String(offset)
    return String(repeating: "0", count: 20 - digits.count) + digits
}

/// One test's copy of the pristine lake, to damage.
private struct DamagedLake {
    /// An object as `lake verify` sees it: its partition and the offsets its metadata names.
    struct Object {
        var stored: StoredObject
        var partition: String
        var first: Int64
        var last: Int64
        var name: String { stored.name }
    }

    let lake: any Lake
    let url: String
    let scratch: String
    let pristine: PristineLake
    /// `topic+partition` keys by how many objects the pristine lake holds for them.
    let longestPartition: String
    let shortestPartition: String

    init(_ test: XCTestCase) throws {
        pristine = try PristineLake.get()
        scratch = try makeScratchDirectory(test)
        try FileManager.default.copyItem(atPath: pristine.path, toPath: scratch + "/lake")
        url = "file://\(scratch)/lake"
        lake = try makeLake(url: url)
        let counts = Dictionary(
            grouping: try lake.list(prefix: "bronze/").compactMap { BronzeObject.parse($0.name) }, by: { "\($0.topic)+\($0.partition)" }
        )
        .mapValues(\.count).sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        shortestPartition = counts.first!.key
        longestPartition = counts.last!.key
    }

    /// The partition's objects in offset order.
    func chain(_ partition: String) throws -> [Object] {
        try lake.list(prefix: "bronze/").compactMap { stored -> Object? in
            guard let parsed = BronzeObject.parse(stored.name), "\(parsed.topic)+\(parsed.partition)" == partition else { return nil }
            guard let first = stored.metadata["first_offset"].flatMap({ Int64($0) }),
                let last = stored.metadata["last_offset"].flatMap({ Int64($0) })
            else {
                throw BronzeTestError("\(stored.name) has no offsets in its metadata")
            }
            return Object(stored: stored, partition: partition, first: first, last: last)
        }.sorted { $0.first < $1.first }
    }

    func lines(_ object: Object) throws -> [String] {
        String(decoding: try lake.get(object.name).bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The first and last offset Kafka holds for a `topic+partition`.
    func published(_ partition: String) -> (first: Int64, last: Int64) {
        let parts = partition.split(separator: "+")
        let messages = pristine.backlog.published.partitions[TopicPartition(String(parts[0]), Int32(parts[1])!)] ?? []
        return (messages.first?.offset ?? -1, messages.last?.offset ?? -1)
    }

    func verify(deep: Bool = false, brokers: Bool = false) throws -> RunResult {
        try runShopstream(
            ["lake", "verify", "--lake", url] + (deep ? ["--deep"] : [])
                + (brokers ? ["--brokers", pristine.backlog.broker.bootstrap] : []),
            timeout: 60, directory: scratch, label: "verify")
    }
}

/// A folder lake `shopstream sink bronze` filled from the shared backlog, checked clean by
/// `lake verify --deep --brokers`; made once, then copied by each test.
private final class PristineLake: @unchecked Sendable {  // immutable once made; `lock` guards `instance`
    let path: String
    let backlog: SharedBacklog

    private static let lock = NSLock()
    nonisolated(unsafe) private static var instance: Result<PristineLake, Error>?

    static func get() throws -> PristineLake {
        try lock.withLock {
            if instance == nil { instance = Result { try PristineLake() } }
            return try instance!.get()
        }
    }

    private init() throws {
        backlog = try SharedBacklog.get()
        let directory = NSTemporaryDirectory() + "shopstream-pristine-lake-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/lake"
        pristineLakeDirectory = directory
        atexit {
            if let directory = pristineLakeDirectory { try? FileManager.default.removeItem(atPath: directory) }
        }
        let sink = try runShopstream(
            [
                "sink", "bronze", "--lake", "file://\(path)", "--brokers", backlog.broker.bootstrap, "--group", SharedBacklog.freshGroup(),
                "--idle-exit", "3s", "--max-batch-age", "1s", "-q",
            ],
            timeout: 120, directory: directory, label: "sink")
        guard sink.status == 0 else { throw BronzeTestError("the sink could not fill the pristine lake: \(sink)") }
        let verify = try runShopstream(
            ["lake", "verify", "--lake", "file://\(path)", "--brokers", backlog.broker.bootstrap, "--deep"], directory: directory,
            label: "verify")
        guard verify.status == 0, verify.stdout.contains("verify: OK (") else {
            throw BronzeTestError("the pristine lake does not verify: \(verify)")
        }
    }
}

nonisolated(unsafe) private var pristineLakeDirectory: String?

import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator

/// A generator sink that counts what passed, honours --events, --rate and Ctrl-C,
/// and keeps the progress display fed.
protocol CountingSink: EventSink {
    var counts: [Entity: (events: Int, bytes: Int)] { get }
    var day: String { get set }
}

/// A truth recorder around a counting sink counts, reports and stops as that sink does.
extension TruthRecorder: CountingSink where Inner: CountingSink {
    var counts: [Entity: (events: Int, bytes: Int)] { inner.counts }
    var day: String { get { inner.day } set { inner.day = newValue } }
}

/// Shared bookkeeping of the sinks below.
struct SinkBookkeeping {
    var perEntity = [(events: Int, bytes: Int)](repeating: (0, 0), count: Entity.allCases.count)
    var total = 0
    let limit: Int?
    let shutdown: ShutdownSignal
    let progress: Progress
    var pacer: Pacer?
    var day = ""

    /// Counts one event; false when the run should stop after it.
    mutating func record(_ entity: Entity, bytes: Int) -> Bool {
        let i = entity.index
        perEntity[i].events += 1
        perEntity[i].bytes += bytes
        total += 1
        pacer?.wait(forEvent: total)
        if total & 1023 == 0 {
            if shutdown.isRequested { progress.message("stopping: finishing what is in flight"); return false }
            progress.update(events: total, day: day)
        }
        if let limit, total >= limit { return false }
        return true
    }

    var counts: [Entity: (events: Int, bytes: Int)] {
        Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0, perEntity[$0.index]) })
    }
}

/// Publishes to Kafka.
struct KafkaSink: CountingSink {
    let producer: Producer
    var book: SinkBookkeeping
    /// The first sale, to show the user what went out.
    var sampleSale: String?

    init(producer: Producer, limit: Int?, shutdown: ShutdownSignal, progress: Progress, pacer: Pacer?) {
        self.producer = producer
        book = SinkBookkeeping(limit: limit, shutdown: shutdown, progress: progress, pacer: pacer)
    }

    var counts: [Entity: (events: Int, bytes: Int)] { book.counts }
    var day: String { get { book.day } set { book.day = newValue } }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        // Live runs stamp the wall-clock send time, so sinks can measure event-to-row latency
        // (the record timestamp is the simulated business time).
        let headers = book.pacer == nil ? [] : [KafkaHeader(SentAt.header, String(SentAt.nowMilliseconds()))]
        try producer.send(topic: entity.topic, key: key, value: value, headers: headers, timestampMs: timestampMs)
        if sampleSale == nil && entity == .sales { sampleSale = String(decoding: value, as: UTF8.self) }
        if book.total & 0xFFFF == 0 { try producer.throwIfFailed() }
        return book.record(entity, bytes: value.count)
    }
}

/// Writes `key<TAB>value` lines per topic, or nothing at all (dry run).
struct FileSink: CountingSink {
    var book: SinkBookkeeping
    private var files: [Entity: FileHandle] = [:]
    private var buffers: [Entity: [UInt8]] = [:]

    init(directory: String?, limit: Int?, shutdown: ShutdownSignal, progress: Progress, pacer: Pacer?) throws {
        book = SinkBookkeeping(limit: limit, shutdown: shutdown, progress: progress, pacer: pacer)
        guard let directory else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for entity in Entity.allCases {
            let path = "\(directory)/\(entity.topic).tsv"
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandFailure("cannot write \(path)")
            }
            files[entity] = handle
            buffers[entity] = []
        }
    }

    var counts: [Entity: (events: Int, bytes: Int)] { book.counts }
    var day: String { get { book.day } set { book.day = newValue } }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        if let handle = files[entity] {
            buffers[entity]!.append(contentsOf: key)
            buffers[entity]!.append(0x09)
            buffers[entity]!.append(contentsOf: value)
            buffers[entity]!.append(0x0A)
            if buffers[entity]!.count > 1 << 20 {
                handle.write(Data(buffers[entity]!))
                buffers[entity]!.removeAll(keepingCapacity: true)
            }
        }
        return book.record(entity, bytes: value.count)
    }

    func close() throws {
        for (entity, handle) in files {
            handle.write(Data(buffers[entity]!))
            try handle.close()
        }
    }
}

/// Holds a run to a steady rate (live mode).
struct Pacer {
    let perSecond: Double
    let start = ContinuousClock.now

    init?(_ perSecond: Double?) {
        guard let perSecond else { return nil }
        self.perSecond = perSecond
    }

    func wait(forEvent n: Int) {
        let due = start + .nanoseconds(Int64(Double(n) / perSecond * 1e9))
        let now = ContinuousClock.now
        if due > now { Thread.sleep(forTimeInterval: Double((due - now).components.attoseconds) / 1e18 + Double((due - now).components.seconds)) }
    }
}

/// A progress line on stderr: redrawn in place on a terminal, every 10 s otherwise.
final class Progress {
    private let enabled: Bool
    private let tty = isatty(STDERR_FILENO) == 1
    private let start = ContinuousClock.now
    private var last = ContinuousClock.now
    private var drawn = false

    init(quiet: Bool) { enabled = !quiet }

    func update(events: Int, day: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - last >= (tty ? .milliseconds(250) : .seconds(10)) else { return }
        last = now
        let secs = Double((now - start).components.seconds) + Double((now - start).components.attoseconds) / 1e18
        let line = "day \(day)  \(NumberText.grouped(events)) events  \(NumberText.grouped(Int(Double(events) / max(secs, 0.001)))) events/s"
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)); drawn = true } else { note(line) }
    }

    func message(_ text: String) {
        guard enabled else { return }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
        note(text)
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
    }
}


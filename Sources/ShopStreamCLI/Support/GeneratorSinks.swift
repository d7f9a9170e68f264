import Foundation
import Logging
import Metrics
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator

/// A generator sink that counts what passed, honours --events, --rate (holding each
/// event until its time) and Ctrl-C, and keeps the progress display fed.
protocol CountingSink: EventSink {
    var counts: [Entity: (events: Int, bytes: Int)] { get }
    var day: String { get set }
}

/// A counting sink whose counts and day are its `SinkBookkeeping`'s.
protocol BookkeepingSink: CountingSink {
    var book: SinkBookkeeping { get set }
}

extension BookkeepingSink {
    var counts: [Entity: (events: Int, bytes: Int)] { book.counts }
    var sampleSale: String? { book.sampleSale }
    var day: String {
        get { book.day }
        set { book.day = newValue }
    }
}

/// A sink that hands each event to a bus (Kafka, Pub/Sub), the same steps around each bus's send:
/// on a live run wait for the event's time and stamp the wall-clock send time, then count it.
protocol BusSink: BookkeepingSink {
    /// Sends one event, and throws once a send failed for good: every later event would be
    /// published beside a hole, so the run stops at once.
    mutating func publish(
        _ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, headers: [KafkaHeader], timestampMs: Int64)
        throws
}

extension BusSink {
    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        try book.hold(timestampMs)
        // Live runs stamp the wall-clock send time, so sinks can measure event-to-row latency
        // (the record timestamp is the business time: the same, but for the burst at the start).
        let headers = book.follower?.headers(forEventAt: timestampMs) ?? []
        try publish(entity, key: key, value: value, headers: headers, timestampMs: timestampMs)
        return book.record(entity, value: value)
    }
}

/// A truth recorder around a counting sink counts, reports and stops as that sink does.
extension TruthRecorder: CountingSink where Inner: CountingSink {
    var counts: [Entity: (events: Int, bytes: Int)] { inner.counts }
    var day: String {
        get { inner.day }
        set { inner.day = newValue }
    }
}

/// Shared bookkeeping of the sinks below.
struct SinkBookkeeping {
    var perEntity = [(events: Int, bytes: Int)](repeating: (0, 0), count: Entity.allCases.count)
    var total = 0
    let limit: Int?
    let shutdown: StopSignal
    let progress: Progress
    /// Live runs (--rate): holds each event until its time.
    let follower: ClockFollower?
    var day = ""
    /// `shopstream_events_published_total`, per entity; fed every 64 events.
    let published = Entity.allCases.map { Counter(label: MetricCatalog.published.name, dimensions: [("topic", $0.topic)]) }
    var unreported = [Int](repeating: 0, count: Entity.allCases.count)
    /// The first sale sent, to show the user what went out.
    var sampleSale: String?

    /// Before an event is sent: on a live run, waits for its time. Throws
    /// `ClockFollower.Interrupted` if told to stop meanwhile (the event is then not sent).
    func hold(_ timestampMs: Int64) throws {
        if let follower, !follower.hold(untilMs: timestampMs) { throw ClockFollower.Interrupted() }
    }

    /// Counts one event sent; false when the run should stop after it.
    mutating func record(_ entity: Entity, value: UnsafeRawBufferPointer) -> Bool {
        if sampleSale == nil && entity == .sales { sampleSale = String(decoding: value, as: UTF8.self) }
        let i = entity.index
        perEntity[i].events += 1
        perEntity[i].bytes += value.count
        total += 1
        unreported[i] += 1
        if total & 63 == 0 { reportPublished() }
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

    /// Adds what was counted since the last time to the metrics.
    mutating func reportPublished() {
        for i in unreported.indices where unreported[i] > 0 { published[i].increment(by: unreported[i]) }
        unreported = [Int](repeating: 0, count: unreported.count)
    }
}

/// Publishes to Kafka.
struct KafkaSink: BusSink {
    let producer: Producer
    var book: SinkBookkeeping

    init(producer: Producer, limit: Int?, shutdown: StopSignal, progress: Progress, follower: ClockFollower?) {
        self.producer = producer
        book = SinkBookkeeping(limit: limit, shutdown: shutdown, progress: progress, follower: follower)
    }

    mutating func publish(
        _ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, headers: [KafkaHeader], timestampMs: Int64
    )
        throws
    {
        try producer.send(topic: entity.topic, key: key, value: value, headers: headers, timestampMs: timestampMs)
        // A delivery fails for good once retries and message.timeout.ms are spent, or when refused.
        // A live run (at most 10,000 events a second) reads its delivery reports after each event;
        // a full-speed run reads them every thousand sends anyway.
        if book.follower != nil { producer.poll() }
        try producer.throwIfFailed()
    }
}

/// Writes `key<TAB>value` lines per topic, or nothing at all (dry run).
struct FileSink: BookkeepingSink {
    var book: SinkBookkeeping
    private var files: [Entity: FileHandle] = [:]
    private var buffers: [Entity: [UInt8]] = [:]

    init(directory: String?, limit: Int?, shutdown: StopSignal, progress: Progress, follower: ClockFollower?) throws {
        book = SinkBookkeeping(limit: limit, shutdown: shutdown, progress: progress, follower: follower)
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

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        try book.hold(timestampMs)
        if let handle = files[entity] {
            buffers[entity]!.append(contentsOf: key)
            buffers[entity]!.append(0x09)
            buffers[entity]!.append(contentsOf: value)
            buffers[entity]!.append(0x0A)
            // A live run's lines are written as they happen, for a reader following the files.
            if buffers[entity]!.count > 1 << 20 || book.follower != nil {
                handle.write(Data(buffers[entity]!))
                buffers[entity]!.removeAll(keepingCapacity: true)
            }
        }
        return book.record(entity, value: value)
    }

    func close() throws {
        for (entity, handle) in files {
            handle.write(Data(buffers[entity]!))
            try handle.close()
        }
    }
}

/// A progress line on stderr: redrawn in place on a terminal, every 10 s otherwise.
/// With a logger (`--log-format json`), every line goes through it instead: a log collector gets
/// JSON only, never a redrawn terminal line.
final class Progress {
    private let enabled: Bool
    private let logger: Logger?
    private let tty: Bool
    private let start = ContinuousClock.now
    private var last = ContinuousClock.now
    private var drawn = false

    init(quiet: Bool, logger: Logger? = nil) {
        enabled = !quiet
        self.logger = logger
        tty = logger == nil && isatty(STDERR_FILENO) == 1
    }

    private func say(_ line: String) {
        if let logger { logger.info("\(line)") } else { note(line) }
    }

    func update(events: Int, day: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - last >= (tty ? .milliseconds(250) : .seconds(10)) else { return }
        last = now
        let secs = Double((now - start).components.seconds) + Double((now - start).components.attoseconds) / 1e18
        let line =
            "day \(day)  \(NumberText.grouped(events)) events  \(NumberText.grouped(Int(Double(events) / max(secs, 0.001)))) events/s"
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)); drawn = true } else { say(line) }
    }

    func message(_ text: String) {
        guard enabled else { return }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
        say(text)
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
    }
}

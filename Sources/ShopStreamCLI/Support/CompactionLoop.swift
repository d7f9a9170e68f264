import Foundation
import Logging
import Metrics
import ShopStreamCore
import ShopStreamGold
import ShopStreamService
import ShopStreamWarehouse

/// Gold, a pass every `interval` until stopped: `compact --every` and the compactor of `run --live`.
///
/// A failed pass commits nothing (the compactor's pass is one transaction): it is logged, counted and
/// tried again next time. Asked to stop with `.now`, it ends after the pass in progress; with
/// `.drain` (the sinks upstream have drained), it runs one last pass first, so gold holds everything.
/// Asked `.abandon` (the stop's deadline has passed), a pass waiting to retry a warehouse request
/// gives up at once: the loop hands its stop to the compactor's warehouse.
struct CompactionLoop: Sendable {
    let compactor: Compactor
    let interval: Duration
    var fullRefresh = false
    /// When silver last received a row (nil: unknown); gold's lag is measured against it.
    var newestSilver: @Sendable () -> Date?
    let probe: Health.Probe
    var logger = Logger(label: "shopstream.compactor")
    /// Called with each successful pass's report.
    var onPass: @Sendable (CompactionReport) -> Void = { _ in }
    /// Gold's lag in seconds, as last measured; for the status line.
    let lag = SharedValue<Double?>(nil)
    /// In a live run (event time = send time from this instant on, in ms since the epoch; the
    /// history before it is a backfill): after each pass, how long each live sale it took in took
    /// from its time to gold, in milliseconds (a sample of at most 100,000), and the histogram.
    var measuresEventToGoldFrom: Int64?
    let eventToGold = SharedValue<[Int64]>([])
    private static let eventToGoldTimer = Metrics.Timer(label: MetricCatalog.eventToGold.name)

    private static let duration = Metrics.Timer(label: MetricCatalog.compactionDuration.name)
    private static let tables = Counter(label: MetricCatalog.compactionTables.name)
    private static let dates = Counter(label: MetricCatalog.compactionDates.name)
    private static let failures = Counter(label: MetricCatalog.compactionFailures.name)
    private static let goldLag = Gauge(label: MetricCatalog.goldLag.name)

    func run(stop: StopSignal) {
        // A pass is one transaction, so giving it up loses nothing; waiting out a backoff would keep
        // the process past its deadline until the watchdog's exit.
        compactor.warehouse.interruptWaits(on: stop)
        var full = fullRefresh
        /// The start of the last pass that succeeded: gold holds what silver held then.
        var covered: Date?
        probe.ready(true)
        while true {
            let started = Date()
            if pass(fullRefresh: full, stop: stop) {
                full = false
                measure(since: covered, until: started)
                covered = started
            }
            probe.beat()
            if stop.request >= .now { break }
            let next = ContinuousClock.now + interval
            var lastDrainPass = false
            while ContinuousClock.now < next {
                updateLag(covered: covered)
                probe.beat()
                let asked = stop.request
                if asked == .drain { lastDrainPass = true; break }
                if asked >= .now { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            if lastDrainPass {
                logger.info("a last pass, so gold holds everything silver received")
                let started = Date()
                if pass(fullRefresh: full, stop: stop) {
                    measure(since: covered, until: started)
                    covered = started
                }
                updateLag(covered: covered)
                break
            }
            if stop.request >= .now { break }
        }
        probe.finished()
    }

    /// One pass; false if it failed or `stop` gave it up.
    private func pass(fullRefresh: Bool, stop: StopSignal) -> Bool {
        let clock = ContinuousClock(), started = clock.now
        do {
            let report = try compactor.compact(fullRefresh: fullRefresh)
            Self.duration.recordNanoseconds((clock.now - started).nanoseconds)
            Self.tables.increment(by: report.plan.changedTables.count)
            Self.dates.increment(
                by: report.plan.tables.values.reduce(0) { total, keys in
                    switch keys {
                    case .dates(let d): return total + d.count
                    case .months(_, let saleDates): return total + saleDates.count
                    case .whole: return total
                    }
                })
            onPass(report)
            return true
        } catch  where stop.request >= .abandon {
            // Cut short by the stop (or failed as it came): no pass of this process follows, and the
            // next run's first pass finds what silver holds beyond gold._state.
            logger.warning(
                "compaction pass did not finish before the stop's deadline; gold is unchanged and the next run's first pass takes in what it missed",
                metadata: ["error": "\(error)"])
            return false
        } catch {
            Self.failures.increment()
            logger.error("compaction pass failed; gold is unchanged and the next pass tries again", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The sales ingested into silver in (`since`, `until`] are in gold now: from each one's time to now.
    private func measure(since: Date?, until: Date) {
        guard let liveFrom = measuresEventToGoldFrom else { return }
        let warehouse = compactor.warehouse, dialect = warehouse.dialect
        var condition = "_ingested_at <= \(dialect.timestampLiteral(Self.instant(until)))"
        condition += " AND event_time >= \(dialect.timestampLiteral(Self.instant(Date(timeIntervalSince1970: Double(liveFrom) / 1000))))"
        if let since { condition += " AND _ingested_at > \(dialect.timestampLiteral(Self.instant(since)))" }
        guard let rows = try? warehouse.query("SELECT event_time FROM silver.sales WHERE \(condition)").rows else { return }
        let now = SentAt.nowMilliseconds()
        var samples: [Int64] = []
        for row in rows {
            guard let text = row.first ?? nil, let micros = TimestampText.microseconds(parsing: text) else { continue }
            let ms = now - micros / 1000
            Self.eventToGoldTimer.recordMilliseconds(ms)
            samples.append(ms)
        }
        var kept = eventToGold.value
        kept.append(contentsOf: samples.prefix(max(0, 100_000 - kept.count)))
        eventToGold.value = kept
    }

    private static func instant(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1e6).rounded())
        var t = time_t(micros / 1_000_000)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(micros % 1_000_000))
    }

    private func updateLag(covered: Date?) {
        guard let newest = newestSilver() else { Self.goldLag.record(0); lag.value = nil; return }
        let seconds = covered.map { max(0, newest.timeIntervalSince($0)) } ?? max(0, Date().timeIntervalSince(newest))
        Self.goldLag.record(seconds)
        lag.value = seconds
    }
}

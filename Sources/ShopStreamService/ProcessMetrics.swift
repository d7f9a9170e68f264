import Foundation
import Prometheus
import ShopStreamCore
import Synchronization

/// The standard `process_*` figures (resident memory, CPU, start time, open files, threads), read
/// from /proc at each scrape.
final class ProcessMetrics: Sendable {
    private let rss: Prometheus.Gauge
    private let cpu: Prometheus.Counter
    private let start: Prometheus.Gauge
    private let fds: Prometheus.Gauge
    private let threads: Prometheus.Gauge
    private let cpuSoFar = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        func described(_ d: MetricDescriptor) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: d.name, unitName: "", helpText: d.help)
        }
        rss = registry.makeGauge(descriptor: described(MetricCatalog.residentMemory))
        cpu = registry.makeCounter(descriptor: described(MetricCatalog.cpuSeconds))
        start = registry.makeGauge(descriptor: described(MetricCatalog.startTime))
        fds = registry.makeGauge(descriptor: described(MetricCatalog.openFDs))
        threads = registry.makeGauge(descriptor: described(MetricCatalog.threads))
        start.set(Self.startTime() ?? Date().timeIntervalSince1970)
    }

    func update() {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.first == "VmRSS:", parts.count >= 2, let kib = Double(parts[1]) { rss.set(kib * 1024) }
            if parts.first == "Threads:", parts.count >= 2, let n = Double(parts[1]) { threads.set(n) }
        }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { fds.set(Double(names.count)) }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let total =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let delta = cpuSoFar.withLock { seen -> Double in
            let d = max(0, total - seen)
            seen = max(seen, total)
            return d
        }
        if delta > 0 { cpu.increment(by: delta) }
    }

    /// The process's start, from /proc/self/stat (clock ticks after boot) and the boot time.
    private static func startTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 of stat is starttime; after the ")" the list starts at field 3.
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        guard let uptimeText = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
            let uptime = Double(uptimeText.split(separator: " ").first ?? "")
        else { return nil }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let boot = Date().timeIntervalSince1970 - uptime
        return boot + ticks / hz
    }
}

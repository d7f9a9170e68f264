import CoreMetrics
import Foundation
import Prometheus
import ShopStreamCore
import Synchronization

/// The process's metrics: swift-metrics bootstrapped once onto a Prometheus registry whose metrics
/// carry the help texts and buckets of `MetricCatalog`; `exposition()` is what `/metrics` serves.
public final class Telemetry: Sendable {
    public static let shared = Telemetry()

    public let registry = PrometheusCollectorRegistry()
    private let bootstrapped = Atomic<Bool>(false)
    private let process: ProcessMetrics

    private init() {
        process = ProcessMetrics(registry: registry)
    }

    /// Routes swift-metrics to this registry. Idempotent; only the first call in a process counts.
    /// `SHOPSTREAM_METRICS=off` leaves swift-metrics on its no-op backend (what metrics cost is
    /// measured that way: benchmarks/metrics-cost.sh); `/metrics` then shows the process figures only.
    public func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard !bootstrapped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if environment["SHOPSTREAM_METRICS"] == "off" { return }
        MetricsSystem.bootstrap(CatalogMetricsFactory(registry: registry))
    }

    /// The Prometheus text exposition (format 0.0.4) of every metric, process figures read now.
    public func exposition() -> String {
        process.update()
        return registry.emitToString()
    }
}

/// swift-metrics → Prometheus, with each metric's help text and buckets from `MetricCatalog`.
/// A label not in the catalog (a library's own metric) is exported without help.
struct CatalogMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricCatalog.descriptor(named: label)?.help ?? "")
    }

    private func buckets(_ label: String) -> [Double] {
        MetricCatalog.descriptor(named: label)?.buckets.nonEmpty ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets(label))
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(
            descriptor: descriptor(label), labels: dimensions,
            buckets: buckets(label).map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) })
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}

extension Array {
    fileprivate var nonEmpty: Self? { isEmpty ? nil : self }
}

import Foundation
import Logging
import ServiceLifecycle
import ShopStreamBus
import ShopStreamCore
import ShopStreamDashboard
import ShopStreamGenerator
import ShopStreamGold
import ShopStreamLake
import ShopStreamServer
import ShopStreamService
import ShopStreamSinks
import ShopStreamWarehouse

extension ShopStreamCommand.Run {
    /// `run --live`: the whole pipeline as services in this process until Ctrl-C/SIGTERM.
    ///
    /// Stop order (the service group stops them in reverse): the generator first; then the bronze and
    /// silver sinks, each reading on to the end of what was published (on the embedded broker that
    /// memory dies with the process) and landing it; then the compactor, after one last pass; then
    /// the HTTP server and the status line. So a clean stop leaves every published event in the
    /// lake, in silver and in gold. Kafka or Pub/Sub (`RunBus`) differ only in what the generator
    /// publishes through and which bronze sink and silver source read.
    func runLive() throws {
        service.bootstrap()
        let logger = Logger(label: "shopstream.run")
        try reportingErrors {
            let catalog = try kafka.catalog()
            let inDemo = lake == nil || warehouse == nil
            // Made afresh, as `run` does: the embedded broker starts its offsets from zero again,
            // and on Pub/Sub the same seed publishes the same event ids again (silver would reject
            // them as duplicates of the last run's).
            if inDemo && kafka.requestedBrokers == nil {
                try? FileManager.default.removeItem(atPath: DemoHome.folder)
            }
            let lakeURL = lake ?? DemoHome.lakeURL
            let warehouseURL = warehouse ?? DemoHome.warehouseURL
            let lakeStore = try makeLake(url: lakeURL)
            // The silver sink's alone (gold and the page have their own): it makes its rows
            // durable before it commits their offsets, so SQLite need not flush every commit.
            let store = try makeWarehouse(url: warehouseURL, load: load, durability: .onMakeDurable)
            for line in try sqlOptions.setup(store, catalog: catalog).apply() { logger.warning("\(line)") }
            let (bus, broker) = try openBus(catalog: catalog)
            // The process exits once the services stopped: not destroyed (see keepUntilExit).
            broker?.keepUntilExit()
            try withExtendedLifetime(broker) {
                let health = Health()
                let published = PublishedCount()

                var batching = BronzeBatching()
                batching.maxBatchAge = .seconds(2)
                let bronze = try bus.bronzeSink(batching: batching, lake: lakeStore)
                bronze.logger = Logger(label: "shopstream.bronze")

                var silverConfig = bus.silverConfiguration
                silverConfig.maxDelay = .milliseconds(250)
                silverConfig.keepsTryingInserts = true
                let silver = try bus.silverSink(configuration: silverConfig, warehouse: store, catalog: catalog)
                silver.logger = Logger(label: "shopstream.silver")
                for monitor in [bronze.monitor, silver.monitor] {
                    monitor.stallAfter = stall.stallAfter
                    // Pub/Sub's lag: what was published and not landed (Kafka's comes from watermarks).
                    monitor.publishedPerTopic = { published.perTopic }
                }

                // The compactor and the page each get their own connection: a pass's transaction
                // must not hold up silver's inserts or a page load behind one lock.
                let goldStore = try makeWarehouse(url: warehouseURL)
                let compactor = try Compactor(
                    warehouse: goldStore, sql: GoldSQL(directory: sqlOptions.directory, dialect: goldStore.dialect))
                let pageStore = try makeWarehouse(url: warehouseURL)

                let generator = LiveGenerator(
                    bus: bus, seed: seed, rate: rate ?? 200, historyDays: history ?? 0,
                    truth: truth, published: published, probe: health.probe("generator"))
                let silverMonitor = silver.monitor
                var compaction = CompactionLoop(
                    compactor: compactor, interval: compactionInterval,
                    newestSilver: { silverMonitor.snapshot().lastLandedAt },
                    probe: health.probe("compactor", maxSilence: compactionInterval + .seconds(120)))
                compaction.measuresEventToGoldFrom = SentAt.nowMilliseconds()
                let loop = compaction
                let watcher = Watcher(
                    sinks: [
                        .init(monitor: bronze.monitor, probe: health.probe("bronze")),
                        .init(monitor: silver.monitor, probe: health.probe("silver")),
                    ],
                    published: published, goldLag: { loop.lag.value }, every: quiet ? nil : .seconds(5))
                let address = service.http?.value ?? HTTPAddress(host: "127.0.0.1", port: 8080)
                let server = StatusServer(
                    host: address.host, port: address.port, health: health,
                    page: { query in
                        try LiveDashboard.page(from: pageStore, query: query, goldLag: loop.lag.value)
                    })
                let sinks = Handed((bronze, silver))
                let services: [any Service] = [
                    BlockingService("status", whenShuttingDown: .now) { stop in
                        // The group stops its services in reverse order, so this one after the
                        // HTTP server: past the deadline its cancellation (.abandon) ends a page
                        // load inside a BigQuery backoff that would hold the server's shutdown.
                        pageStore.interruptWaits(on: stop)
                        watcher.run(stop: stop)
                    },
                    server.service(onListening: { port in
                        let url = "http://\(address.host == "0.0.0.0" ? "127.0.0.1" : address.host):\(port)"
                        logger.notice(
                            "live: dashboard \(url)/  metrics \(url)/metrics  health \(url)/healthz \(url)/readyz  (Ctrl-C stops)")
                    }),
                    BlockingService("compactor", whenShuttingDown: .drain) { stop in loop.run(stop: stop) },
                    BlockingService("silver", whenShuttingDown: .drain) { stop in try sinks.value.1.run(until: stop) },
                    BlockingService("bronze", whenShuttingDown: .drain) { stop in try sinks.value.0.run(until: stop) },
                    BlockingService("generator", whenShuttingDown: .now) { stop in try generator.run(stop: stop) },
                ]
                logger.info(
                    "live: \(bus.name)\(broker == nil ? "" : " (embedded)") → bronze \(lakeURL), silver and gold \(warehouseURL)"
                )
                try service.runner.run(services)
                let b = bronze.statistics, s = silver.statistics, counts = published.perEntity
                print("topic            published     bronze     silver")
                for entity in Entity.allCases {
                    print(
                        "\(entity.topic.padding(toLength: 16, withPad: " ", startingAt: 0)) \(NumberText.grouped(counts[entity.index]).leftPadded(9)) \(NumberText.grouped(b.perTopic[entity.topic] ?? 0).leftPadded(10)) \(NumberText.grouped(s.rows[entity] ?? 0).leftPadded(10))"
                    )
                }
                print("lake:      \(NumberText.grouped(b.objects)) objects stored by this run under \(lakeStore.url)/bronze/")
                print(
                    "warehouse: \(NumberText.grouped(s.totalRows)) rows in silver, \(s.totalRejects) rejected (shop.dlq, silver.rejects), at \(store.url)"
                )
                if let p50 = s.latency(0.5), let p99 = s.latency(0.99) {
                    print(
                        "latency:   event sent → row in silver p50 \(p50) ms, p99 \(p99) ms (\(NumberText.grouped(s.latencies.count)) events)"
                    )
                }
                let gold = loop.eventToGold.value.sorted()
                if !gold.isEmpty {
                    let at = { (q: Double) in gold[min(gold.count - 1, Int(Double(gold.count) * q))] }
                    print(
                        "           sale sent → in gold p50 \(at(0.5)) ms, p99 \(at(0.99)) ms (\(NumberText.grouped(gold.count)) sales, a pass every \(DurationArgument.format(compactionInterval)))"
                    )
                }
                if let truth { print("ground truth of what was published: \(truth)") }
            }
        }
    }
}

/// A value handed whole to the one thread that uses it from then on.
/// `@unchecked Sendable`: the creating thread lets go of it once the service starts.
struct Handed<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

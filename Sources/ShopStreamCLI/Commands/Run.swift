import ArgumentParser
import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamGold
import ShopStreamLake
import ShopStreamPubSub
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse
import Synchronization

extension ShopStreamCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run the pipeline end to end: generate → Kafka or Pub/Sub → bronze (lake) + silver (warehouse) → gold, then report.",
            discussion: """
                With no --brokers, everything runs in this process on the embedded default: an embedded \
                broker, a folder lake and a SQLite warehouse under ./demo (replaced on each run, since an \
                embedded broker starts its offsets from zero again). Give --lake and --warehouse to keep \
                the results elsewhere, and --brokers to use a real cluster (its consumer groups then \
                continue from their committed offsets).

                With --pubsub PROJECT (or $PUBSUB_PROJECT) the same run goes over Cloud Pub/Sub instead: \
                the topics and subscriptions of topics/ are applied first (as `topics apply --pubsub`; \
                unordered on the emulator at $PUBSUB_EMULATOR_HOST, which keeps a thread per ordering key \
                and ordered subscription), the generator publishes to them, and bronze and silver read \
                their subscriptions until every one has been pulled empty. With --live too: a stop \
                lands what was published; what a sink did not acknowledge stays in its subscription \
                for the next run.

                Gold is built by the same compactor as \
                `shopstream compact` (incrementally, when the warehouse already has gold), and the \
                report ends with the executive summary read from it, and the dashboard page \
                (`shopstream dashboard`) is written beside them: ./\(DemoHome.dashboard) (with --lake \
                and --warehouse, only where --dashboard says).

                Live (--live): the same pipeline as long-running services until Ctrl-C or SIGTERM:
                the generator publishing --rate events a second (after --history days at full speed), \
                bronze and silver landing them, the compactor building gold every --compact-every, and \
                an HTTP server on --http with the dashboard (/, read from gold at each load and \
                reloading itself), /metrics for Prometheus, /healthz and /readyz. A status line every \
                5 s shows events/s in and out, lag, rejects and how far gold is behind. A stop lets the \
                sinks land what was published and gold take it in (bounded by --shutdown-timeout).

                Examples:
                  shopstream run              # 30 days, everything embedded
                  shopstream run --live       # open http://127.0.0.1:8080/
                  shopstream run --live --rate 1000 --history 30 --http :8080
                  shopstream run --days 365
                  STORAGE_EMULATOR_HOST=http://127.0.0.1:4443 \\
                  BIGQUERY_EMULATOR_HOST=http://127.0.0.1:9050 \\
                    shopstream run --lake gs://shop-lake --warehouse bigquery://shopstream
                  PUBSUB_EMULATOR_HOST=127.0.0.1:8085 \\
                    shopstream run --pubsub my-project --days 10
                  PUBSUB_EMULATOR_HOST=127.0.0.1:8085 \\
                    shopstream run --live --pubsub my-project --rate 200
                """)

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var pubsub: PubSubOptions

        @Option(help: "Simulated days to publish.")
        var days = 30

        @Option(help: "Random seed; the same seed gives the same events.")
        var seed: UInt64 = 42

        @Option(help: ArgumentHelp("The lake (gs://BUCKET[/PREFIX] or file:///PATH). Default: \(DemoHome.lakeURL).", valueName: "url"))
        var lake: String?

        @Option(
            help: ArgumentHelp(
                "The warehouse (bigquery://PROJECT or sqlite:///PATH.db). Default: \(DemoHome.warehouseURL).", valueName: "url"))
        var warehouse: String?

        @Option(
            help: ArgumentHelp(
                "How silver's rows reach BigQuery: storage-write (exactly once per append, about half the price) or insert-all. Default: storage-write at Google, insert-all beside an emulator (storage-write there needs $BIGQUERY_STORAGE_EMULATOR_HOST).",
                valueName: "method"))
        var load: LoadMethod?

        @OptionGroup var sqlOptions: SQLOptions

        @Option(
            help: ArgumentHelp(
                "Where to write the dashboard page. Default: \(DemoHome.dashboard) on the embedded default; none with --lake and --warehouse.",
                valueName: "file"))
        var dashboard: String?

        @Option(
            help: ArgumentHelp("Also write what was published as totals (as `generate --truth`), to hold gold against.", valueName: "file"))
        var truth: String?

        @Flag(help: "Run live, as services, until Ctrl-C or SIGTERM (see above).")
        var live = false

        @Option(
            help: ArgumentHelp(
                "With --live: events published per second (default 200), evenly at any hour; about half of it for the first minutes, until the payments that follow each sale by 20 s to 8 min catch up.",
                valueName: "R"))
        var rate: Double?

        @Option(
            help: ArgumentHelp(
                "With --live: first publish this many days of history at full speed, so the trends have a past.", valueName: "days"))
        var history: Int?

        @Option(help: "With --live: a gold compaction pass this often (default: 10s).")
        var compactEvery: Duration?

        /// How often a live run compacts gold.
        var compactionInterval: Duration { compactEvery ?? .seconds(10) }

        @OptionGroup(title: "Live") var service: ServiceOptions
        @OptionGroup var stall: StallOptions

        @Flag(name: .shortAndLong, help: "With --live: no status line, only what matters (stalls, errors).")
        var quiet = false

        func validate() throws {
            guard (1...3650).contains(days) else { throw ValidationError("--days \(days): expected 1 to 3,650") }
            let project = try pubsub.project(kafka: kafka)
            if !live {
                let liveOnly = [
                    ("--rate", rate != nil), ("--history", history != nil), ("--compact-every", compactEvery != nil),
                    ("--http", service.http != nil), ("--quiet", quiet),
                ]
                if let (name, _) = liveOnly.first(where: { $0.1 }) {
                    throw ValidationError("\(name) is for --live runs; add --live, or leave it out")
                }
            }
            if let rate, !(rate.isFinite && rate > 0 && rate <= LiveClock.maxEventsPerSecond) {
                throw ValidationError("--rate \(rate): expected a positive number of events per second, up to 10,000")
            }
            if let history, !(0...3650).contains(history) { throw ValidationError("--history \(history): expected 0 to 3,650 days") }
            if let compactEvery, compactEvery <= .zero {
                throw ValidationError("--compact-every 0s: expected a duration longer than 0s, such as 10s")
            }
            // librdkafka's mock cluster keeps 5 MiB of batches a partition and deletes the oldest
            // past that (EmbeddedBroker.partitionCapacityBytes): a longer simulation would lose its
            // first days before the sinks read them. A year fits (754,420 events); two did not
            // (876k of 1.77M landed). After publishing, `run` checks that nothing was deleted.
            if project == nil && kafka.requestedBrokers == nil && days > 365 {
                throw ValidationError(
                    "--days \(days): the embedded broker holds about a year of events (librdkafka's mock cluster keeps 5 MiB a partition and deletes the oldest events past that); use --days 365 or less, or --brokers with a real Kafka cluster"
                )
            }
        }

        /// Fails, once everything is published, if the embedded broker deleted published events to
        /// stay within its partition size: the run would otherwise report them as never published.
        /// (On Kafka the sinks read beside the generator: they may have landed some of them.)
        static func checkNothingDropped(_ broker: EmbeddedBroker, days: Int) throws {
            let dropped = try broker.droppedMessages()
            guard !dropped.isEmpty else { return }
            let worst = dropped.max { $0.value < $1.value }!
            throw CommandFailure(
                "the embedded broker could not hold \(days) days: it deleted the oldest \(NumberText.grouped(dropped.values.reduce(0, +))) events of \(dropped.count) partitions (\(NumberText.grouped(worst.value)) of \(worst.key)), because librdkafka's mock cluster keeps at most \(EmbeddedBroker.partitionCapacityBytes / 1_048_576) MiB a partition; use fewer --days, or --brokers with a real Kafka cluster"
            )
        }

        func run() throws {
            if live { return try runLive() }
            try reportingErrors {
                let started = ContinuousClock.now
                let catalog = try kafka.catalog()
                // Either location left to its default: the run's home is ./demo, made afresh.
                let inDemo = lake == nil || warehouse == nil
                if inDemo {
                    try? FileManager.default.removeItem(atPath: DemoHome.folder)
                    try FileManager.default.createDirectory(atPath: DemoHome.folder, withIntermediateDirectories: true)
                }
                let lakeURL = lake ?? DemoHome.lakeURL
                let warehouseURL = warehouse ?? DemoHome.warehouseURL
                let lakeStore: any Lake = lake == nil ? try DemoHome.lake() : try makeLake(url: lakeURL)
                // `--load` names how rows reach BigQuery: with the default (SQLite) warehouse,
                // makeWarehouse says it does not apply.
                let store: any Warehouse =
                    warehouse == nil && load == nil ? try DemoHome.warehouse() : try makeWarehouse(url: warehouseURL, load: load)
                let setup = try sqlOptions.setup(store, catalog: catalog)
                for line in try setup.apply() { note("warning: \(line)") }

                let (bus, broker) = try openBus(catalog: catalog)
                // The process exits right after the report: not destroyed (see keepUntilExit).
                broker?.keepUntilExit()
                try withExtendedLifetime(broker) {
                    var config = SimulationConfig()
                    config.seed = seed
                    try config.validate()
                    let simulatedEnd = config.startDate.adding(days: days + 1).epochMilliseconds

                    // Bronze and silver read the same topics at once, each on its own subscription
                    // (Kafka: consumer group), until everything published has landed. On Kafka they
                    // start first, beside the generator, and end as soon as the generator is done and
                    // their group's backlog is empty (exact: offsets against high watermarks). On a
                    // real cluster joining a group takes seconds (a broker holds a first join for
                    // group.initial.rebalance.delay.ms, 3 s), which publishing fills; on the embedded
                    // broker they are their groups' sole readers and join nothing. On Pub/Sub, where
                    // idle means "pulled empty for a while", they start after it.
                    let published = Latch()
                    let stop = StopSignal()
                    let beside: Bool
                    if case .kafka = bus { beside = true } else { beside = false }
                    let idle: Duration = beside ? .milliseconds(200) : .seconds(3)
                    let bronzeResult = SinkOutcome<BronzeSink.Statistics>()
                    let silverResult = SinkOutcome<SilverSink.Statistics>()
                    let group = DispatchGroup()
                    func land() {
                        runInThread("bronze", group, bronzeResult) {
                            var batching = BronzeBatching()
                            batching.idleExit = idle
                            batching.idleExitAfter = beside ? published : nil
                            batching.maxBatchAge = .seconds(1)
                            let sink = try bus.bronzeSink(batching: batching, lake: lakeStore)
                            try sink.run(until: stop)
                            return sink.statistics
                        }
                        runInThread("silver", group, silverResult) {
                            var c = bus.silverConfiguration
                            c.idleExit = idle
                            c.idleExitAfter = beside ? published : nil
                            // The simulated period may run past today: accept up to its last day.
                            let end = simulatedEnd
                            let ahead = Duration.milliseconds(max(0, end - SentAt.nowMilliseconds()))
                            c.futureTolerance = max(c.futureTolerance, ahead + .seconds(86_400))
                            let sink = try bus.silverSink(configuration: c, warehouse: store, catalog: catalog)
                            try sink.run(until: stop)
                            return sink.statistics
                        }
                    }

                    // 1. Publish.
                    note(
                        "1/4 publishing \(days) days of business to \(bus.name)\(broker == nil ? "" : " (embedded)")\(beside ? "; bronze and silver read beside it" : "")"
                    )
                    let publishingStarted = ContinuousClock.now
                    if beside { land() }
                    var counter: TopicCounter
                    var groundTruth: GroundTruth?
                    do {
                        counter = try TopicCounter(bus)
                        let simulator = Simulator(config: config)
                        if let truth {
                            var recorder = TruthRecorder(wrapping: counter)
                            try simulator.run(days: days, into: &recorder)
                            try counter.flush()
                            counter = recorder.inner
                            groundTruth = recorder.truth(of: simulator)
                            try groundTruth!.write(to: URL(fileURLWithPath: truth))
                        } else {
                            try simulator.run(days: days, into: &counter)
                            try counter.flush()
                        }
                        if let broker { try Self.checkNothingDropped(broker, days: days) }
                    } catch {
                        // The sinks land and commit what they read, and the run stops with the cause.
                        stop.request(.now)
                        group.wait()
                        throw error
                    }
                    published.raise()
                    var timeline = Timeline(started: started, publishing: publishingStarted)
                    timeline.published = .now

                    // 2. Land it.
                    note("2/4 landing it: bronze → \(lakeURL), silver → \(warehouseURL)")
                    if !beside { land() }
                    group.wait()
                    let bronze = try bronzeResult.get(), silver = try silverResult.get()
                    timeline.bronzeDone = bronzeResult.finishedAt
                    timeline.silverDone = silverResult.finishedAt

                    // 3. Gold.
                    note("3/4 building gold in \(warehouseURL)")
                    let compactor = try Compactor(warehouse: store, sql: GoldSQL(directory: setup.sqlDirectory, dialect: store.dialect))
                    let compaction = try compactor.compact()
                    timeline.goldDone = .now

                    // 4. Report.
                    note("4/4 report and dashboard")
                    let kpis = try ExecutiveKPIs.read(from: store)
                    let page = try (dashboard ?? (inDemo ? DemoHome.dashboard : nil)).map {
                        try Dashboard.write(from: store, kpis: kpis, to: $0)
                    }
                    let differences = groundTruth.map { Self.differences(gold: kpis, truth: $0.totals) }
                    try report(
                        counter: counter, bronze: bronze, silver: silver, compaction: compaction, lake: lakeStore, warehouse: store,
                        kpis: kpis, truth: differences, dashboard: page, timeline: timeline)
                    if let differences, !differences.isEmpty {
                        throw CommandFailure(
                            "gold differs from the ground truth of what was published (\(truth!)): \(differences.joined(separator: "; "))")
                    }
                }
            }
        }

        /// The report's line on the lake, from the bronze sink's own count of what it stored: listing
        /// the lake instead opened every object's description, 0.5–0.8 s of a year's run (12,864
        /// objects). A lake given with --lake may hold more, from earlier runs: `lake ls` lists it.
        static func lakeLine(_ bronze: BronzeSink.Statistics, lake: String) -> String {
            let adopted = bronze.adopted > 0 ? " (and \(NumberText.grouped(bronze.adopted)) found already there)" : ""
            return
                "lake:      \(NumberText.grouped(bronze.objects)) objects, \(NumberText.grouped(bronze.bytes / 1024)) KiB stored in \(lake)/bronze/\(adopted)"
        }

        private func report(
            counter: TopicCounter, bronze: BronzeSink.Statistics, silver: SilverSink.Statistics, compaction: CompactionReport,
            lake: any Lake, warehouse: any Warehouse, kpis k: ExecutiveKPIs, truth differences: [String]?, dashboard: String?,
            timeline: Timeline
        ) throws {
            print("topic            published     bronze     silver")
            for entity in Entity.allCases {
                print(
                    "\(entity.topic.padding(toLength: 16, withPad: " ", startingAt: 0)) \(NumberText.grouped(counter.counts[entity.index]).leftPadded(9)) \(NumberText.grouped(bronze.perTopic[entity.topic] ?? 0).leftPadded(10)) \(NumberText.grouped(silver.rows[entity] ?? 0).leftPadded(10))"
                )
            }
            print(Self.lakeLine(bronze, lake: lake.url))
            print(
                "warehouse: \(NumberText.grouped(silver.totalRows)) rows in silver, \(silver.totalRejects) rejected (shop.dlq, silver.rejects), \(NumberText.grouped(silver.waited)) facts waited for a dimension read later, at \(warehouse.url)"
            )
            print("gold:      \(compaction.summary)")
            if let differences, let truth {
                print(
                    differences.isEmpty
                        ? "truth:     gold equals what was published (\(truth)): orders, units, customers, and gross, discounts and net revenue to the paisa"
                        : "truth:     gold DIFFERS from what was published (\(truth)): \(differences.joined(separator: "; "))")
            }
            print("")
            print("executive summary, \(k.firstDay ?? "-") … \(k.lastDay ?? "-") (gold.executive_summary, gold.daily_sales):")
            print(
                "  net revenue   \(NumberText.pkr(k.netRevenuePaisa))   (gross \(NumberText.pkr(k.grossRevenuePaisa)), discounts \(NumberText.pkr(k.discountsPaisa)))"
            )
            print(
                "  sales         \(NumberText.grouped(k.orders)) orders, \(NumberText.grouped(k.units)) units, average order \(NumberText.pkr(k.averageOrderPaisa))"
            )
            print("  customers     \(NumberText.grouped(k.customers)), \(NumberText.grouped(k.newCustomers)) of them new in the period")
            if let growth = k.weeklyGrowth {
                print(
                    "  last 7 days   \(NumberText.pkr(k.lastWeekPaisa)), \(NumberText.percent(growth, signed: true)) on the 7 days before")
            }
            var service: [String] = []
            if let f = k.paymentFailureShare, let r = k.refundShare {
                service.append("payments \(NumberText.percent(f)) declined, \(NumberText.percent(r)) refunded")
            }
            if let t = k.onTimeShare { service.append("deliveries \(NumberText.percent(t)) on time") }
            if !service.isEmpty { print("  service       " + service.joined(separator: "; ")) }
            var tops: [String] = []
            if let r = k.topRegion { tops.append("region \(r.name) \(NumberText.pkr(r.paisa))") }
            if let c = k.topCategory { tops.append("category \(c.name) \(NumberText.pkr(c.paisa))") }
            if !tops.isEmpty { print("  top           " + tops.joined(separator: "; ")) }
            print(
                "  top stores by revenue: "
                    + k.topStores.map { "\($0.name) (\($0.city)) \(NumberText.pkr($0.paisa))" }.joined(separator: "; "))
            print("")
            if let dashboard {
                print("dashboard: \(dashboard)   (open it in a browser)")
            } else {
                print("dashboard: not written (--dashboard FILE, or later: shopstream dashboard --warehouse \(warehouse.url))")
            }
            print("")
            print("done in \(timeline.summary(now: .now)). Look around:")
            print("  shopstream lake ls --lake \(lake.url) bronze/sales/ | head")
            print("  shopstream warehouse query --warehouse \(warehouse.url) \"SELECT * FROM gold.executive_summary\"")
            print("  shopstream warehouse query --warehouse \(warehouse.url) \"SELECT * FROM silver.sales_dedup LIMIT 5\"")
            print("  shopstream compact --warehouse \(warehouse.url)        # gold again, after more data")
        }
    }
}

extension ShopStreamCommand.Run {
    /// The bus asked for: Pub/Sub with --pubsub (its topology applied), else Kafka at --brokers or
    /// an embedded broker (returned too: the caller keeps it alive while the run uses it).
    func openBus(catalog: TopicCatalog) throws -> (RunBus, EmbeddedBroker?) {
        if let project = try pubsub.project(kafka: kafka) { return (.pubSub(try Self.openPubSub(project: project, catalog: catalog)), nil) }
        let (conn, broker) = try kafka.open(catalog)
        // The embedded broker is this run's alone: its sinks read every partition without joining
        // a group, so they start reading at once rather than after a first join's 3 s hold.
        return (.kafka(conn, broker == nil ? .group : .sole), broker)
    }

    /// A client for `project` with the topology of topics/ applied, as `topics apply --pubsub` does.
    /// On the emulator the subscriptions are unordered: it keeps a thread per ordering key and
    /// ordered subscription and never frees it (docs/pubsub.md), which a run's thousands of keys
    /// turn into a machine brought to its knees.
    static func openPubSub(project: String, catalog: TopicCatalog) throws -> PubSubClient {
        let client = try PubSubOptions.client(project: project)
        let onEmulator = PubSubClient.Configuration.emulatorEndpoint(environment: ProcessInfo.processInfo.environment) != nil
        let topology = PubSubTopology(catalog: catalog, messageOrdering: !onEmulator)
        for status in try PubSubReconciler(client: client).apply(topology) {
            if case .drifted(let differences) = status.state {
                note(
                    "warning: \(status.kind.rawValue) \(status.name) differs from topics/: \(differences.joined(separator: "; ")) (shopstream topics apply --pubsub \(project) --alter changes what Pub/Sub allows)"
                )
            }
        }
        return client
    }
}

extension ShopStreamCommand.Run {
    /// Where gold's totals differ from the generator's ground truth, one phrase each ("orders 915 in gold, 914 published").
    static func differences(gold k: ExecutiveKPIs, truth t: GroundTruth.Totals) -> [String] {
        let pairs: [(String, Int64, Int64)] = [
            ("orders", Int64(k.orders), Int64(t.orders)), ("units", Int64(k.units), Int64(t.units)),
            ("customers", Int64(k.customers), Int64(t.customers)), ("gross revenue (paisa)", k.grossRevenuePaisa, t.grossRevenuePaisa),
            ("discounts (paisa)", k.discountsPaisa, t.discountsPaisa), ("net revenue (paisa)", k.netRevenuePaisa, t.netRevenuePaisa),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { "\($0.0) \(NumberText.grouped($0.1)) in gold, \(NumberText.grouped($0.2)) published" }
    }
}

/// Publishes what the generator makes to the run's bus and counts it, per entity.
private struct TopicCounter: EventSink {
    private let publisher: BusPublisher
    var counts = [Int](repeating: 0, count: Entity.allCases.count)

    init(_ bus: RunBus) throws { publisher = try bus.publisher() }

    /// Waits until the bus has confirmed everything sent; throws if anything failed.
    func flush() throws { try publisher.flush(.seconds(120)) }

    mutating func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        try publisher.send(entity, key, value, [], timestampMs)
        counts[entity.index] += 1
        return true
    }
}

/// A sink's result, and when it came, handed from its thread to the command's.
private final class SinkOutcome<T: Sendable>: Sendable {
    private let result = Mutex<(Result<T, any Error>, ContinuousClock.Instant)?>(nil)
    func set(_ r: Result<T, any Error>) { result.withLock { $0 = (r, .now) } }
    func get() throws -> T { try result.withLock { $0 }!.0.get() }
    var finishedAt: ContinuousClock.Instant? { result.withLock { $0?.1 } }
}

/// Where a run's time went, for its last line: what to look at when it is slow.
private struct Timeline {
    let started: ContinuousClock.Instant
    let publishing: ContinuousClock.Instant
    var published: ContinuousClock.Instant?
    var bronzeDone: ContinuousClock.Instant?
    var silverDone: ContinuousClock.Instant?
    var goldDone: ContinuousClock.Instant?

    /// "12.0 s (set-up 0.4 s, publishing 1.7 s; after it, bronze done in 4.1 s, silver in 8.0 s; gold 1.2 s, report 0.6 s)".
    func summary(now: ContinuousClock.Instant) -> String {
        func s(_ d: Duration) -> String { String(format: "%.1f s", d.seconds) }
        guard let published else { return s(now - started) }
        var text = "set-up \(s(publishing - started)), publishing \(s(published - publishing))"
        var after: [String] = []
        if let bronzeDone { after.append("bronze done in \(s(max(.zero, bronzeDone - published)))") }
        if let silverDone { after.append("silver in \(s(max(.zero, silverDone - published)))") }
        if !after.isEmpty { text += "; after it, " + after.joined(separator: ", ") }
        let landed = [bronzeDone, silverDone].compactMap { $0 }.max() ?? published
        if let goldDone { text += "; gold \(s(goldDone - landed)), report \(s(now - goldDone))" }
        return "\(s(now - started)) (\(text))"
    }
}

/// Runs a sink on a thread of its own (sinks block; they never run on Swift's cooperative pool).
private func runInThread<T>(
    _ name: String, _ group: DispatchGroup, _ outcome: SinkOutcome<T>, _ body: @escaping @Sendable () throws -> T
) {
    group.enter()
    startThread(named: name) {
        outcome.set(Result { try body() })
        group.leave()
    }
}

import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import ShopStreamBus
import ShopStreamCore
import ShopStreamLake
import ShopStreamPubSub
import ShopStreamServer
import ShopStreamService
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Sink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consumers that land the stream in the lake or the warehouse.",
            subcommands: [Bronze.self, Silver.self])
    }
}

extension ShopStreamCommand.Sink {
    struct Bronze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Archive every entity topic into the lake: 100 events an object, exactly once.",
            discussion: """
                Consumer group shopstream-bronze reads the seven entity topics and stores per-partition \
                batches as JSON Lines objects, one event per line as published:

                  bronze/<entity>/dt=YYYY-MM-DD/<topic>+<partition>+<first offset>.jsonl[.gz]

                dt is the UTC date of the record timestamp; metadata records first and last offset, count \
                and crc32c. A batch closes at --batch-size events, at a change of date, or when its oldest \
                event is --max-batch-age old. Offsets are committed only once the object is stored; after a \
                crash at any point every event ends up in exactly one object.

                Memory: events read and not yet stored are held up to --max-buffer bytes (and \
                max(20,000, uploads × batch size × 4) events). When it is full the sink stops reading and \
                closes open batches early so that uploads make room, then reads on.

                With --pubsub PROJECT it reads the subscriptions shop.<entity>.bronze (made by `topics apply \
                --pubsub`) instead. Pub/Sub has no offsets: objects are named by the publish time and message id \
                of their batch's first message,

                  bronze/<entity>/dt=YYYY-MM-DD/<topic>+<publish ms>+<message id>.jsonl[.gz]

                with metadata message_ids, count, crc32c and bus=pubsub. A message is acknowledged only once \
                its object is stored, so a crash loses nothing; a message delivered again after a crash can \
                land twice, in two objects, and `lake verify` reports each such message. --group does not \
                apply. A batch whose upload fails (after the HTTP layer's retries) is held, its lease kept, \
                and tried again every second for --give-back-after (10m); then it is given back and comes \
                again. Each give-back spends a delivery attempt, and after the subscription's \
                --max-delivery-attempts (20, set by `topics apply --pubsub`) Pub/Sub moves its messages to \
                shop.dlq instead of the lake: the sink logs an error and its summary says `dead-lettered: N`. \
                Read them back with `shopstream topics drain --pubsub PROJECT shop.dlq.inspect --print`.

                Examples:
                  shopstream sink bronze --brokers localhost:9092 --lake file:///data/lake
                  STORAGE_EMULATOR_HOST=http://127.0.0.1:4443 \\
                    shopstream sink bronze --lake gs://shop-lake
                  # real GCS, credentials from ADC:
                  shopstream sink bronze --lake gs://shop-lake/raw --gzip
                  PUBSUB_EMULATOR_HOST=127.0.0.1:8085 \\
                    shopstream sink bronze --pubsub my-project --idle-exit 5s
                """)

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var pubsub: PubSubOptions
        @OptionGroup var lakeOptions: LakeOptions

        @Option(help: "Events an object holds at most.")
        var batchSize = 100

        @Option(help: "Store a partial batch once its oldest event is this old.")
        var maxBatchAge: Duration = .seconds(30)

        @Flag(help: "Compress objects (.jsonl.gz).")
        var gzip = false

        @Option(help: "Uploads in flight at once (at most one per partition).")
        var uploads = 8

        @Option(
            help: ArgumentHelp(
                "Memory for events read and not yet stored (e.g. 16MiB, 1GiB; MB and GB are powers of 1000). Full, the sink stops reading and closes batches early, so 10 MB messages cost this much, not batch size × 10 MB. At least 1MiB; each upload in flight also holds its object, and librdkafka prefetches up to 64 MiB more.",
                valueName: "size"))
        var maxBuffer = ByteCountArgument(bytes: BronzeConfiguration.defaultMaxBufferedBytes)

        @Option(help: "Consumer group, whose committed offsets are the sink's progress.")
        var group = "shopstream-bronze"

        @Option(
            help:
                "Store what is left and exit once idle this long. Kafka: no event arrived for this long and the group has read every partition to its end (a member that died still holds its partitions until its session ends). Pub/Sub: no message arrived for this long and every subscription came back empty from every pull meanwhile (Pub/Sub gives no backlog figure on the emulator). Default: run until Ctrl-C."
        )
        var idleExit: Duration?

        @Option(
            help:
                "With --pubsub: hold a batch whose upload keeps failing, its lease kept, this long before giving it back to Pub/Sub (each give-back spends a delivery attempt). 0s: give back at once."
        )
        var giveBackAfter: Duration = PubSubBronzeConfiguration().giveBackAfter

        @Flag(name: .shortAndLong, help: "Only the summary (and what matters: stalls, errors).")
        var quiet = false

        @OptionGroup(title: "Service") var service: ServiceOptions
        @OptionGroup var stall: StallOptions

        func validate() throws {
            _ = try pubsub.project(kafka: kafka)
            guard giveBackAfter >= .zero else { throw ValidationError("--give-back-after: expected 0s or longer, such as 10m") }
            guard maxBatchAge > .zero else { throw ValidationError("--max-batch-age 0s: expected a duration longer than 0s, such as 30s") }
            guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size \(batchSize): expected 1 to 1,000,000") }
            guard (1...256).contains(uploads) else { throw ValidationError("--uploads \(uploads): expected 1 to 256") }
            guard maxBuffer.bytes >= BronzeConfiguration.minimumBufferedBytes else {
                throw ValidationError("--max-buffer \(maxBuffer): expected at least 1MiB (the default is 64MiB)")
            }
        }

        func run() throws {
            service.bootstrap()
            let logger = Logger(label: "shopstream.bronze")
            try reportingErrors {
                let lake = try lakeOptions.open()
                if let project = try pubsub.project(kafka: kafka) {
                    return try runOnPubSub(project: project, lake: lake, logger: logger)
                }
                let catalog = try kafka.catalog()
                let (conn, broker) = try kafka.open(catalog)
                try withExtendedLifetime(broker) {
                    if broker != nil {
                        logger.notice(
                            "no --brokers given: reading an empty embedded broker at \(conn.bootstrapServers); pass --brokers to read a real stream"
                        )
                    }
                    let sink = try BronzeSink(configuration: configuration(connection: conn), lake: lake)
                    sink.monitor.stallAfter = stall.stallAfter
                    if !quiet { sink.logger = logger }
                    if !quiet { logger.info("\(conn.bootstrapServers) → \(lake.url), group \(group), batches of \(batchSize)") }
                    try runSinkService("bronze", monitor: sink.monitor, service: service, quiet: quiet) { stop in try sink.run(until: stop)
                    }
                    printSummary(sink.statistics, lake: lake.url, maxBuffer: maxBuffer)
                }
            }
        }

        /// The sink's configuration, as the options ask.
        func configuration(connection: KafkaConnection) -> BronzeConfiguration {
            var config = BronzeConfiguration(connection: connection)
            config.groupId = group
            config.batching = batching
            return config
        }

        /// Batch size, age, uploads, buffer and idle exit: the same on either bus.
        var batching: BronzeBatching {
            var b = BronzeBatching()
            b.batchSize = batchSize
            b.maxBatchAge = maxBatchAge
            b.gzip = gzip
            b.uploads = uploads
            b.maxBufferedBytes = maxBuffer.bytes
            b.idleExit = idleExit
            return b
        }

        private func runOnPubSub(project: String, lake: any Lake, logger: Logger) throws {
            var config = PubSubBronzeConfiguration()
            config.batching = batching
            config.giveBackAfter = giveBackAfter
            let sink = try PubSubBronzeSink(configuration: config, client: try PubSubOptions.client(project: project), lake: lake)
            sink.monitor.stallAfter = stall.stallAfter
            if !quiet { sink.logger = logger }
            if !quiet { logger.info("\(sink.client.location) → \(lake.url), subscriptions shop.<entity>.bronze, batches of \(batchSize)") }
            try runSinkService("bronze", monitor: sink.monitor, service: service, quiet: quiet) { stop in try sink.run(until: stop) }
            printSummary(sink.statistics, lake: lake.url, maxBuffer: maxBuffer)
        }

        private func printSummary(_ s: BronzeSink.Statistics, lake: String, maxBuffer: ByteCountArgument) {
            let secs = Double(s.elapsed.components.seconds) + Double(s.elapsed.components.attoseconds) / 1e18
            for (topic, n) in s.perTopic.sorted(by: { $0.key < $1.key }) {
                print("  \(topic.padding(toLength: 16, withPad: " ", startingAt: 0)) \(NumberText.grouped(n).leftPadded(10)) events")
            }
            print(
                "bronze: \(s.events) events in \(s.objects) objects, \(String(format: "%.1f", Double(s.bytes) / 1_048_576)) MiB to \(lake)")
            print("elapsed: \(String(format: "%.3f", secs)) s, \(NumberText.grouped(Int(Double(s.events) / max(secs, 0.001)))) events/s")
            let retries = s.retryCount
            let reasons = s.retries.sorted { $0.value > $1.value }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
            print("retries: \(retries)\(retries > 0 ? " (\(reasons))" : "")")
            if s.adopted > 0 {
                print("adopted: \(s.adopted) objects already stored by an earlier run (\(s.skipped) records not stored again)")
            }
            if s.requeued > 0 { print("requeued: \(s.requeued) uploads tried again after the HTTP layer's retries ran out") }
            if s.deadLettered > 0 {
                print(
                    "dead-lettered: \(s.deadLettered) events given back on their last delivery attempt are in \(Entity.deadLetterTopic), not in the lake (topics drain --pubsub PROJECT \(PubSubTopology.deadLetterSubscription) --print)"
                )
            }
            if s.droppedForLostLease > 0 {
                print("dropped: \(s.droppedForLostLease) events of batches whose lease was lost, not stored (Pub/Sub delivers them again)")
            }
            if s.unacknowledged > 0 {
                print(
                    "unacknowledged: \(s.unacknowledged) stored events whose acknowledgement failed; they may land twice (lake verify reports it)"
                )
            }
            if s.unparsed > 0 { print("unparsed: \(s.unparsed) records were not single-line UTF-8 JSON and are kept base64-encoded") }
            let peak = String(format: "%.1f", Double(s.peakBufferedBytes) / 1_048_576)
            var memory =
                "buffer: at most \(NumberText.grouped(s.peakBufferedEvents)) events, \(peak) MiB held at once (--max-buffer \(maxBuffer))"
            if s.sealedToMakeRoom > 0 { memory += "; \(s.sealedToMakeRoom) batches closed early to make room" }
            print(memory)
        }
    }
}

extension ShopStreamCommand.Sink {
    struct Silver: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate, type and stream every entity topic into the silver tables; rejects to shop.dlq.",
            discussion: """
                Consumer group shopstream-silver validates each event against its topic's JSON Schema in \
                topics/ and sanity rules, casts it to the silver column types (money exact, timestamps in UTC), \
                checks that the dimensions it references are known (a fact waits up to --reference-grace for \
                a dimension still on its way) and inserts it with a deterministic insertId. What it cannot \
                accept goes to shop.dlq and silver.rejects with a reason that names the field. \
                Applies sql/ first (as `warehouse init` does).

                Memory follows --dedup-window, not history: the sink holds the event ids it accepted (to \
                reject a duplicate event_id published again) and the sale ids payments and shipments \
                refer to for that long in event time, under 100 bytes an event (plus every customer, \
                product and store id). A duplicate older than the window is inserted again, and the \
                views silver.<fact>_dedup and silver.<dimension>_current still show it once; a payment \
                or shipment whose sale is older than the window is checked against silver.sales.

                Examples:
                  shopstream sink silver --brokers localhost:9092   # SQLite ./warehouse.db
                  BIGQUERY_EMULATOR_HOST=http://127.0.0.1:9050 \\
                  BIGQUERY_STORAGE_EMULATOR_HOST=127.0.0.1:9060 \\
                    shopstream sink silver --warehouse bigquery://shopstream \\
                    --load storage-write
                  # Pub/Sub: shop.<entity>.silver, made by `topics apply --pubsub`
                  PUBSUB_EMULATOR_HOST=127.0.0.1:8085 \\
                    shopstream sink silver --pubsub my-project

                On Pub/Sub a message is acknowledged once it is in silver or dead-lettered (published \
                to the topic shop.dlq with the reason as attributes); --idle-exit waits until every \
                subscription has been pulled empty. Redeliveries carry their message id: the dedup \
                views show each event once.
                """)

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var pubsub: PubSubOptions
        @OptionGroup var warehouseOptions: WarehouseOptions
        @OptionGroup var sqlOptions: SQLOptions

        @Option(help: "How long a fact may wait for a dimension it references.")
        var referenceGrace: Duration = .seconds(60)

        @Option(
            help:
                "How long, in event time, accepted event ids and sale ids stay in memory. A duplicate event_id within it is rejected; an older one is inserted again and the _dedup/_current views still show it once."
        )
        var dedupWindow: Duration = .seconds(30 * 86_400)

        @Option(
            help:
                "Rows an insert carries at most: one SQLite transaction (BigQuery's client splits it into requests of its own). Default: 10,000 into SQLite, 2,000 into BigQuery."
        )
        var maxRows: Int?

        @Option(
            help:
                "Facts that may wait for their dimensions at once, roughly (each holds ~3 KB). At this many, reading payments, shipping and inventory whose facts wait is paused (their Kafka partitions, or their Pub/Sub subscriptions) until half got in: a backlog is read at uneven paces, and without a bound the waiting facts grow with it."
        )
        var maxWaiting = 50_000

        @Option(
            help: ArgumentHelp(
                "How rows reach BigQuery: storage-write (the Storage Write API: each row exactly once, about half insertAll's price) or insert-all (legacy tabledata.insertAll, best-effort de-duplication). Default: storage-write at Google; insert-all beside an emulator (bqemulator deadlocks when another process queries while rows are appended), where storage-write needs $BIGQUERY_STORAGE_EMULATOR_HOST (its gRPC port).",
                valueName: "method"))
        var load: LoadMethod?

        @Option(help: "How far in the future an event's time may lie before it is rejected (more for a simulation that runs past today).")
        var maxFuture: Duration = .seconds(86_400)

        @Option(help: "Insert a partial batch once its oldest row is this old (latency vs. request count).")
        var maxDelay: Duration = .seconds(1)

        @Option(help: "Consumer group, whose committed offsets are the sink's progress.")
        var group = "shopstream-silver"

        @Option(
            help:
                "Insert what is left and exit once no event arrived for this long and the group has read every partition to its end (a member that died still holds its partitions until its session ends). Default: run until Ctrl-C."
        )
        var idleExit: Duration?

        @Flag(name: .shortAndLong, help: "Only the summary (and what matters: stalls, errors).")
        var quiet = false

        @OptionGroup(title: "Service") var service: ServiceOptions
        @OptionGroup var stall: StallOptions

        func validate() throws {
            guard dedupWindow > .zero else {
                throw ValidationError(
                    "--dedup-window \(DurationArgument.format(dedupWindow)): expected a window longer than zero, such as 30d")
            }
            if let maxRows, !(1...10_000).contains(maxRows) { throw ValidationError("--max-rows \(maxRows): expected 1 to 10,000") }
            guard maxWaiting >= 100 else { throw ValidationError("--max-waiting \(maxWaiting): expected 100 or more") }
        }

        func run() throws {
            service.bootstrap()
            let logger = Logger(label: "shopstream.silver")
            try reportingErrors {
                // SQLite flushes its log before each commit of offsets, not at every insert's
                // commit (the sink makes its rows durable before it acknowledges them).
                let warehouse = try warehouseOptions.open(load: load, durability: .onMakeDurable)
                let catalog = try kafka.catalog()
                let drift = try sqlOptions.setup(warehouse, catalog: catalog).apply()
                for line in drift { logger.warning("\(line)") }
                let project = try pubsub.project(kafka: kafka)
                let (conn, broker) = project == nil ? try kafka.open(catalog) : (nil, nil)
                try withExtendedLifetime(broker) {
                    let sink: SilverSink
                    let from: String
                    if let project, conn == nil {
                        let client = try PubSubOptions.client(project: project)
                        sink = try SilverSink(configuration: configure(.pubSub()), warehouse: warehouse, catalog: catalog, pubSub: client)
                        from = "\(client.location), subscriptions shop.<entity>.silver"
                    } else {
                        let conn = conn!
                        sink = try SilverSink(configuration: configuration(connection: conn), warehouse: warehouse, catalog: catalog)
                        from = "\(conn.bootstrapServers), group \(group)"
                    }
                    sink.monitor.stallAfter = stall.stallAfter
                    if !quiet { sink.logger = logger }
                    let loading = (warehouse as? BigQueryWarehouse).map { " (\($0.load.rawValue))" } ?? ""
                    if !quiet { logger.info("\(from) → \(warehouse.url)\(loading)") }
                    try runSinkService("silver", monitor: sink.monitor, service: service, quiet: quiet) { stop in try sink.run(until: stop)
                    }
                    let s = sink.statistics
                    for entity in Entity.allCases {
                        print(
                            "  silver.\(entity.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(NumberText.grouped(s.rows[entity] ?? 0).leftPadded(10)) rows"
                        )
                    }
                    let secs = Double(s.elapsed.components.seconds) + Double(s.elapsed.components.attoseconds) / 1e18
                    print(
                        "silver: \(s.totalRows) rows, \(s.totalRejects) rejected, \(s.waited) waited for a dimension (at most \(s.mostWaiting) at once\(s.pausedReading > 0 ? "; reading paused \(s.pausedReading) times to bound them" : "")), to \(warehouse.url)\(loading)"
                    )
                    print(
                        "elapsed: \(String(format: "%.3f", secs)) s, \(NumberText.grouped(Int(Double(s.totalRows + s.totalRejects) / max(secs, 0.001)))) events/s"
                    )
                    if !s.rejects.isEmpty {
                        print(
                            "rejects: " + s.rejects.sorted { $0.value > $1.value }.map { "\($0.key) x\($0.value)" }.joined(separator: ", "))
                    }
                    if s.retries > 0 { print("retries: \(s.retries)") }
                    if s.alreadyHeld > 0 {
                        print("already in silver: \(s.alreadyHeld) messages read again past the committed offsets, not inserted again")
                    }
                    if s.lookedUp > 0 { print("looked up: \(s.lookedUp) ids in silver, not held (older than --dedup-window)") }
                    if let p50 = s.latency(0.5), let p99 = s.latency(0.99) {
                        print("latency: p50 \(p50) ms, p99 \(p99) ms, event sent → row in silver (\(s.latencies.count) live events)")
                    }
                }
            }
        }
    }
}

extension ShopStreamCommand.Sink.Silver {
    /// The sink's configuration on Kafka, as the options ask.
    func configuration(connection: KafkaConnection) -> SilverConfiguration { configure(SilverConfiguration(connection: connection)) }

    /// `base` with what the options ask.
    func configure(_ base: SilverConfiguration) -> SilverConfiguration {
        var config = base
        config.groupId = group
        config.referenceGrace = referenceGrace
        config.maxRows = maxRows
        config.maxWaitingFacts = maxWaiting
        config.maxDelay = maxDelay
        config.futureTolerance = maxFuture
        config.dedupWindow = dedupWindow
        config.idleExit = idleExit
        // A sink that runs until stopped keeps trying a failing warehouse (the stall shows in
        // /readyz and the log); one that ends when idle stops once the warehouse gave up.
        config.keepsTryingInserts = idleExit == nil
        return config
    }
}

/// Runs one sink as a service until it ends (`--idle-exit`) or a signal stops it, beside a watcher
/// that relays its health and, with `--http`, the status server.
private func runSinkService(
    _ name: String, monitor: SinkMonitor, service: ServiceOptions, quiet: Bool,
    body: @escaping (StopSignal) throws -> Void
) throws {
    let health = Health()
    let watcher = Watcher(sinks: [.init(monitor: monitor, probe: health.probe(name))], every: quiet ? nil : .seconds(10))
    let handed = Handed(body)
    var services: [any Service] = [BlockingService("status", whenShuttingDown: .now) { stop in watcher.run(stop: stop) }]
    if let address = service.http?.value {
        services.append(StatusServer(host: address.host, port: address.port, health: health).service())
    }
    services.append(BlockingService(name, whenShuttingDown: .now) { stop in try handed.value(stop) })
    try service.runner.run(services)
}

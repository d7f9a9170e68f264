import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import ShopStreamBus
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamPubSub
import ShopStreamServer
import ShopStreamService

extension ShopStreamCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish the simulated business to one Kafka topic per entity.",
            discussion: """
                Customers, products, stores, inventory, sales, payments and shipping of an \
                Apple-accessories retailer across Pakistan, day by day from --start, with \
                daily and weekly rhythm, paydays, Ramadan/Eid, 11.11 and White Friday peaks. \
                The same --seed gives byte-identical events. Every fact references only \
                dimensions already published; a sale's payments and shipments share its key.

                How much (pick one; default --days 30):
                  --events N     exactly N events, then stop
                  --days D       D simulated days at full speed
                  --rate R       live: the business as it happens, until Ctrl-C or --events

                Live (--rate R): each event is dated when it happens and sent then: today's \
                events, about R a second, spread evenly over the day (orders and sign-ups \
                scaled up to the rate, so today holds far more than an ordinary day: R x the \
                seconds since midnight). With --history D, the D ordinary days before today \
                go first, at full speed, so the trends have a past. The business's first \
                day (its stores, products, customers, stock) and anything due today before \
                the start go out as one burst at the start. Each event carries the time it \
                was sent (header shopstream-sent-at). --seed and the start instant fix the \
                events; --start does not apply (today is the live day).

                Ground truth (--truth FILE): when the run ends, however it ends, a JSON file \
                of what was published, totalled from the events themselves: events per topic; \
                orders, units, gross, discounts and net revenue; sales per day and store; \
                payments per day and method by status; shipments per day and carrier by \
                outcome; customers per current tier; sign-ups per day. Money is integer \
                paisa, days are dates in Pakistan. Hold the gold tables against it: they must \
                reproduce these numbers from what bronze and silver landed.

                Examples:
                  shopstream generate --days 365      # a year, embedded broker
                  shopstream generate --brokers localhost:9092 --rate 200
                  shopstream generate --brokers localhost:9092 --rate 200 --history 30
                  # files for kcat -P -K '\\t':
                  shopstream generate --events 1000000 --output /tmp/events
                  # and the figures gold must match:
                  shopstream generate --days 14 --truth truth.json
                """)

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var pubsub: PubSubOptions

        @Option(help: "Stop after exactly this many events.")
        var events: Int?

        @Option(help: "Simulate this many days (default 30 when neither --events nor --rate is given).")
        var days: Int?

        @Option(
            help: ArgumentHelp(
                "Publish live, the business on the wall clock, at this many events per second on average (at most 10,000), e.g. 500 or 500/s.",
                valueName: "R"))
        var rate: String?

        @Option(
            help: ArgumentHelp(
                "With --rate: first publish this many ordinary days before today, at full speed (default 0).", valueName: "D"))
        var history: Int?

        @Option(help: "Random seed; the same seed gives the same events, byte for byte.")
        var seed: UInt64 = 42

        @Option(
            help: ArgumentHelp(
                "First simulated day (default 2025-01-01; not with --rate, whose days are today and --history).", valueName: "YYYY-MM-DD"))
        var start: String?

        @Option(help: "Baseline orders per day, before daily, weekly and seasonal patterns.")
        var ordersPerDay: Int?

        @Option(
            help: ArgumentHelp(
                "Write each topic's events to DIR/<topic>.tsv as key<TAB>value lines instead of publishing (kcat -P -K '\\t' reads them).",
                valueName: "DIR"))
        var output: String?

        @Flag(help: "Generate and count, publish nothing: the generator's own speed.")
        var dryRun = false

        @Option(
            help: ArgumentHelp(
                "Also write the ground truth of what was published to FILE (JSON), to hold the gold tables against.",
                discussion:
                    "Written when the run ends, also when stopped by --events or Ctrl-C: it then covers exactly what was published. Decoding every event slows the run; without --truth nothing is decoded.",
                valueName: "FILE"))
        var truth: String?

        @Flag(name: .shortAndLong, help: "No progress display.")
        var quiet = false

        @OptionGroup(title: "With --rate") var service: ServiceOptions

        var ratePerSecond: Double? {
            guard let rate else { return nil }
            let text = rate.hasSuffix("/s") ? String(rate.dropLast(2)) : rate
            return Double(text)
        }

        func validate() throws {
            if let rate {
                guard let r = ratePerSecond, r.isFinite, r > 0 else {
                    throw ValidationError("--rate \(rate): expected a positive number of events per second, e.g. --rate 500")
                }
                guard r <= LiveClock.maxEventsPerSecond else {
                    throw ValidationError(
                        "--rate \(rate): a live run publishes at most 10,000 events per second; for more, drop --rate (full speed)")
                }
                if days != nil {
                    throw ValidationError(
                        "--days and --rate exclude each other: a live run follows the clock until Ctrl-C or --events; --history D adds past days"
                    )
                }
                if start != nil {
                    throw ValidationError(
                        "--start and --rate exclude each other: a live run's days are today and the --history days before it")
                }
            } else if history != nil {
                throw ValidationError("--history is for live runs: add --rate, e.g. --rate 200 --history \(history!)")
            }
            if let history, let live = simulationConfig(liveFrom: SentAt.nowMilliseconds()).live {
                // The business's first day can be no earlier than 2024-01-01 (every store had opened).
                let most = live.day.daysSinceEpoch - SimDate(year: 2024, month: 1, day: 1).daysSinceEpoch
                guard (0...most).contains(history) else {
                    throw ValidationError(
                        "--history \(history): expected 0 to \(NumberText.grouped(most)) days (the simulated business starts no earlier than 2024-01-01)"
                    )
                }
            }
            if let events, events < 1 { throw ValidationError("--events \(events): expected at least 1") }
            if let days, days < 1 { throw ValidationError("--days \(days): expected at least 1") }
            if let ordersPerDay, !(1...1_000_000).contains(ordersPerDay) {
                throw ValidationError("--orders-per-day \(ordersPerDay): expected 1 to 1,000,000")
            }
            if let start, SimDate(start) == nil {
                throw ValidationError("--start \(start): expected a date as YYYY-MM-DD, e.g. 2025-01-01")
            }
            do { try simulationConfig(liveFrom: SentAt.nowMilliseconds()).validate() } catch { throw ValidationError("\(error)") }
            if output != nil && dryRun { throw ValidationError("--output and --dry-run exclude each other") }
            if try pubsub.project(kafka: kafka) != nil && (output != nil || dryRun) {
                throw ValidationError("--pubsub publishes; --output and --dry-run publish nothing: choose one")
            }
            if let truth {
                // Found now rather than after a long run.
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: truth, isDirectory: &isFolder), isFolder.boolValue {
                    throw ValidationError(
                        "--truth \(truth) is a folder; give a file name, e.g. --truth \((truth as NSString).appendingPathComponent("truth.json"))"
                    )
                }
                let folder = URL(fileURLWithPath: truth).deletingLastPathComponent().path
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                    throw ValidationError("--truth \(truth): the folder \(folder) does not exist; create it or write the truth elsewhere")
                }
            }
        }

        func run() throws {
            service.bootstrap()
            let health = Health()
            let probe = health.probe("generator", maxSilence: nil)
            var services: [any Service] = []
            if let address = service.http?.value {
                services.append(StatusServer(host: address.host, port: address.port, health: health).service())
            }
            // The whole run is one service: Ctrl-C or SIGTERM asks it to stop after the event in
            // hand (it then flushes and reports), a second one ends the process at once.
            services.append(
                BlockingService("generator", whenShuttingDown: .now) { shutdown in
                    try publish(shutdown: shutdown, probe: probe)
                    probe.finished()
                })
            try reportingErrors { try service.runner.run(services) }
        }

        private func publish(shutdown: StopSignal, probe: Health.Probe) throws {
            do {
                let liveFrom = SentAt.nowMilliseconds()
                let config = simulationConfig(liveFrom: liveFrom)
                let dayLimit = days ?? ((events == nil && rate == nil) ? 30 : nil)
                let progress = Progress(quiet: quiet, logger: service.logFormat == .json ? Logger(label: "shopstream.generator") : nil)
                let follower = config.live == nil ? nil : ClockFollower(shouldStop: { shutdown.isRequested }, liveFromMs: liveFrom)
                if let live = config.live {
                    let history = config.historyDays ?? 0
                    progress.message(
                        "live from \(live.day) (PKT): \(history == 0 ? "" : "\(history) history day\(history == 1 ? "" : "s") from \(config.startDate) at full speed, then ")about \(NumberText.grouped(Int(live.eventsPerSecond.rounded()))) events/s as they happen; Ctrl-C stops"
                    )
                }

                if dryRun || output != nil {
                    var sink = try FileSink(directory: output, limit: events, shutdown: shutdown, progress: progress, follower: follower)
                    let outcome = try simulate(config, days: dayLimit, into: &sink)
                    try sink.close()
                    progress.finish()
                    printSummary(
                        counts: sink.counts, elapsed: outcome.timing, destination: output.map { "files in \($0)" } ?? "nowhere (dry run)")
                    try write(outcome.truth)
                    return
                }

                if let project = try pubsub.project(kafka: kafka) {
                    try publishToPubSub(
                        project: project, config: config, days: dayLimit, progress: progress, follower: follower, shutdown: shutdown,
                        probe: probe)
                    return
                }
                let catalog = try kafka.catalog()
                let (conn, broker) = try kafka.open(catalog)
                try withExtendedLifetime(broker) {
                    if broker != nil {
                        progress.message(
                            "no --brokers given: using an embedded broker at \(conn.bootstrapServers) (lives as long as this command)")
                    }
                    let producer = try Producer(configuration: ProducerConfiguration(connection: conn))
                    let md = try producer.checkConnection()
                    probe.ready(true)
                    for entity in Entity.allCases where md.topics[entity.topic] == nil {
                        throw CommandFailure(
                            "topic \(entity.topic) does not exist at \(conn.bootstrapServers); create the topics first: shopstream topics apply --brokers \(conn.bootstrapServers)"
                        )
                    }
                    var sink = KafkaSink(producer: producer, limit: events, shutdown: shutdown, progress: progress, follower: follower)
                    let outcome = try simulate(config, days: dayLimit, into: &sink)
                    progress.message("flushing \(NumberText.grouped(producer.statistics.inFlight)) in-flight messages…")
                    try producer.flush(timeout: .seconds(120))
                    let total = ContinuousClock.now - outcome.timing.start
                    progress.finish()
                    printSummary(
                        counts: sink.counts, elapsed: (outcome.timing.start, total), destination: "Kafka at \(conn.bootstrapServers)")
                    print(
                        "delivered: \(NumberText.grouped(producer.statistics.delivered)) of \(NumberText.grouped(producer.statistics.sent)), failed: \(producer.statistics.failed)"
                    )
                    // After the flush, which throws if any delivery failed: the truth is of delivered events only.
                    try write(outcome.truth)
                    let admin = try TopicAdmin(connection: conn)
                    print("on the cluster now:")
                    for entity in Entity.allCases {
                        let counts = try admin.messageCounts(entity.topic, partitions: md.topics[entity.topic]!.partitions)
                        print(
                            "  \(entity.topic.padding(toLength: 16, withPad: " ", startingAt: 0)) \(NumberText.grouped(Int(counts.reduce(0, +)))) messages in \(counts.count) partitions"
                        )
                    }
                    if let sample = sink.sampleSale {
                        print("a sale, as published to shop.sales:\n  \(sample)")
                    }
                }
            }
        }

        /// The Pub/Sub path: the same simulation into a `PubSubEventSink`; reports once every
        /// message is confirmed.
        private func publishToPubSub(
            project: String, config: SimulationConfig, days: Int?, progress: Progress, follower: ClockFollower?, shutdown: StopSignal,
            probe: Health.Probe
        ) throws {
            let client = try PubSubOptions.client(project: project)
            for entity in Entity.allCases where try client.topic(entity.topic) == nil {
                throw CommandFailure(
                    "topic \(entity.topic) does not exist in \(client.location); create the topics first: shopstream topics apply --pubsub \(project)"
                )
            }
            probe.ready(true)
            let publisher = PubSubPublisher(client: client)
            var sink = PubSubEventSink(publisher: publisher, limit: events, shutdown: shutdown, progress: progress, follower: follower)
            let outcome = try simulate(config, days: days, into: &sink)
            progress.message("waiting for Pub/Sub to confirm \(NumberText.grouped(publisher.statistics.inFlight)) messages…")
            try publisher.flush()
            let total = ContinuousClock.now - outcome.timing.start
            progress.finish()
            printSummary(counts: sink.counts, elapsed: (outcome.timing.start, total), destination: client.location)
            let stats = publisher.statistics
            let retries = client.takeRetries()
            print(
                "delivered: \(NumberText.grouped(stats.published)) of \(NumberText.grouped(stats.sent)), failed: \(stats.failed)\(retries.isEmpty ? "" : " (\(retries))")"
            )
            // After the flush, which throws if any publish failed: the truth is of confirmed events only.
            try write(outcome.truth)
            if let sample = sink.sampleSale {
                print("a sale, as published to shop.sales:\n  \(sample)")
            }
        }

        /// The simulation asked for; with --rate, live from `liveFrom` (ms since the epoch).
        private func simulationConfig(liveFrom: Int64) -> SimulationConfig {
            var config = SimulationConfig()
            if let rate = ratePerSecond {
                config = SimulationConfig(live: LiveClock(startMs: liveFrom, eventsPerSecond: rate), historyDays: history ?? 0)
            } else if let start, let date = SimDate(start) {
                config.startDate = date
            }
            config.seed = seed
            if let ordersPerDay { config.ordersPerDay = ordersPerDay }
            return config
        }

        /// Runs the simulation into a sink, through a `TruthRecorder` when --truth is
        /// given; returns when the sink stops it or the days run out.
        private func simulate<S: CountingSink>(_ config: SimulationConfig, days: Int?, into sink: inout S) throws -> (
            timing: (start: ContinuousClock.Instant, elapsed: Duration), truth: GroundTruth?
        ) {
            let simulator = Simulator(config: config)
            // Without --truth the sink is driven directly, so the hot path stays as fast as ever.
            guard truth != nil else { return (try drive(simulator, days: days, into: &sink), nil) }
            var recorder = TruthRecorder(wrapping: sink)
            defer { sink = recorder.inner }
            let timing = try drive(simulator, days: days, into: &recorder)
            return (timing, recorder.truth(of: simulator))
        }

        private func drive<S: CountingSink>(_ simulator: Simulator, days: Int?, into sink: inout S) throws -> (
            start: ContinuousClock.Instant, elapsed: Duration
        ) {
            let start = ContinuousClock.now
            var simulated = 0
            while days.map({ simulated < $0 }) ?? true {
                sink.day = simulator.currentDate.description
                do {
                    guard try simulator.emitNextDay(into: &sink) else { break }
                } catch is ClockFollower.Interrupted {
                    break  // Ctrl-C while an event waited for its time: a clean stop
                }
                simulated += 1
            }
            return (start, ContinuousClock.now - start)
        }

        /// Writes the --truth file, if asked for, and says what it holds.
        private func write(_ groundTruth: GroundTruth?) throws {
            guard let path = truth, let groundTruth else { return }
            try groundTruth.write(to: URL(fileURLWithPath: path))
            let t = groundTruth.totals
            let net = "\(NumberText.grouped(Int(t.netRevenuePaisa / 100))).\(String(format: "%02d", Int(t.netRevenuePaisa % 100)))"
            print(
                "ground truth: \(NumberText.grouped(groundTruth.events.total)) events, \(NumberText.grouped(t.orders)) orders, \(NumberText.grouped(t.units)) units, net PKR \(net) over \(groundTruth.days) full day\(groundTruth.days == 1 ? "" : "s"), written to \(path)"
            )
        }

        private func printSummary(
            counts: [Entity: (events: Int, bytes: Int)], elapsed: (start: ContinuousClock.Instant, elapsed: Duration), destination: String
        ) {
            let total = counts.values.reduce(0) { $0 + $1.events }
            let bytes = counts.values.reduce(0) { $0 + $1.bytes }
            let seconds = max(Double(elapsed.elapsed.components.seconds) + Double(elapsed.elapsed.components.attoseconds) / 1e18, 1e-9)
            print(
                "published \(NumberText.grouped(total)) events (\(NumberText.grouped(bytes / 1024)) KiB) to \(destination) in \(String(format: "%.2f", seconds)) s: \(NumberText.grouped(Int(Double(total) / seconds))) events/s"
            )
            for entity in Entity.allCases {
                let c = counts[entity] ?? (0, 0)
                let avg = c.events > 0 ? c.bytes / c.events : 0
                print(
                    "  \(entity.topic.padding(toLength: 16, withPad: " ", startingAt: 0)) \(NumberText.grouped(c.events).leftPadded(10)) events, \(avg) bytes each"
                )
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

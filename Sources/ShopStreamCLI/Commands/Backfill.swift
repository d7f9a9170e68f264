import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamGenerator
import ShopStreamSilver
import ShopStreamSinks
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Backfill: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a simulated history straight into silver, without Kafka.",
            discussion: """
                For histories larger than a broker at hand keeps (the embedded one holds about a \
                year), for benchmarks of the compactor, and for a warehouse to explore without \
                running the pipeline. Events are generated as `shopstream generate` makes them \
                (same --seed, same events), validated and typed as the silver sink does, and \
                inserted in batches. Rows carry _source_partition = -1 and a per-topic sequence as \
                _source_offset: they were never read from Kafka, and say so.

                Examples:
                  shopstream backfill --warehouse sqlite://./history.db --days 730
                  shopstream backfill --warehouse bigquery://my-project --start 2024-01-01 \\
                    --days 900 --orders-per-day 1000
                  shopstream compact --warehouse sqlite://./history.db
                  # one day more:
                  shopstream backfill --warehouse sqlite://./history.db --days 731 \\
                    --skip-days 730
                """)

        @OptionGroup var options: WarehouseOptions
        @OptionGroup var sqlOptions: SQLOptions

        @Option(help: "Simulate this many days.")
        var days: Int = 365

        @Option(help: ArgumentHelp("First simulated day; the whole period must end before tomorrow.", valueName: "YYYY-MM-DD"))
        var start: String = "2024-01-01"

        @Option(help: "Random seed; the same seed gives the same events as `generate`.")
        var seed: UInt64 = 42

        @Option(help: "Baseline orders per day, before daily, weekly and seasonal patterns.")
        var ordersPerDay: Int?

        @Option(
            help: ArgumentHelp(
                "Simulate the first N of --days without loading them: extends a history loaded before with the same --seed, --start and --orders-per-day.",
                valueName: "N"))
        var skipDays: Int = 0

        @Option(help: "Rows per insert request.")
        var batch: Int = 2000

        @Option(help: "Inserts in flight at once (default: 4 on BigQuery, 1 on SQLite).")
        var workers: Int?

        @Option(help: ArgumentHelp("Folder of topic definitions (the silver model derives from them).", valueName: "dir"))
        var topics: String?

        @Flag(name: .shortAndLong, help: "No progress display.")
        var quiet = false

        func validate() throws {
            guard days > 0 else { throw ValidationError("--days must be at least 1") }
            guard SimDate(start) != nil else { throw ValidationError("--start takes a date like 2024-01-01, not '\(start)'") }
            guard (0..<days).contains(skipDays) else {
                throw ValidationError("--skip-days must be at least 0 and less than --days (\(days))")
            }
            guard batch > 0 else { throw ValidationError("--batch must be at least 1") }
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        }

        func run() throws {
            try reportingErrors {
                var config = SimulationConfig()
                config.seed = seed
                config.startDate = SimDate(start)!
                if let ordersPerDay { config.ordersPerDay = ordersPerDay }
                try config.validate()

                let warehouse = try options.open()
                let catalog = try TopicCatalog.load(directory: topics.map { URL(fileURLWithPath: $0) } ?? TopicCatalog.defaultDirectory())
                let drift = try sqlOptions.setup(warehouse, catalog: catalog).apply()
                guard drift.isEmpty else {
                    throw CommandFailure(
                        "silver in \(warehouse.url) differs from sql/: \(drift.joined(separator: "; ")); run shopstream warehouse init to see the drift"
                    )
                }
                let backfill = try SilverBackfill(
                    warehouse: warehouse, catalog: catalog, batchSize: batch,
                    workers: workers ?? (warehouse.dialect == .bigquery ? 4 : 1))
                let simulator = Simulator(config: config)
                let clock = ContinuousClock()
                let began = clock.now
                var last = began
                var sink = backfill
                for day in 0..<days {
                    backfill.skipping = day < skipDays
                    _ = try simulator.emitNextDay(into: &sink)
                    if !quiet, clock.now - last > .seconds(1) {
                        last = clock.now
                        let seconds = Double((clock.now - began).components.seconds) + 0.001
                        note(
                            "backfill: day \(day + 1) of \(days), \(NumberText.grouped(simulator.stats.events)) events, \(NumberText.grouped(Int(Double(backfill.progress.rows) / seconds))) rows/s"
                        )
                    }
                }
                let totals = backfill.finish()
                let elapsed = clock.now - began
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print(
                    "silver: \(NumberText.grouped(totals.rows)) rows into \(warehouse.url) in \(String(format: "%.1f", seconds)) s (\(NumberText.grouped(Int(Double(totals.rows) / max(seconds, 0.001)))) rows/s)"
                )
                for entity in Entity.allCases {
                    print(
                        "  silver.\(entity.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(NumberText.grouped(totals.rowsByEntity[entity.index]))"
                    )
                }
                print(
                    "simulated \(config.startDate) + \(days) days\(skipDays > 0 ? " (the first \(skipDays) not loaded)" : ""): \(NumberText.grouped(simulator.stats.sales)) sales, \(NumberText.grouped(simulator.stats.customers)) customers"
                )
                if totals.refused > 0 || totals.failedRows > 0 {
                    throw CommandFailure(
                        "\(totals.refused) events refused by validation and \(totals.failedRows) rows not inserted; first: \(totals.firstProblem ?? "?")"
                    )
                }
            }
        }
    }
}

import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamLake
import ShopStreamQuality
import ShopStreamWarehouse

extension ShopStreamCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test the data in the warehouse, dbt style: keys, references, allowed values, freshness, reconciliation.",
            discussion: """
                Each check is one query selecting the rows that break a rule; no rows is a \
                pass. The standard suite, derived from topics/ and the silver model:

                  unique             each key once: customer_id, product_id, store_id and
                                     (store_id, product_id) in the _current views; sale_id,
                                     payment_id, shipment_id in the _dedup views;
                                     and each event once in silver's raw tables:
                                     (_source_topic, _source_message_id) in
                                     silver.customers … silver.shipping
                  not_null           no NULL in each view's key and reference columns
                  relationships      every reference finds its row: sales → customers,
                                     products, stores; payments, shipping → sales;
                                     inventory → stores, products
                  accepted_values    only the values the topic's JSON Schema enum allows
                  freshness          silver.sales, payments, shipping: a row ingested
                                     within --max-age; gold._state: the last compaction
                                     at most --max-lag behind silver.sales (WARN while
                                     gold was never compacted)
                  reconcile          with --lake, per topic: the lake's events = silver's
                                     rows + rejects, each counted once by its Kafka
                                     coordinates; with --brokers (or
                                     $KAFKA_BOOTSTRAP_SERVERS) also Kafka's records
                                     (high - low watermark) = the lake's events. The
                                     counts are taken moments apart: reconcile a
                                     pipeline whose sinks have caught up

                The report: one line per check, STATUS NAME[: WHAT IS WRONG], then a \
                summary. A FAIL says how many rows offend and shows up to five of them:

                  PASS unique(silver.sales_dedup.sale_id)
                  FAIL relationships(silver.sales_dedup.customer_id →
                    silver.customers_current.customer_id): 1 row: sale_id=SAL-0000009999
                    customer_id=CUS-99999999                        (one line, wrapped here)
                  WARN freshness(gold._state): gold never compacted; run shopstream compact
                  43 checks: 41 passed, 1 failed, 1 warning

                --show-sql prints the query of each check that did not pass, to run \
                yourself with `shopstream warehouse query`. A check whose query cannot run \
                (a missing view: run `shopstream warehouse init`) fails with the \
                warehouse's error.

                Exit status: 0 when nothing failed (warnings do not fail), 1 when a \
                check failed or the warehouse did not answer, 64 for a usage error.

                Examples:
                  shopstream check --warehouse sqlite:///data/warehouse.db
                  shopstream check --warehouse sqlite:///data/w.db --lake file:///data/lake
                  shopstream check --warehouse bigquery://shopstream --lake gs://shop-lake \\
                    --brokers localhost:9092
                  shopstream check --select 'relationships*' --select unique --show-sql
                  shopstream check --list
                """)

        @OptionGroup var warehouseOptions: WarehouseOptions

        @Option(
            help: ArgumentHelp(
                "The lake to reconcile with: gs://BUCKET[/PREFIX] or file:///PATH. Default: $SHOPSTREAM_LAKE; without either, no reconciliation.",
                valueName: "url"))
        var lake: String?

        @OptionGroup var kafka: KafkaOptions

        @Option(help: "Each silver fact table must have a row ingested this recently.")
        var maxAge: Duration = .seconds(3600)

        @Option(help: "Gold's last compaction may trail silver.sales by at most this.")
        var maxLag: Duration = .seconds(900)

        @Option(
            help: ArgumentHelp(
                "Run only the checks whose name contains PATTERN, or matches it as a glob with * and ? (repeatable; any may match).",
                valueName: "pattern"))
        var select: [String] = []

        @Flag(help: "List the selected checks and what each expects, without running them.")
        var list = false

        @Flag(help: "Print the query of each check that did not pass, in the warehouse's dialect.")
        var showSql = false

        func validate() throws {
            if let brokers = kafka.brokers, !brokers.isEmpty, lakeURL == nil {
                throw ValidationError("--brokers needs --lake: Kafka's records are reconciled with the lake's events")
            }
        }

        /// The lake asked for, by flag or environment; nil means no reconciliation.
        private var lakeURL: String? {
            if let lake, !lake.isEmpty { return lake }
            if let env = ProcessInfo.processInfo.environment["SHOPSTREAM_LAKE"], !env.isEmpty { return env }
            return nil
        }

        func run() throws {
            let succeeded = try reportingErrors { () -> Bool in
                let catalog = try kafka.catalog()
                var configuration = StandardSuiteConfiguration(maxAge: maxAge, maxLag: maxLag)
                let topics = Entity.allCases.map(\.topic)
                // Which checks there are does not depend on the counts: --list needs none of them.
                if lakeURL != nil { configuration.lakeEvents = [:] }
                if lakeURL != nil, kafka.requestedBrokers != nil { configuration.kafkaRecords = [:] }
                var suite = try CheckSuite.standard(catalog: catalog, configuration: configuration).selecting(select)
                if suite.checks.isEmpty {
                    usageError(
                        "--select \(select.joined(separator: " --select ")) matches no check; `shopstream check --list` shows their names")
                }
                if list {
                    for check in suite.checks { print("\(check.name)\n    \(check.expectation)") }
                    return true
                }

                let warehouse = try warehouseOptions.openExisting()
                let sales = TableName("silver", "sales")
                let found: Bool
                do {
                    found = try warehouse.columns(of: sales) != nil
                } catch {
                    throw CommandFailure("the warehouse \(warehouse.url) does not answer, so no check ran: \(error)")
                }
                guard found else {
                    throw CommandFailure(
                        "\(warehouse.url) has no table \(sales), so there is nothing to check; check --warehouse, or create silver with `shopstream warehouse init`"
                    )
                }
                if suite.checks.contains(where: { $0.kind == .reconcile }), let lakeURL {
                    // Opening a folder lake creates the folder; a typo must not count as an empty lake.
                    if case .folder(let path) = try LakeURL(parsing: lakeURL, currentDirectory: FileManager.default.currentDirectoryPath),
                        !FileManager.default.fileExists(atPath: path)
                    {
                        throw CommandFailure("there is no lake folder at \(path); check --lake (the bronze sink creates it)")
                    }
                    note("counting the lake's events at \(lakeURL)…")
                    configuration.lakeEvents = try TopicCounts.inLake(makeLake(url: lakeURL), topics: topics)
                    if let bootstrap = kafka.requestedBrokers {
                        note("counting Kafka's records at \(bootstrap)…")
                        configuration.kafkaRecords = try TopicCounts.onKafka(kafka.connection(bootstrap: bootstrap), topics: topics)
                    }
                    suite = try CheckSuite.standard(catalog: catalog, configuration: configuration).selecting(select)
                }
                note("running \(suite.checks.count) checks against \(warehouse.url)…")
                let report = suite.run(on: warehouse)
                for result in report.results {
                    print(result.line)
                    if showSql, result.status != .pass, let sql = result.sql {
                        print(sql.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
                    }
                }
                print(report.summary)
                note(
                    "checked in \(String(format: "%.1f", Double(report.elapsed.components.seconds) + Double(report.elapsed.components.attoseconds) / 1e18)) s"
                )
                return report.succeeded
            }
            if !succeeded { throw ExitCode(1) }
        }

        /// A usage error found after parsing: one line on stderr, as the parser's own, and exit 64.
        private func usageError(_ message: String) -> Never {
            FileHandle.standardError.write(Data("error: \(message) (see: shopstream check --help)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
    }
}

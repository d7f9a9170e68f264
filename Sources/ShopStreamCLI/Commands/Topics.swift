import ArgumentParser
import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamPubSub

extension ShopStreamCommand {
    struct Topics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare topics/ with a cluster (or Pub/Sub), and create what is missing.",
            subcommands: [List.self, Apply.self, Drain.self],
            defaultSubcommand: List.self)
    }
}

extension ShopStreamCommand.Topics {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each topic definition beside what the cluster has. Changes nothing.")

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var pubsub: PubSubOptions

        func validate() throws { _ = try pubsub.project(kafka: kafka) }

        func run() throws {
            if let project = try pubsub.project(kafka: kafka) {
                let drifted = try reportingErrors { try reconcilePubSub(project: project, kafka: kafka, apply: false, alter: false) }
                if drifted { throw ExitCode(2) }
                return
            }
            try reportingErrors {
                let catalog = try kafka.catalog()
                let (conn, broker) = try kafka.open(catalog)
                let status = try withExtendedLifetime(broker) {
                    try TopicReconciler(admin: TopicAdmin(connection: conn)).compare(catalog)
                }
                printTable(status, catalog: catalog, cluster: conn.bootstrapServers, embedded: broker != nil)
            }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the topics of topics/ that the cluster lacks; report, never alter, the ones that differ.",
            discussion: """
                Running it twice is a no-op. A topic that differs from its definition (partition \
                count, replication factor, configs) is reported and the command exits 2; fix it by \
                hand or with kafka-topics.sh, since changing partitions moves keys between partitions. \
                The replication factor of topics/ is capped at the cluster's broker count.

                With --pubsub PROJECT: one Pub/Sub topic per definition (the entities and shop.dlq), \
                and one pull subscription per sink and entity (shop.sales.bronze, \
                shop.sales.silver, …) with message ordering on, an ack deadline fitted to the \
                sink's batch and a dead-letter policy into shop.dlq after --max-delivery-attempts; \
                shop.dlq.inspect keeps what lands in shop.dlq. A subscription that differs is \
                reported (exit 2); --alter changes what Pub/Sub can change in place (ack deadline, \
                dead-letter policy).
                """)

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var pubsub: PubSubOptions

        @Option(
            help:
                "With --pubsub: deliveries of a message before the dead-letter policy moves it to shop.dlq (5 to 100; default 20: each crash of a sink costs every message it holds one)."
        )
        var maxDeliveryAttempts = PubSubTopology.defaultMaxDeliveryAttempts

        @Flag(
            inversion: .prefixedEnableDisable,
            help: ArgumentHelp(
                "With --pubsub: deliver each entity key's messages in order (the default).",
                discussion:
                    "Disable only on the emulator with many events: it keeps a thread per ordering key and ordered subscription, never freed."
            ))
        var messageOrdering = true

        @Flag(help: "With --pubsub: change drifted subscriptions where Pub/Sub allows it (ack deadline, dead-letter policy).")
        var alter = false

        func validate() throws {
            _ = try pubsub.project(kafka: kafka)
            guard (5...100).contains(maxDeliveryAttempts) else {
                throw ValidationError("--max-delivery-attempts \(maxDeliveryAttempts): Pub/Sub allows 5 to 100")
            }
        }

        func run() throws {
            if let project = try pubsub.project(kafka: kafka) {
                let drifted = try reportingErrors {
                    try reconcilePubSub(
                        project: project, kafka: kafka, apply: true, alter: alter,
                        topology: {
                            PubSubTopology(catalog: $0, maxDeliveryAttempts: maxDeliveryAttempts, messageOrdering: messageOrdering)
                        })
                }
                if drifted { throw ExitCode(2) }
                return
            }
            let drifted = try reportingErrors { () -> Bool in
                let catalog = try kafka.catalog()
                let (conn, broker) = try kafka.open(catalog)
                let status = try withExtendedLifetime(broker) {
                    try TopicReconciler(admin: TopicAdmin(connection: conn)).apply(catalog)
                }
                printTable(status, catalog: catalog, cluster: conn.bootstrapServers, embedded: broker != nil)
                return status.contains { $0.state.isDrifted }
            }
            if drifted { throw ExitCode(2) }
        }
    }
}

private func printTable(_ status: [TopicStatus], catalog: TopicCatalog, cluster: String, embedded: Bool) {
    print("cluster: \(cluster)\(embedded ? " (embedded, in this process)" : "")")
    print("definitions: \(catalog.directory.path)")
    let rows = status.map { s -> [String] in
        let def = catalog[s.name]!
        return [
            s.name, "\(s.definedPartitions)", s.actualPartitions.map(String.init) ?? "-",
            "\(s.expectedReplication)", s.actualReplication.map(String.init) ?? "-",
            def.cleanupPolicy, def.key.field, s.state.description,
        ]
    }
    printColumns(["topic", "partitions", "on cluster", "replication", "on cluster", "cleanup", "key", "state"], rows)
    if !status.contains(where: \.configsChecked) && !status.allSatisfy({ $0.state == .missing }) {
        print(
            "note: this cluster does not report topic configs (cleanup.policy, retention.ms); only partitions and replication were compared"
        )
    }
}

/// `topics list|apply --pubsub`: prints one row per topic and subscription; true if any drifted.
private func reconcilePubSub(
    project: String, kafka: KafkaOptions, apply: Bool, alter: Bool,
    topology makeTopology: (TopicCatalog) -> PubSubTopology = { PubSubTopology(catalog: $0) }
) throws -> Bool {
    let catalog = try kafka.catalog()
    let client = try PubSubOptions.client(project: project)
    let topology = makeTopology(catalog)
    let reconciler = PubSubReconciler(client: client)
    let status = try apply ? reconciler.apply(topology, alter: alter) : reconciler.compare(topology)
    print("pubsub: \(client.location)")
    print("definitions: \(catalog.directory.path)")
    let rows = status.map { [$0.name, $0.kind.rawValue, $0.topic, $0.defined, $0.state.description] }
    printColumns(["name", "kind", "topic", "defined", "state"], rows)
    return status.contains { $0.state.isDrifted }
}

/// A table padded to its widest cells, the last column left ragged.
private func printColumns(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max()! }
    for row in [header] + rows {
        print(
            row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
    }
}

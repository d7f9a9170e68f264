import ArgumentParser
import Foundation
import ShopStreamBus
import ShopStreamCore

extension ShopStreamCommand {
    struct Topics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare topics/ with a cluster, and create what is missing.",
            subcommands: [List.self, Apply.self],
            defaultSubcommand: List.self)
    }
}

extension ShopStreamCommand.Topics {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each topic definition beside what the cluster has. Changes nothing.")

        @OptionGroup var kafka: KafkaOptions

        func run() throws {
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
                """)

        @OptionGroup var kafka: KafkaOptions

        func run() throws {
            let drifted = try reportingErrors { () -> Bool in
                let catalog = try kafka.catalog()
                let (conn, broker) = try kafka.open(catalog)
                let status = try withExtendedLifetime(broker) {
                    try TopicReconciler(admin: TopicAdmin(connection: conn)).apply(catalog)
                }
                printTable(status, catalog: catalog, cluster: conn.bootstrapServers, embedded: broker != nil)
                return status.contains { if case .drifted = $0.state { return true } else { return false } }
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
        let state: String
        switch s.state {
        case .matches: state = "ok"
        case .missing: state = "missing"
        case .created: state = "created"
        case .drifted(let diffs): state = "DRIFT: " + diffs.joined(separator: "; ")
        }
        return [
            s.name, "\(s.definedPartitions)", s.actualPartitions.map(String.init) ?? "-",
            "\(s.expectedReplication)", s.actualReplication.map(String.init) ?? "-",
            def.cleanupPolicy, def.key.field, state,
        ]
    }
    let header = ["topic", "partitions", "on cluster", "replication", "on cluster", "cleanup", "key", "state"]
    let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max()! }
    for row in [header] + rows {
        print(
            row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
    }
    if !status.contains(where: \.configsChecked) && !status.allSatisfy({ $0.state == .missing }) {
        print(
            "note: this cluster does not report topic configs (cleanup.policy, retention.ms); only partitions and replication were compared"
        )
    }
}

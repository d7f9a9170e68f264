import ArgumentParser
import Foundation
import ShopStreamHTTP
import ShopStreamPubSub

/// The bus on Google Cloud: Pub/Sub in a project, instead of Kafka. For the commands that speak
/// Pub/Sub so far (topics, generate).
struct PubSubOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Use Cloud Pub/Sub in this Google Cloud project instead of Kafka (default: $PUBSUB_PROJECT). With $PUBSUB_EMULATOR_HOST set, its emulator (no credentials).",
            valueName: "project"))
    var pubsub: String?

    /// The project to use, or nil for Kafka; throws when both buses are asked for.
    func project(kafka: KafkaOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        let fromEnvironment = environment["PUBSUB_PROJECT"].flatMap { $0.isEmpty ? nil : $0 }
        if let pubsub, !pubsub.isEmpty {
            if let brokers = kafka.brokers, !brokers.isEmpty {
                throw ValidationError(
                    "--brokers and --pubsub exclude each other: one bus at a time (Kafka at \(brokers), or Pub/Sub in project \(pubsub))")
            }
            return pubsub
        }
        guard let fromEnvironment else { return nil }
        if let brokers = kafka.requestedBrokers {
            // An explicit --brokers is a choice; two environment variables are a conflict to resolve.
            if kafka.brokers != nil { return nil }
            throw ValidationError(
                "both KAFKA_BOOTSTRAP_SERVERS (\(brokers)) and PUBSUB_PROJECT (\(fromEnvironment)) are set: unset one, or choose with --brokers or --pubsub"
            )
        }
        return fromEnvironment
    }

    /// A client for `project`: the emulator at $PUBSUB_EMULATOR_HOST, else Google with Application
    /// Default Credentials.
    static func client(project: String) throws -> PubSubClient {
        try PubSubClient(project: project)
    }
}

import ArgumentParser
import Foundation
import ShopStreamBus
import ShopStreamCore

/// Where Kafka is, shared by every command that talks to it.
struct KafkaOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Kafka bootstrap servers, host:port[,host:port…]. Default: $KAFKA_BOOTSTRAP_SERVERS, else an embedded broker in this process.",
            valueName: "host:port"))
    var brokers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A librdkafka property, as kcat takes it (repeatable): -X security.protocol=SASL_SSL -X sasl.mechanisms=PLAIN …",
            valueName: "key=value"))
    var properties: [String] = []

    @Option(help: "How long to wait for the cluster to answer before giving up.")
    var connectTimeout: Duration = .seconds(10)

    @Option(
        name: .long, help: ArgumentHelp("Folder of topic definitions. Default: ./topics, else the source checkout's.", valueName: "dir"))
    var topics: String?

    func validate() throws {
        do { _ = try KafkaConnection.parseProperties(properties) } catch { throw ValidationError("\(error)") }
    }

    /// The bootstrap servers the user asked for, if any.
    var requestedBrokers: String? {
        if let brokers, !brokers.isEmpty { return brokers }
        if let env = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"], !env.isEmpty { return env }
        return nil
    }

    func catalog() throws -> TopicCatalog {
        try TopicCatalog.load(directory: topics.map { URL(fileURLWithPath: $0) } ?? TopicCatalog.defaultDirectory())
    }

    func connection(bootstrap: String) throws -> KafkaConnection {
        KafkaConnection(
            bootstrapServers: bootstrap,
            properties: try KafkaConnection.parseProperties(properties),
            connectTimeout: connectTimeout)
    }

    /// Connects to the requested cluster, or starts an embedded one with the
    /// topics of topics/. Keep the returned broker alive while using the connection.
    func open(_ catalog: TopicCatalog) throws -> (KafkaConnection, EmbeddedBroker?) {
        if let bootstrap = requestedBrokers { return (try connection(bootstrap: bootstrap), nil) }
        let broker = try EmbeddedBroker(brokerCount: 1, topics: catalog.definitions)
        return (try connection(bootstrap: broker.bootstrapServers), broker)
    }
}

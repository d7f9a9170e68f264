import ArgumentParser

@main
struct ShopStreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shopstream",
        abstract: "A streaming lakehouse for an Apple-accessories retailer across Pakistan.",
        discussion: """
            Events flow: generate → Kafka (one topic per entity) → sinks → lake and warehouse.
            With no --brokers, commands start an embedded Kafka-protocol broker in the process.

            Start here:
              shopstream generate --days 30          publish a month of business to the embedded broker
              shopstream broker                      serve a broker other clients (kcat, …) can use
              shopstream topics apply --brokers B    create the topics of topics/ on a cluster
            """,
        version: "0.1.0",
        subcommands: [Run.self, Generate.self, Broker.self, Topics.self, Sink.self, LakeCommand.self, WarehouseCommand.self]
    )
}

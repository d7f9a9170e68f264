import ArgumentParser
import Foundation

@main
struct ShopStreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shopstream",
        abstract: "A streaming lakehouse for an Apple-accessories retailer across Pakistan.",
        discussion: """
            Events flow: generate → Kafka (one topic per entity) → sinks → the lake \
            (bronze) and the warehouse (silver) → compact → gold → dashboard, check. \
            With no --brokers, commands start an embedded Kafka-protocol broker.

            Start here:
              shopstream run                  the whole pipeline, embedded: 30 days, a
                                              report and demo/dashboard.html
              shopstream generate --days 30   publish a month of business
              shopstream broker               a broker other clients (kcat, …) can use
              shopstream compact              gold from silver: the dates that changed
              shopstream dashboard            the dashboard page over gold
              shopstream check                data tests on the warehouse
              shopstream <command> --help     what each one does, with examples

            A <duration> is a number and a unit: 500ms, 5s, 2m, 1h, 1h30m or 30d.
            """,
        version: "0.1.0 (memory allocator: \(MemoryAllocator.description))",
        subcommands: [
            Run.self, Generate.self, Broker.self, Topics.self, Sink.self, LakeCommand.self, WarehouseCommand.self,
            Backfill.self, Compact.self, Check.self, Dashboard.self,
        ]
    )

    /// Like ArgumentParser's, but a usage error is one line on stderr, `error: …`,
    /// as every other failure of the command is.
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }  // --help, --version
            let name = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") }.joined(separator: " ")
            FileHandle.standardError.write(Data("error: \(message(for: error)) (see: shopstream \(name) --help)\n".utf8))
            Foundation.exit(exitCode(for: error).rawValue)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

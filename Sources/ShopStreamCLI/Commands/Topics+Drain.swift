import ArgumentParser
import Foundation
import ShopStreamCore
import ShopStreamPubSub

extension ShopStreamCommand.Topics {
    struct Drain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull and acknowledge everything on Pub/Sub subscriptions, e.g. to read shop.dlq.",
            discussion: """
                Pulls (every subscription at once, several requests in flight each) and acknowledges until they stay \
                empty for --idle, then reports how many messages came and how fast. With --print, \
                each message is a JSON line on stdout: subscription, message id, publish time, \
                delivery attempt, ordering key, attributes and data (as text). Acknowledged \
                messages are gone from the subscription.

                Examples:
                  # what the dead-letter policy and the sinks set aside
                  shopstream topics drain --pubsub my-project shop.dlq.inspect --print
                """)

        @Option(
            help: ArgumentHelp(
                "Cloud Pub/Sub project (default: $PUBSUB_PROJECT); $PUBSUB_EMULATOR_HOST selects the emulator.", valueName: "project"))
        var pubsub: String?

        @Argument(help: "Subscriptions to drain, e.g. shop.dlq.inspect.")
        var subscriptions: [String]

        @Option(help: "Stop when nothing has arrived for this long.")
        var idle: Duration = .seconds(2)

        @Option(help: "Pull requests in flight at once.")
        var pulls = 4

        @Flag(help: "Print each message as a JSON line.")
        var print = false

        func validate() throws {
            guard project != nil else { throw ValidationError("give the project: --pubsub PROJECT (or set PUBSUB_PROJECT)") }
            guard (1...64).contains(pulls) else { throw ValidationError("--pulls \(pulls): expected 1 to 64") }
        }

        private var project: String? {
            pubsub ?? ProcessInfo.processInfo.environment["PUBSUB_PROJECT"].flatMap { $0.isEmpty ? nil : $0 }
        }

        func run() throws {
            try reportingErrors {
                let client = try PubSubOptions.client(project: project!)
                let start = ContinuousClock.now
                // The sinks' consumer: every subscription at once, `pulls` in flight each, pulling on
                // while what came is printed and acknowledged (pulling, then acknowledging, in turn
                // drained 1,519 messages/s where the bronze sink on this consumer lands 5,600).
                var configuration = PubSubConsumer.Configuration()
                configuration.pullsPerSubscription = pulls
                let consumer = try PubSubConsumer(client: client, subscriptions: subscriptions, configuration: configuration)
                defer { consumer.close(givingBack: true) }
                var counts: [String: Int] = [:]
                var lastAcknowledgedAt: ContinuousClock.Instant?
                while true {
                    let got = try consumer.poll(max: 1000, wait: .milliseconds(100))
                    if got.isEmpty {
                        if let quiet = consumer.quietSince, ContinuousClock.now - quiet >= idle { break }
                        continue
                    }
                    if print { Swift.print(got.map(Self.line).joined(separator: "\n")) }
                    try consumer.settle(got)
                    lastAcknowledgedAt = .now
                    for d in got { counts[d.subscription, default: 0] += 1 }
                }
                for subscription in subscriptions {
                    note("\(subscription): \(NumberText.grouped(counts[subscription] ?? 0)) messages pulled and acknowledged")
                }
                let total = counts.values.reduce(0, +)
                // From the start to the last acknowledgement: the idle wait that ends a drain is not work.
                let seconds = max(((lastAcknowledgedAt ?? start) - start).seconds, 1e-3)
                note(
                    "drained \(NumberText.grouped(total)) messages from \(client.location) in \(String(format: "%.2f", seconds)) s (to the last acknowledgement): \(NumberText.grouped(Int(Double(total) / seconds))) messages/s"
                )
            }
        }

        static func line(_ m: PubSubDelivery) -> String {
            let attributes = m.attributes.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\(JSONText.quoted($0.value))" }
            return
                "{\"subscription\":\(JSONText.quoted(m.subscription)),\"message_id\":\(JSONText.quoted(m.messageId)),\"publish_time\":\(JSONText.quoted(m.publishTime)),\"delivery_attempt\":\(m.deliveryAttempt),\"ordering_key\":\(JSONText.quoted(m.orderingKey)),\"attributes\":{\(attributes.joined(separator: ","))},\"data\":\(JSONText.quoted(String(decoding: m.data, as: UTF8.self)))}"
        }
    }
}

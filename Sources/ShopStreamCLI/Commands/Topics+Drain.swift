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
                // Every subscription at once, each with its pulls in flight; a batch is printed whole.
                let output = NSLock()
                let results = DrainResults(count: subscriptions.count)
                let print = self.print, pulls = self.pulls, idle = self.idle
                DispatchQueue.concurrentPerform(iterations: subscriptions.count) { k in
                    let subscription = subscriptions[k]
                    results.set(k) {
                        try PubSubDrain(client: client, subscription: subscription, pulls: pulls, idle: idle).run { messages in
                            guard print else { return }
                            let lines = messages.map { Self.line($0, subscription: subscription) }.joined(separator: "\n")
                            output.withLock { Swift.print(lines) }
                        }
                    }
                }
                let drained = try results.all()
                for (subscription, d) in zip(subscriptions, drained) {
                    note("\(subscription): \(NumberText.grouped(d.count)) messages pulled and acknowledged")
                }
                let total = drained.map(\.count).reduce(0, +)
                // From the start to the last acknowledgement: the idle wait that ends a drain is not work.
                let last = drained.compactMap(\.lastAcknowledgedAt).max() ?? start
                let seconds = max((last - start).seconds, 1e-3)
                note(
                    "drained \(NumberText.grouped(total)) messages from \(client.location) in \(String(format: "%.2f", seconds)) s (to the last acknowledgement): \(NumberText.grouped(Int(Double(total) / seconds))) messages/s"
                )
            }
        }

        static func line(_ m: ReceivedMessage, subscription: String) -> String {
            let attributes = m.attributes.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\(JSONText.quoted($0.value))" }
            return
                "{\"subscription\":\(JSONText.quoted(subscription)),\"message_id\":\(JSONText.quoted(m.messageId)),\"publish_time\":\(JSONText.quoted(m.publishTime)),\"delivery_attempt\":\(m.deliveryAttempt),\"ordering_key\":\(JSONText.quoted(m.orderingKey)),\"attributes\":{\(attributes.joined(separator: ","))},\"data\":\(JSONText.quoted(String(decoding: m.data, as: UTF8.self)))}"
        }
    }
}

/// Each subscription's drain, or its error, filled from several threads. `@unchecked Sendable`:
/// every slot is touched only under `lock`.
private final class DrainResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<PubSubDrain.Drained, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ body: () throws -> PubSubDrain.Drained) {
        let result = Result { try body() }
        lock.withLock { slots[k] = result }
    }

    /// Every drain, or the first error in subscription order.
    func all() throws -> [PubSubDrain.Drained] {
        try lock.withLock { try slots.map { try $0!.get() } }
    }
}

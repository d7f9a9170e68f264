import Foundation

/// Pulls and acknowledges everything on a subscription with several pulls in flight, until it
/// stays empty for `idle`. Each batch is handed to `body` before it is acknowledged (so a failing
/// body leaves it to be redelivered).
public struct PubSubDrain: Sendable {
    public let client: PubSubClient
    public let subscription: String
    public let pulls: Int
    public let idle: Duration

    public init(client: PubSubClient, subscription: String, pulls: Int = 4, idle: Duration = .seconds(2)) {
        self.client = client
        self.subscription = subscription
        self.pulls = max(1, pulls)
        self.idle = idle
    }

    /// What a drain acknowledged, and when the last acknowledgement was answered (nil: none), so a
    /// rate can leave out the idle wait that ends every drain.
    public struct Drained: Sendable {
        public var count: Int
        public var lastAcknowledgedAt: ContinuousClock.Instant?
    }

    public func run(_ body: @escaping @Sendable ([ReceivedMessage]) throws -> Void = { _ in }) throws -> Drained {
        let state = DrainState()
        DispatchQueue.concurrentPerform(iterations: pulls) { _ in
            while !state.isFinished {
                do {
                    // Each puller waits at most `idle` for something, then all stop once every one
                    // of them has come back empty-handed in the same round.
                    let messages = try client.pull(subscription, maxMessages: 1000, waitingUpTo: idle)
                    if messages.isEmpty { state.cameBackEmpty(of: pulls); continue }
                    state.gotMessages()
                    try state.serialised { try body(messages) }
                    try client.acknowledge(subscription, ackIds: messages.map(\.ackId))
                    state.add(messages.count)
                } catch {
                    state.fail(error)
                }
            }
        }
        return try state.result()
    }
}

/// The pullers' shared tally. `@unchecked Sendable`: every field is touched only under `lock`.
private final class DrainState: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var lastAcknowledgedAt: ContinuousClock.Instant?
    private var emptyInARow = 0
    private var finished = false
    private var failure: (any Error)?

    var isFinished: Bool { lock.withLock { finished } }

    func cameBackEmpty(of pullers: Int) {
        lock.withLock {
            emptyInARow += 1
            if emptyInARow >= pullers { finished = true }
        }
    }

    func gotMessages() { lock.withLock { emptyInARow = 0 } }
    func add(_ n: Int) {
        lock.withLock {
            count += n
            lastAcknowledgedAt = .now
        }
    }

    func fail(_ error: any Error) {
        lock.withLock {
            if failure == nil { failure = error }
            finished = true
        }
    }

    /// Runs `body` under the lock, so the caller's handler sees one batch at a time.
    func serialised(_ body: () throws -> Void) throws { try lock.withLock { try body() } }

    func result() throws -> PubSubDrain.Drained {
        try lock.withLock {
            if let failure { throw failure }
            return PubSubDrain.Drained(count: count, lastAcknowledgedAt: lastAcknowledgedAt)
        }
    }
}

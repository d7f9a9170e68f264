import Synchronization

/// A flag raised once, for good, and read from any thread: "the generator has published
/// everything", for sinks started beside it.
public final class Latch: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    public func raise() { raised.store(true, ordering: .releasing) }

    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}

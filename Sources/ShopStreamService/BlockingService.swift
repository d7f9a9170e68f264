import Foundation
import ServiceLifecycle
import ShopStreamCore
import Synchronization

/// A loop that blocks (librdkafka polls, libcurl transfers, SQLite) run as a swift-service-lifecycle
/// `Service`: on a thread of its own, never on Swift's cooperative pool.
///
/// The loop gets a `StopSignal`. A graceful shutdown asks it for `whenShuttingDown` (`.now` for a
/// sink beside a live bus, `.drain` for a sink that should land what was published first); task
/// cancellation, which the service group uses once the graceful deadline has passed, asks for
/// `.abandon`. `run()` returns when the loop does, so the group knows the thread has finished and
/// every client the loop owns is closed.
public struct BlockingService: Service, CustomStringConvertible {
    public let description: String
    public let whenShuttingDown: StopSignal.Request
    private let body: @Sendable (StopSignal) throws -> Void

    public init(_ name: String, whenShuttingDown: StopSignal.Request = .now, body: @escaping @Sendable (StopSignal) throws -> Void) {
        description = name
        self.whenShuttingDown = whenShuttingDown
        self.body = body
    }

    public func run() async throws {
        let stop = StopSignal()
        let request = whenShuttingDown
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await runOnThread(named: description) { try body(stop) }
            } onGracefulShutdown: {
                stop.request(request)
            }
        } onCancel: {
            Abandonment.happened.store(true, ordering: .releasing)
            stop.request(.abandon)
        }
    }
}

/// Whether a service had to abandon work in flight because the stop's deadline passed.
enum Abandonment {
    static let happened = Atomic<Bool>(false)
}

/// Runs `body` on a new thread and waits, without blocking a cooperative thread, for its result.
func runOnThread<T: Sendable>(named name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        // librdkafka and libcurl callbacks recurse a little; the default 512 KiB of secondary threads is tight.
        startThread(named: name, stackSize: 4 << 20) {
            continuation.resume(with: Result { try body() })
        }
    }
}

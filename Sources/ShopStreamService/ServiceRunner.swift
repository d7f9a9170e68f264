import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs a command's services until they end or SIGINT/SIGTERM asks them to, with a bounded stop.
///
/// - The first signal starts a graceful shutdown: the services are asked to stop in reverse order
///   (so a generator listed last stops first and the sinks before it can land what it published).
/// - `shutdownTimeout` after that signal the group cancels what is still running (`.abandon`), and a
///   moment later the process exits with status 1 whatever is left: `_exit`, which skips the C
///   libraries' teardown, so no exit happens while their threads run.
/// - A second signal exits the same way at once (status 130).
///
/// A service that fails stops the others gracefully (they land and commit what they can); the
/// first error is thrown once every service has returned.
public struct ServiceRunner {
    public var shutdownTimeout: Duration
    public var logger: Logger

    public init(shutdownTimeout: Duration = .seconds(10), logger: Logger = Logger(label: "shopstream.lifecycle")) {
        self.shutdownTimeout = shutdownTimeout
        self.logger = logger
    }

    /// Blocks the calling thread (not a cooperative one) until every service has returned.
    public func run(_ services: [any Service]) throws {
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let watchdog = ShutdownWatchdog(deadline: shutdownTimeout, logger: logger)
        let group = ServiceGroup(configuration: configuration(services))
        Task {
            let result: Result<Void, any Error>
            do { try await group.run(); result = .success(()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        if Abandonment.happened.load(ordering: .acquiring) {
            // Work in flight was given up: not a clean stop, and threads may still be inside libcurl.
            logger.error(
                "stopped at the deadline (\(shutdownTimeout)): work in flight was given up; what was not committed is read again next time")
            ShutdownWatchdog.exitNow(1)
        }
        watchdog.disarm()
        if case .failure(let error)? = outcome.withLock({ $0 }) { throw error }
    }

    private func configuration(_ services: [any Service]) -> ServiceGroupConfiguration {
        var config = ServiceGroupConfiguration(
            services: services.map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Cancellation (.abandon) gets the last fifth of the time, and at least a second.
        let margin = max(.seconds(1), shutdownTimeout / 5)
        config.maximumGracefulShutdownDuration = max(.milliseconds(100), shutdownTimeout - margin)
        return config
    }
}

/// Counts stop signals beside the service group: a second one, or the deadline after the first,
/// ends the process at once.
final class ShutdownWatchdog: Sendable {
    /// The two signal sources, made in init and cancelled by `disarm`.
    private let sources = Mutex<[any DispatchSourceSignal]>([])
    private let count = Atomic<Int>(0)
    private let armed = Atomic<Bool>(true)

    init(deadline: Duration, logger: Logger) {
        sources.withLock { sources in
            for sig in [SIGINT, SIGTERM] {
                // Until the service group traps them too, the default action would end the process.
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [weak self] in
                    guard let self, self.armed.load(ordering: .acquiring) else { return }
                    let n = self.count.add(1, ordering: .acquiringAndReleasing).newValue
                    if n == 1 {
                        logger.info(
                            "stopping: landing and committing what is in flight (a second Ctrl-C stops at once)",
                            metadata: ["deadline_seconds": "\(deadline.components.seconds)"])
                        DispatchQueue.global().asyncAfter(
                            deadline: .now()
                                + .nanoseconds(
                                    Int(deadline.components.seconds * 1_000_000_000 + deadline.components.attoseconds / 1_000_000_000))
                        ) {
                            guard self.armed.load(ordering: .acquiring) else { return }
                            logger.error(
                                "stopped at the deadline (\(deadline)): exiting now; what was not committed is read again next time")
                            Self.exitNow(1)
                        }
                    } else {
                        logger.warning("second stop signal: exiting now (what was not committed is read again next time)")
                        Self.exitNow(130)
                    }
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    func disarm() {
        armed.store(false, ordering: .releasing)
        sources.withLock { sources in
            for source in sources { source.cancel() }
        }
    }

    /// Exits without running atexit handlers or static destructors: the C libraries' threads may still
    /// be running, and tearing their globals down under them is what crashes at exit.
    static func exitNow(_ status: Int32) -> Never {
        fflush(nil)  // every C stream, stdout and stderr among them
        _exit(status)
    }
}

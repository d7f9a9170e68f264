import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a flag that long-running loops check, so they
/// stop at a safe point (flush, commit, summary) instead of dying mid-write.
final class ShutdownSignal: @unchecked Sendable {
    private let requested = Atomic<Bool>(false)
    /// Written once in init, then only kept alive.
    private var sources: [DispatchSourceSignal] = []

    init() {
        var made: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if self.requested.exchange(true, ordering: .relaxed) {
                    // A second signal means: stop now.
                    Foundation.exit(130)
                }
            }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    var isRequested: Bool { requested.load(ordering: .relaxed) }
}


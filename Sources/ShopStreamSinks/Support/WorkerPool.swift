import Foundation
import ShopStreamCore

/// A fixed set of threads that run blocking jobs (uploads through libcurl, warehouse inserts) off
/// the thread that polls: the owner `put`s jobs and `take`s results, in the order they finish.
/// The bronze sinks, the silver sink and the backfill each run one.
///
/// A job that fails says so in its result: `work` does not throw, so each owner decides what an
/// error means (retry later, give the messages back, stop).
///
/// `@unchecked Sendable`: the queues are thread-safe; `threads` is touched only by the owner.
final class WorkerPool<Job: Sendable, Result: Sendable>: @unchecked Sendable {
    private let jobs = BlockingQueue<Job>()
    /// Nil when the owner wants no results (`init(count:name:run:)`).
    private let done: BlockingQueue<Result>?
    /// Entered by each thread while it runs.
    private let running = DispatchGroup()
    private var threads: [Thread] = []

    /// Starts `count` threads named `<name>-<i>`, each running `work` on the jobs it takes; the
    /// results wait for `take`.
    convenience init(count: Int, name: String, work: @escaping @Sendable (Job) -> Result) {
        self.init(count: count, name: name, keepsResults: true, work: work)
    }

    private init(count: Int, name: String, keepsResults: Bool, work: @escaping @Sendable (Job) -> Result) {
        let done = keepsResults ? BlockingQueue<Result>() : nil
        self.done = done
        for i in 0..<count {
            running.enter()
            let thread = startThread(named: "\(name)-\(i)") { [jobs, running] in
                while let job = jobs.take() {
                    let result = work(job)
                    done?.put(result)
                }
                running.leave()
            }
            threads.append(thread)
        }
    }

    func put(_ job: Job) { jobs.put(job) }

    /// The next finished job's result, waiting at most `timeout` (nil: until one finishes).
    func take(timeout: Duration?) -> Result? { done?.take(timeout: timeout) }

    /// Takes no more jobs: the threads finish what was put (none of it when `discardingPending`)
    /// and end.
    func close(discardingPending: Bool = false) { jobs.close(discardingPending: discardingPending) }

    /// Waits up to `timeout` (nil: as long as it takes) for the threads to end, after `close`: a
    /// process that exits while a thread is inside libcurl or OpenSSL crashes (OpenSSL's exit
    /// handler frees what it uses). True when they all ended.
    @discardableResult
    func waitForThreads(timeout: Duration?) -> Bool {
        guard let timeout else {
            running.wait()
            return true
        }
        return running.wait(timeout: .now() + timeout.seconds) == .success
    }
}

extension WorkerPool where Result == Void {
    /// Starts `count` threads named `<name>-<i>`, each running `run` on the jobs it takes; nothing
    /// is kept for `take` (the owner keeps its own account of what was done).
    convenience init(count: Int, name: String, run: @escaping @Sendable (Job) -> Void) {
        self.init(count: count, name: name, keepsResults: false, work: run)
    }
}

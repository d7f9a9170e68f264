import Foundation

/// A fixed set of threads that run blocking jobs (uploads through libcurl) off the polling thread:
/// the caller `put`s jobs and `take`s results, in the order they finish.
///
/// `@unchecked Sendable`: the queues are thread-safe; `threads` is touched only by the owner.
final class UploadWorkers<Job: Sendable, Result: Sendable>: @unchecked Sendable {
    private let jobs = BlockingQueue<Job>()
    private let done = BlockingQueue<Result>()
    /// Entered by each thread while it runs.
    private let running = DispatchGroup()
    private var threads: [Thread] = []

    /// Starts `count` threads named `<name>-<i>`, each running `work` on the jobs it takes.
    init(count: Int, name: String, work: @escaping @Sendable (Job) -> Result) {
        for i in 0..<count {
            running.enter()
            let thread = Thread { [jobs, done, running] in
                while let job = jobs.take() { done.put(work(job)) }
                running.leave()
            }
            thread.name = "\(name)-\(i)"
            thread.start()
            threads.append(thread)
        }
    }

    func put(_ job: Job) { jobs.put(job) }

    /// The next finished job's result, waiting at most `timeout` (nil: until one finishes).
    func take(timeout: Duration?) -> Result? { done.take(timeout: timeout) }

    /// Takes no more jobs: the threads finish what was put (none of it when `discardingPending`)
    /// and end.
    func close(discardingPending: Bool = false) { jobs.close(discardingPending: discardingPending) }

    /// Waits up to `timeout` for the threads to end, after `close`: a process that exits while a
    /// thread is inside libcurl or OpenSSL crashes (OpenSSL's exit handler frees what it uses).
    func waitForThreads(timeout: Duration) {
        _ = running.wait(timeout: .now() + timeout.seconds)
    }
}

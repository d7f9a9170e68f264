import Foundation
import ShopStreamCore
import Synchronization
import XCTest

@testable import ShopStreamSinks

/// The one pool of threads the bronze sinks, the silver sink and the backfill run their blocking
/// jobs on: every job put is done once and its result comes back; closing lets the threads finish
/// what was put, or drop what no thread has started when asked to.
final class WorkerPoolTests: XCTestCase {
    /// Long enough never to be reached when the pool works; a broken pool fails instead of hanging.
    private let patience = Duration.seconds(20)

    func testEveryJobsResultComesBackOnce() {
        let pool = WorkerPool<Int, Int>(count: 3, name: "test-pool") { job in job * 10 }
        for job in 0..<200 { pool.put(job) }
        var results: [Int] = []
        for _ in 0..<200 {
            guard let result = pool.take(timeout: patience) else { return XCTFail("only \(results.count) of 200 results came back") }
            results.append(result)
        }
        XCTAssertEqual(results.sorted(), (0..<200).map { $0 * 10 })
        XCTAssertNil(pool.take(timeout: .zero), "a result beyond one per job")
        pool.close()
        XCTAssertTrue(pool.waitForThreads(timeout: patience))
    }

    /// `top -H`, `perf` and a debugger tell the pool's threads apart by the names the kernel holds
    /// (Linux keeps 15 bytes of one).
    func testThePoolsThreadsCarryTheirNamesToTheKernel() throws {
        #if os(Linux)
            // Each job holds its thread until both have started, so the two run on the two threads.
            let arrived = DispatchSemaphore(value: 0)
            let go = DispatchSemaphore(value: 0)
            let pool = WorkerPool<Int, String>(count: 2, name: "silver-insert") { _ in
                arrived.signal()
                go.wait()
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable"
                return comm.trimmingCharacters(in: .newlines)
            }
            pool.put(0)
            pool.put(1)
            for _ in 0..<2 { XCTAssertEqual(arrived.wait(timeout: .now() + 20), .success, "a job did not start") }
            go.signal()
            go.signal()
            var names: [String] = []
            for _ in 0..<2 {
                guard let name = pool.take(timeout: patience) else { return XCTFail("a job's result did not come back") }
                names.append(name)
            }
            XCTAssertEqual(names.sorted(), ["silver-insert-0", "silver-insert-1"])
            pool.close()
            XCTAssertTrue(pool.waitForThreads(timeout: patience))
        #else
            throw XCTSkip("thread names are read from Linux's /proc")
        #endif
    }

    /// A name past Linux's 15 bytes is cut at a whole character rather than refused.
    func testALongThreadNameIsCutToWhatLinuxKeeps() throws {
        #if os(Linux)
            let seen = DispatchSemaphore(value: 0)
            let name = Mutex("")
            startThread(named: "bronze-upload-éé-12") {
                name.withLock { $0 = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable" }
                seen.signal()
            }
            XCTAssertEqual(seen.wait(timeout: .now() + 20), .success)
            XCTAssertEqual(name.withLock { $0 }, "bronze-upload-\n", "14 bytes: é (2 bytes) would pass 15")
        #else
            throw XCTSkip("thread names are read from Linux's /proc")
        #endif
    }

    func testCloseLetsTheThreadsFinishEveryJobPutBeforeIt() {
        let gate = DispatchSemaphore(value: 0)
        let pool = WorkerPool<Int, Int>(count: 2, name: "test-pool") { job in
            gate.wait()
            return job
        }
        for job in 0..<10 { pool.put(job) }
        pool.close()
        for _ in 0..<10 { gate.signal() }
        XCTAssertTrue(pool.waitForThreads(timeout: patience), "the threads did not end after close")
        var results: [Int] = []
        while let result = pool.take(timeout: .zero) { results.append(result) }
        XCTAssertEqual(results.sorted(), Array(0..<10))
    }

    func testCloseDiscardingPendingDropsTheJobsNoThreadHasStarted() {
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let pool = WorkerPool<Int, Int>(count: 1, name: "test-pool") { job in
            started.signal()
            gate.wait()
            return job
        }
        for job in 0..<5 { pool.put(job) }
        XCTAssertEqual(started.wait(timeout: .now() + patience.seconds), .success)
        // Job 0 is under way on the one thread; 1 to 4 wait in the queue.
        pool.close(discardingPending: true)
        for _ in 0..<5 { gate.signal() }
        XCTAssertTrue(pool.waitForThreads(timeout: patience), "the threads did not end after close")
        var results: [Int] = []
        while let result = pool.take(timeout: .zero) { results.append(result) }
        XCTAssertEqual(results, [0], "the job under way finishes; those waiting are dropped")
    }

    func testAPoolWithoutResultsRunsEveryJobAndKeepsNothing() {
        let ran = BlockingQueue<Int>()
        let pool = WorkerPool<Int, Void>(count: 2, name: "test-pool") { job in ran.put(job) }
        for job in 0..<50 { pool.put(job) }
        pool.close()
        XCTAssertTrue(pool.waitForThreads(timeout: patience))
        ran.close()
        var jobs: [Int] = []
        while let job = ran.take(timeout: .zero) { jobs.append(job) }
        XCTAssertEqual(jobs.sorted(), Array(0..<50))
        XCTAssertNil(pool.take(timeout: .zero))
    }
}

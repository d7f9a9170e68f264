import Foundation
import XCTest

/// One broker holding 25,000 generated events, shared by every test that only reads them (each
/// with its own consumer group and lake), so the backlog is generated and read back once.
final class SharedBacklog: @unchecked Sendable {
    static let events = 25_000
    static let seed = 7

    let broker: Broker
    let published: Published

    private static let lock = NSLock()
    nonisolated(unsafe) private static var instance: Result<SharedBacklog, Error>?

    static func get() throws -> SharedBacklog {
        try lock.withLock {
            if instance == nil { instance = Result { try SharedBacklog() } }
            return try instance!.get()
        }
    }

    private init() throws {
        let directory = NSTemporaryDirectory() + "shopstream-bronze-backlog-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        broker = try Broker(directory: directory)
        sharedBrokerPid = broker.child.pid
        atexit {
            if sharedBrokerPid > 0 { kill(sharedBrokerPid, SIGKILL) }
        }
        let generated = try runShopstream(
            ["generate", "--brokers", broker.bootstrap, "--events", String(Self.events), "--seed", String(Self.seed), "-q"],
            directory: directory, label: "generate")
        guard generated.status == 0, generated.stdout.contains("failed: 0") else {
            throw BronzeTestError("generate failed: \(generated)")
        }
        published = try Published.drain(broker.bootstrap, expected: Self.events)
        guard published.count == Self.events, published.eventIDs.count == Self.events else {
            throw BronzeTestError(
                "read back \(published.count) records (\(published.eventIDs.count) event ids) of \(Self.events) generated")
        }
    }

    /// A consumer group no other run uses, so the sink starts at the beginning of the topics.
    static func freshGroup(_ name: String = "bronze-test") -> String { "\(name)-\(UUID().uuidString.prefix(8))" }
}

nonisolated(unsafe) private var sharedBrokerPid: Int32 = 0

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamPubSub
import TestSupport
import XCTest

/// PubSubClient's waits end on the stop it is given (`interruptWaits(on:)`, as the bronze sink
/// hands it its own): a retry's backoff and a pull's wait for messages (PubSubTests' emulator).
extension PubSubTests {
    /// A publish answered 503 (through the fault proxy) backs off 20 s; an abandon ends the wait at
    /// once with `.stopped`, naming the 503, and the publish is not sent again.
    func testAnAbandonEndsAPublishsBackoffAndThePublishIsNotSentAgain() throws {
        let (emulator, _, project) = try setUpProject()
        let drill = try BackoffDrill(upstream: "http://\(emulator.host)", failing: "^POST .*:publish")
        let client = try PubSubClient(
            project: project, credentials: NoCredentials(),
            configuration: .init(endpoint: drill.proxy.url, http: HTTPClientConfiguration(retry: drill.retry)))
        let stop = StopSignal()
        client.interruptWaits(on: stop)

        let outcome = try drill.abandon(stop) {
            try client.publish(topic: "t.stop", messages: [OutgoingMessage(data: Array("x".utf8))])
        }
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        let error = try XCTUnwrap(outcome.error as? PubSubError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped)
        XCTAssertTrue(
            error.message.hasPrefix("publish to topic t.stop in \(client.location): stopped while waiting to retry POST "), error.message)
        XCTAssertTrue(error.message.contains("HTTP 503"), error.message)
        XCTAssertFalse(error.isTransient, "nobody should try again: the stop asked to give up")
        XCTAssertEqual(outcome.sent.count, 1, "not sent again: \(outcome.sent)")
    }

    /// A pull waiting up to a minute for messages on an empty subscription returns nothing as soon
    /// as the client's stop asks `.abandon`.
    func testAnAbandonEndsAPullsWaitForMessages() throws {
        let (_, client, _) = try setUpProject()
        try client.createTopic(TopicResource(id: "t.quiet"))
        try client.createSubscription(
            SubscriptionResource(id: "t.quiet.sub", topic: "t.quiet", ackDeadlineSeconds: 10, enableMessageOrdering: false))
        let stop = StopSignal()
        client.interruptWaits(on: stop)

        let returned = DispatchSemaphore(value: 0)
        let pulled = PulledCount()
        Thread {
            pulled.count = (try? client.pull("t.quiet.sub", maxMessages: 10, waitingUpTo: .seconds(60)).count) ?? -1
            returned.signal()
        }.start()
        // Most likely waiting by now; asked before it starts, the pull returns after one request,
        // which the test also accepts.
        Thread.sleep(forTimeInterval: 0.5)
        let abandoned = ContinuousClock.now
        stop.request(.abandon)
        XCTAssertEqual(returned.wait(timeout: .now() + 90), .success)
        let took = ContinuousClock.now - abandoned
        XCTAssertLessThan(took, .seconds(20), "returned \(took) after the abandon: it waited on")
        XCTAssertEqual(pulled.count, 0, "nothing came, and the end of the wait is not an error")
    }
}

/// The pull's result, written by its thread before the semaphore is signalled and read after.
private final class PulledCount: @unchecked Sendable {
    var count = -2
}

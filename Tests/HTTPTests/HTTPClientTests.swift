import Foundation
import ShopStreamHTTP
import XCTest

final class HTTPClientTests: XCTestCase {
    private let sleeper = SleepRecorder()

    private func client(maxAttempts: Int = 6, timeout: Duration = .seconds(5)) throws -> HTTPClient {
        try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: .seconds(2), timeout: timeout,
                retry: RetryPolicy(maxAttempts: maxAttempts, sleep: sleeper.sleep, random: { 0.5 })))
    }

    func testAnswersCarryStatusHeadersAndBodyAndTheConnectionIsReused() throws {
        let server = try LoopbackHTTPServer { request in
            .respond(201, headers: [("X-Echo-Method", request.method), ("Content-Type", "text/plain")], body: request.body)
        }
        let http = try client()
        let first = try http.send(
            HTTPRequest(method: .post, url: server.url + "/a", headers: ["Content-Type": "text/plain"], body: Data("hi".utf8)))
        XCTAssertEqual(first.status, 201)
        XCTAssertEqual(String(decoding: first.body, as: UTF8.self), "hi")
        XCTAssertEqual(first.headers["x-echo-method"], "POST", "header lookup ignores case")
        XCTAssertEqual(first.headers["CONTENT-TYPE"], "text/plain")
        XCTAssertTrue(first.retries.isEmpty)

        _ = try http.send(HTTPRequest(url: server.url + "/b"))
        _ = try http.send(HTTPRequest(method: .put, url: server.url + "/c"))
        _ = try http.send(HTTPRequest(method: .delete, url: server.url + "/d"))
        XCTAssertEqual(server.requests.map(\.method), ["POST", "GET", "PUT", "DELETE"])
        XCTAssertEqual(server.requests[2].headers["content-length"], "0")
        XCTAssertEqual(server.connections, 1, "one kept-alive connection for all requests")
        XCTAssertNil(server.requests[0].headers["expect"])
    }

    func testAnswerHeadersAreTrimmedAndKeepColonsInTheirValues() throws {
        let server = try LoopbackHTTPServer { _ in
            .respond(200, headers: [("X-Spaced", " \t a: b:c \t"), ("X-Empty", ""), ("X-Town", "Lahore – ملتان")])
        }
        let answer = try client().send(HTTPRequest(url: server.url + "/h"))
        XCTAssertEqual(answer.headers["x-spaced"], "a: b:c")
        XCTAssertEqual(answer.headers["x-empty"], "")
        XCTAssertEqual(answer.headers["x-town"], "Lahore – ملتان")
        XCTAssertEqual(answer.headers.fields.map(\.name), ["X-Spaced", "X-Empty", "X-Town", "Content-Length"])
    }

    func testAnIdempotentRequestIsRetriedThrough503And429AndAResetUntilItSucceeds() throws {
        let server = try LoopbackHTTPServer(replies: [
            .json(503, #"{"error":{"code":503,"message":"Backend Error","errors":[{"reason":"backendError"}]}}"#),
            // `Connection: close`, so the reset hits a fresh connection: on a reused one libcurl
            // itself resends once ("connection died, retrying a fresh connect").
            .json(429, "{}", headers: [("Retry-After", "3"), ("Connection", "close")]),
            .reset,
            .respond(200, body: Data("done".utf8)),
        ])
        let http = try client()
        let response = try http.send(HTTPRequest(url: server.url + "/object"))

        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "done")
        XCTAssertEqual(server.requests.count, 4, "four attempts")
        XCTAssertEqual(response.retries.reasons, ["503", "429", "reset"])
        XCTAssertEqual(response.retries.description, "retried 3 times: 503, 429, reset")
        // Backoff 1 s·2⁰ + 0.5 s jitter; then Retry-After's 3 s; then 1 s·2² + 0.5 s.
        XCTAssertEqual(sleeper.sleeps, [.milliseconds(1500), .seconds(3), .milliseconds(4500)])
        XCTAssertEqual(http.takeRetries().count, 3)
        XCTAssertEqual(http.retries.count, 0, "taking the retries starts counting afresh")
    }

    func testANonIdempotentRequestIsNotRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.json(503, "{}"), .respond(200)])
        let http = try client()
        XCTAssertThrowsError(try http.send(HTTPRequest(method: .post, url: server.url + "/insert", body: Data("x".utf8)))) { error in
            XCTAssertEqual((error as? HTTPError)?.status, 503)
        }
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertTrue(sleeper.sleeps.isEmpty)

        let reset = try LoopbackHTTPServer(replies: [.reset, .respond(200)])
        XCTAssertThrowsError(try http.send(HTTPRequest(method: .post, url: reset.url + "/insert", body: Data("x".utf8)))) { error in
            XCTAssertEqual((error as? HTTPError)?.code, .transport)
            XCTAssertTrue("\(error)".contains("not retried: the request is not idempotent"), "\(error)")
        }
        XCTAssertEqual(reset.requests.count, 1)
    }

    func testAPostMarkedIdempotentIsRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.json(500, "{}"), .respond(200)])
        let response = try client().send(HTTPRequest(method: .post, url: server.url + "/upload?ifGenerationMatch=0", isIdempotent: true))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(server.requests.count, 2)
    }

    func testRetriesStopAfterTheLastAttemptAndTheErrorSaysWhatWasRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.json(503, #"{"error":{"code":503,"message":"We are busy"}}"#)])
        XCTAssertThrowsError(try client(maxAttempts: 3).send(HTTPRequest(url: server.url + "/x"))) { error in
            let error = error as! HTTPError
            XCTAssertEqual(error.status, 503)
            XCTAssertEqual(error.retries.count, 2)
            XCTAssertTrue(error.message.contains("retried 2 times: 503, 503"), error.message)
        }
        XCTAssertEqual(server.requests.count, 3)
    }

    func testA4xxOtherThan408And429IsNotRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.json(404, "{}")])
        XCTAssertThrowsError(try client().send(HTTPRequest(url: server.url + "/missing")))
        XCTAssertEqual(server.requests.count, 1)
    }

    func testATimeoutIsRetriedAndReported() throws {
        // The answer is held back for a minute: only a client that gives up at its 200 ms
        // timeout is done before it, and the server sees it hang up on each attempt.
        let server = try LoopbackHTTPServer(replies: [.delayed(60, .respond(200))])
        XCTAssertThrowsError(try client(maxAttempts: 2, timeout: .milliseconds(200)).send(HTTPRequest(url: server.url + "/slow"))) {
            error in
            let error = error as! HTTPError
            XCTAssertEqual(error.code, .timeout)
            XCTAssertTrue(error.message.hasPrefix("GET \(server.url)/slow: "), error.message)
            XCTAssertTrue(error.message.contains("retried once: timeout"), error.message)
        }
        XCTAssertEqual(server.requests.count, 2)
        // The server notices a hang-up at once; the deadline only bounds a failure.
        let deadline = Date().addingTimeInterval(30)
        while server.abandoned < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(server.abandoned, 2, "the client hung up on both attempts before their answers were sent")
    }

    func testARefusedConnectionIsRetriedThenReportedWithAdvice() throws {
        let port = try closedLoopbackPort()
        XCTAssertThrowsError(try client(maxAttempts: 2).send(HTTPRequest(url: "http://127.0.0.1:\(port)/storage/v1/b"))) { error in
            let error = error as! HTTPError
            XCTAssertEqual(error.code, .transport)
            XCTAssertTrue(error.message.contains("GET http://127.0.0.1:\(port)/storage/v1/b"), error.message)
            XCTAssertTrue(error.message.contains("is the server (or emulator) running?"), error.message)
            XCTAssertEqual(error.retries.reasons, ["refused"])
        }
    }

    func testErrorsNameMethodURLStatusAndGooglesMessageButNoSecrets() throws {
        let server = try LoopbackHTTPServer(replies: [
            .json(
                403,
                #"{"error":{"code":403,"message":"lake-writer@p.iam.gserviceaccount.com does not have storage.objects.list access to the Google Cloud Storage bucket.","errors":[{"message":"…","domain":"global","reason":"forbidden"}]}}"#
            )
        ])
        let url =
            server.url.replacingOccurrences(of: "http://", with: "http://user:hunter2@")
            + "/storage/v1/b/shop/o?prefix=bronze%2F&access_token=ya29.secret"
        XCTAssertThrowsError(try client().send(HTTPRequest(url: url, headers: ["Authorization": "Bearer ya29.secret"]))) { error in
            let error = error as! HTTPError
            XCTAssertEqual(error.code, .status)
            XCTAssertEqual(error.status, 403)
            XCTAssertEqual(error.method, "GET")
            XCTAssertEqual(error.googleReason, "forbidden")
            XCTAssertEqual(error.googleMessage?.hasPrefix("lake-writer@p.iam.gserviceaccount.com does not have"), true)
            XCTAssertTrue(
                error.message.hasPrefix(
                    "GET \(server.url)/storage/v1/b/shop/o?prefix=bronze%2F&access_token=REDACTED: HTTP 403 Forbidden: lake-writer@"),
                error.message)
            XCTAssertTrue(error.message.contains("(forbidden)"), error.message)
            XCTAssertFalse("\(error)".contains("secret") || "\(error)".contains("hunter2"), error.message)
        }
    }

    func testAnOAuthErrorBodyIsReadToo() throws {
        let server = try LoopbackHTTPServer(replies: [
            .json(400, #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#)
        ])
        XCTAssertThrowsError(try client().send(HTTPRequest(method: .post, url: server.url + "/token"))) { error in
            let error = error as! HTTPError
            XCTAssertEqual(error.googleReason, "invalid_grant")
            XCTAssertEqual(error.message, "POST \(server.url)/token: HTTP 400 Bad Request: Invalid JWT Signature. (invalid_grant)")
        }
    }

    func testAMalformedURLIsAnInvalidRequest() throws {
        XCTAssertThrowsError(try client().send(HTTPRequest(url: "ftp://example.com/x"))) { error in
            XCTAssertEqual((error as? HTTPError)?.code, .invalidRequest)
        }
    }

    func testLibcurlsOwnResendOnADeadKeptAliveConnectionIsCountedAsARetry() throws {
        // The server answers the first request, then drops the kept-alive connection without an
        // answer when the second arrives on it (its idle timeout racing our request): libcurl
        // sends the request again on a fresh connection by itself, before our retry policy sees
        // anything.
        let server = try LoopbackHTTPServer(replies: [
            .respond(200, body: Data("first".utf8)), .close, .respond(200, body: Data("second".utf8)),
        ])
        let pool = HTTPClientPool(configuration: HTTPClientConfiguration(retry: RetryPolicy(sleep: sleeper.sleep)), maximumIdle: 1)
        XCTAssertEqual(try pool.send(HTTPRequest(url: server.url + "/a")).body, Data("first".utf8))
        XCTAssertTrue(pool.takeRetries().isEmpty)

        let second = try pool.send(HTTPRequest(method: .put, url: server.url + "/b", body: Data("payload".utf8)))
        XCTAssertEqual(second.body, Data("second".utf8))
        XCTAssertEqual(server.requests.map(\.target), ["/a", "/b", "/b"], "the second request went out twice")
        XCTAssertEqual(server.requests[2].body, Data("payload".utf8), "with its body")
        XCTAssertEqual(server.connections, 2, "the resend went out on a fresh connection")
        XCTAssertEqual(second.retries.reasons, ["dead keep-alive"])
        // What the lake's and the warehouse's `takeRetries()` hand to shopstream_http_retries_total.
        XCTAssertEqual(pool.takeRetries().reasons, ["dead keep-alive"])
        XCTAssertTrue(sleeper.sleeps.isEmpty, "no backoff: libcurl resends at once")
    }

    func testThePoolReusesItsClientsAndTheirConnections() throws {
        let server = try LoopbackHTTPServer(replies: [.respond(200, body: Data("ok".utf8))])
        let pool = HTTPClientPool(configuration: HTTPClientConfiguration(retry: RetryPolicy(sleep: sleeper.sleep)), maximumIdle: 4)
        // One after another: one client, one kept-alive connection.
        for _ in 0..<10 { XCTAssertEqual(try pool.send(HTTPRequest(url: server.url + "/x")).status, 200) }
        XCTAssertEqual(server.connections, 1, "sequential requests share one connection")

        // Four threads: at most four clients are ever out at once and all four fit in the idle
        // list, so however the threads interleave, no more than four connections are opened.
        let threads = 4
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<10 { XCTAssertEqual(try? pool.send(HTTPRequest(url: server.url + "/x")).status, 200) }
        }
        XCTAssertEqual(server.requests.count, 50)
        XCTAssertLessThanOrEqual(server.connections, threads, "50 requests from \(threads) threads reuse at most \(threads) connections")
        XCTAssertTrue(pool.takeRetries().isEmpty)
    }
}

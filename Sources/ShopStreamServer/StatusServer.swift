import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ShopStreamCore
import ShopStreamService

/// The HTTP side of a long-running command (Hummingbird): `/metrics` (Prometheus text format),
/// `/healthz` and `/readyz` (200 or 503, a line per part), and, where the command has them, the
/// dashboard page at `/` and a `Control` under its prefix (the broker's `/faults`).
public struct StatusServer: Sendable {
    /// Renders the page for a request's query (`?period=30`); runs on a thread of its own, since it reads
    /// the warehouse with blocking calls.
    public typealias Page = @Sendable (_ query: [String: String]) throws -> String

    public let host: String
    public let port: Int
    public let health: Health
    public let page: Page?
    public let control: Control?
    public var logger = Logger(label: "shopstream.http")

    public init(host: String, port: Int, health: Health, page: Page? = nil, control: Control? = nil) {
        self.host = host
        self.port = port
        self.health = health
        self.page = page
        self.control = control
    }

    /// The server as a service; `onListening` gets the bound port (useful with port 0).
    public func service(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some Service {
        let router = Router()
        let health = health, page = page, control = control, logger = logger
        router.get("metrics") { _, _ -> Response in
            Self.text(.ok, Telemetry.shared.exposition(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("healthz") { _, _ -> Response in
            let report = health.liveness()
            return Self.text(report.ok ? .ok : .serviceUnavailable, report.text)
        }
        router.get("readyz") { _, _ -> Response in
            let report = health.readiness()
            return Self.text(report.ok ? .ok : .serviceUnavailable, report.text)
        }
        router.get("/") { request, _ -> Response in
            guard let page else {
                return Self.text(.ok, "ShopStream: /metrics, /healthz, /readyz\n")
            }
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            let frozen = query
            do {
                let html = try await Self.offload { try page(frozen) }
                return Self.text(.ok, html, type: "text/html; charset=utf-8", cache: false)
            } catch {
                logger.error("the dashboard page failed", metadata: ["error": "\(error)"])
                return Self.text(.internalServerError, Secrets.redact("the dashboard could not be read: \(error)\n"))
            }
        }
        if let control {
            for path in [RouterPath(stringLiteral: control.prefix), RouterPath(stringLiteral: control.prefix + "/**")] {
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
                    router.on(path, method: method) { request, _ -> Response in
                        let below = request.uri.path.split(separator: "/").dropFirst().map {
                            String($0).removingPercentEncoding ?? String($0)
                        }
                        var query: [String: String] = [:]
                        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
                        let asked = Control.Request(method: request.method.rawValue, path: below, query: query)
                        let answer = try await Self.offload { control.handle(asked) }
                        if answer.status >= 400 { logger.notice("\(asked.method) \(request.uri.path): \(answer.status) \(answer.body)") }
                        return Self.text(HTTPResponse.Status(code: answer.status), answer.body)
                    }
                }
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "shopstream"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String, type: String = "text/plain; charset=utf-8", cache: Bool = false)
        -> Response
    {
        var headers: HTTPFields = [.contentType: type]
        if !cache { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Runs blocking work on a Dispatch thread, not on the cooperative pool.
    private static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// `--http HOST:PORT` as a value: where the status server listens.
public struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:8080`, `:8080` (all interfaces), `0.0.0.0:9090`, `[::1]:8080`.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

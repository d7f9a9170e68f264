import Foundation

/// A successful (2xx) answer; other statuses arrive as an `HTTPError`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// The retries it took to get this answer (empty when the first attempt succeeded).
    public var retries: RetrySummary

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data(), retries: RetrySummary = RetrySummary()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.retries = retries
    }

    /// Decodes the body as JSON.
    public func decode<T: Decodable>(_ type: T.Type, as what: String? = nil) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            let preview = String(decoding: body.prefix(200), as: UTF8.self)
            throw HTTPError(
                .invalidResponse,
                "the answer could not be read as \(what ?? String(describing: type)): \(error) (body starts: \(preview))")
        }
    }
}

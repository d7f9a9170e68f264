/// Requests a command takes over HTTP beside its status: `shopstream broker`'s fault control, under
/// one path prefix of the status server (`/faults`). The handler runs on a thread of its own, so it
/// may block; what it answers is plain text.
public struct Control: Sendable {
    public struct Request: Sendable {
        /// `GET`, `POST`, …
        public var method: String
        /// The path below the prefix, decoded, one element a segment: `/faults/brokers/2/down` → `["brokers", "2", "down"]`.
        public var path: [String]
        public var query: [String: String]

        public init(method: String, path: [String], query: [String: String] = [:]) {
            self.method = method
            self.path = path
            self.query = query
        }
    }

    public struct Response: Sendable, Equatable {
        /// An HTTP status: 200, 400 for a request that cannot be done as asked, 404, 405.
        public var status: Int
        /// Plain text, ending in a newline.
        public var body: String

        public init(_ status: Int, _ body: String) {
            self.status = status
            self.body = body.hasSuffix("\n") ? body : body + "\n"
        }
    }

    /// The first path segment, without slashes: `faults`.
    public let prefix: String
    public let handle: @Sendable (Request) -> Response

    public init(prefix: String, handle: @escaping @Sendable (Request) -> Response) {
        self.prefix = prefix
        self.handle = handle
    }
}

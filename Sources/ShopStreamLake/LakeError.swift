import ShopStreamCore
import ShopStreamHTTP

/// Everything that can go wrong in a lake, with a sentence a person can act on.
public struct LakeError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A create found the name taken by different bytes.
        public static let alreadyExists = Code("already exists")
        /// The object does not exist.
        public static let notFound = Code("not found")
        /// The lake URL is not `gs://BUCKET[/PREFIX]` or `file:///PATH`.
        public static let invalidURL = Code("invalid URL")
        /// The object name is not allowed.
        public static let invalidName = Code("invalid name")
        /// The Cloud Storage bucket does not exist.
        public static let bucketNotFound = Code("bucket not found")
        /// The credentials may not do this (HTTP 403).
        public static let permissionDenied = Code("permission denied")
        /// No usable credentials, or they were refused (HTTP 401).
        public static let credentials = Code("credentials")
        /// The stored bytes do not match their checksum.
        public static let corrupt = Code("corrupt")
        /// The store failed otherwise: disk, network, server.
        public static let storage = Code("storage")
    }

    public let code: Code
    /// One sentence: what failed, on which object, and what to do.
    public let message: String
    /// The HTTP failure underneath, for Cloud Storage (status, Google's reason, retries).
    public let http: HTTPError?

    public init(_ code: Code, _ message: String, http: HTTPError? = nil) {
        self.code = code
        self.message = message
        self.http = http
    }

    /// A store that failed otherwise (disk, network, server) may work later, unless Cloud Storage
    /// answered with a status that says it will not; everything else needs a person (a name, a
    /// bucket, permissions, credentials), or is an answer rather than a failure (`alreadyExists`).
    public var isTransient: Bool {
        guard code == .storage else { return false }
        return http?.isTransient ?? true
    }
}

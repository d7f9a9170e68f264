import ShopStreamCore
import ShopStreamHTTP

/// Everything that can go wrong in a lake, with a sentence a person can act on.
public struct LakeError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public typealias Code = ErrorCode<LakeError>

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

extension ErrorCode where Owner == LakeError {
    /// A create found the name taken by different bytes.
    public static var alreadyExists: Self { Self("already exists") }
    /// The object does not exist.
    public static var notFound: Self { Self("not found") }
    /// The lake URL is not `gs://BUCKET[/PREFIX]` or `file:///PATH`.
    public static var invalidURL: Self { Self("invalid URL") }
    /// The object name is not allowed.
    public static var invalidName: Self { Self("invalid name") }
    /// The Cloud Storage bucket does not exist.
    public static var bucketNotFound: Self { Self("bucket not found") }
    /// The credentials may not do this (HTTP 403).
    public static var permissionDenied: Self { Self("permission denied") }
    /// No usable credentials, or they were refused (HTTP 401).
    public static var credentials: Self { Self("credentials") }
    /// The stored bytes do not match their checksum.
    public static var corrupt: Self { Self("corrupt") }
    /// The store failed otherwise: disk, network, server.
    public static var storage: Self { Self("storage") }
    /// A retry was not made because the lake's stop asked to give up while it waited
    /// (`Lake.interruptWaits(on:)`); the message ends with the failure it was waiting out.
    public static var stopped: Self { Self("stopped") }
}

import ShopStreamCore
import ShopStreamHTTP

/// Everything that can go wrong talking to Pub/Sub, with a sentence a person can act on.
public struct PubSubError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public typealias Code = ErrorCode<PubSubError>

    public let code: Code
    /// One sentence: what failed, on which topic or subscription, and what to do.
    public let message: String
    /// The HTTP failure underneath (status, Google's status name, retries), when there was one.
    public let http: HTTPError?
    /// The messages the failure concerns, where it concerns some (`.leaseLost`).
    public let messageIds: [String]

    public init(_ code: Code, _ message: String, http: HTTPError? = nil, messageIds: [String] = []) {
        self.code = code
        self.message = message
        self.http = http
        self.messageIds = messageIds
    }

    /// Only `.service` failures may pass by waiting: network drops, timeouts, 429, 5xx, and the
    /// statuses Google's own clients retry (ABORTED, UNAVAILABLE, DEADLINE_EXCEEDED,
    /// RESOURCE_EXHAUSTED, INTERNAL). A missing resource, a permission, a bad argument or a
    /// paused ordering key needs someone to act first.
    public var isTransient: Bool {
        guard code == .service else { return false }
        guard let http else { return true }
        if http.isTransient { return true }
        return http.googleReason.map(Self.transientStatuses.contains) ?? false
    }

    static let transientStatuses: Set<String> = ["ABORTED", "UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "INTERNAL"]
}

extension ErrorCode where Owner == PubSubError {
    /// The topic or subscription does not exist (HTTP 404).
    public static var notFound: Self { Self("not found") }
    /// A create found the name taken (HTTP 409 ALREADY_EXISTS).
    public static var alreadyExists: Self { Self("already exists") }
    /// The credentials may not do this (HTTP 403); the message names the permission.
    public static var permissionDenied: Self { Self("permission denied") }
    /// No usable credentials, or they were refused (HTTP 401).
    public static var credentials: Self { Self("credentials") }
    /// Pub/Sub refused the request as malformed (HTTP 400): a name, a field, a stale ack id.
    public static var invalidArgument: Self { Self("invalid argument") }
    /// A message's ordering key is paused after an earlier publish of that key failed; the
    /// publisher sends nothing more for it until `resume(orderingKey:)`.
    public static var orderingKeyPaused: Self { Self("ordering key paused") }
    /// A delivery's lease ran out before it was acknowledged or extended: Pub/Sub delivers the
    /// message again, so what was done with this delivery must not count as settled.
    /// `messageIds` names the messages.
    public static var leaseLost: Self { Self("lease lost") }
    /// The answer could not be understood.
    public static var invalidResponse: Self { Self("invalid response") }
    /// Pub/Sub failed otherwise: network, timeout, 429, 5xx, ABORTED.
    public static var service: Self { Self("service") }
    /// A retry was not made because the client's stop asked to give up while it waited
    /// (`PubSubClient.interruptWaits(on:)`); the message ends with the failure it was waiting out.
    public static var stopped: Self { Self("stopped") }
}

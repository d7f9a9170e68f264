import ShopStreamCore

/// What can stop the data checks from running at all, in a sentence a person can act on. A check
/// that runs and finds offending rows is not an error: it is a `CheckResult` with status `.fail`.
public struct QualityError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The topic definitions lack something a standard check is derived from.
        public static let catalog = Code("catalog")
        /// The lake could not be listed or an object's events could not be counted.
        public static let lake = Code("lake")
    }

    public let code: Code
    /// One sentence: what failed, where, and what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A catalog that lacks what a check needs stays so; a lake that cannot be listed or counted
    /// is said in the message, for a person to look at (`check` runs once, it does not retry).
    public var isTransient: Bool { false }
}

import ShopStreamCore

/// What can stop the data checks from running at all, in a sentence a person can act on. A check
/// that runs and finds offending rows is not an error: it is a `CheckResult` with status `.fail`.
public struct QualityError: ShopStreamError {
    /// What kind of failure this is; compare against the static values.
    public typealias Code = ErrorCode<QualityError>

    public let code: Code
    /// One sentence: what failed, where, and what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A catalog that lacks what a check needs stays so until topics/ changes.
    public var isTransient: Bool { false }
}

extension ErrorCode where Owner == QualityError {
    /// The topic definitions lack something a standard check is derived from.
    public static var catalog: Self { Self("catalog") }
}

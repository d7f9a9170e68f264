import ShopStreamCore

/// What stops the silver layer from starting, in a sentence a person can act on.
///
/// Bad events are not errors: they become a `Rejection`. This is for a topic
/// definition the validator cannot honour, a silver schema that cannot be
/// derived from it, or warehouse SQL that cannot be read.
public struct SilverError: ShopStreamError, Equatable {
    public typealias Code = ErrorCode<SilverError>

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Topic definitions the validator cannot honour stay so until they are changed.
    public var isTransient: Bool { false }
}

extension ErrorCode where Owner == SilverError {
    /// A value_schema uses a keyword, format or construct the validator does not implement.
    public static var unsupportedSchema: Self { Self("unsupported schema") }
    /// A value_schema is malformed (a keyword with a value of the wrong kind, a bad pattern).
    public static var invalidSchema: Self { Self("invalid schema") }
    /// The silver tables cannot be derived from topics/ (a field with no column type, a missing layout column).
    public static var schemaMismatch: Self { Self("schema mismatch") }
    /// A file of the warehouse SQL (sql/silver/) cannot be read.
    public static var missingSQL: Self { Self("missing sql") }
}

import ShopStreamCore

/// What can stop a sink, in a sentence a person can act on.
public struct SinkError: ShopStreamError {
    public typealias Code = ErrorCode<SinkError>

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A sink's own errors need a person: a setting, a lake that contradicts itself.
    public var isTransient: Bool { false }
}

extension ErrorCode where Owner == SinkError {
    /// Storing an object failed in a way retrying will not fix (permissions, no bucket).
    public static var storage: Self { Self("storage") }
    /// The lake's content contradicts itself (e.g. an object without offsets).
    public static var corrupt: Self { Self("corrupt") }
    /// Compression failed.
    public static var encoding: Self { Self("encoding") }
    /// A setting is out of range.
    public static var invalidArgument: Self { Self("invalid argument") }
}

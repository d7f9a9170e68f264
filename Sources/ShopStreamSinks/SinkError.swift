import ShopStreamCore

/// What can stop a sink, in a sentence a person can act on.
public struct SinkError: ShopStreamError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }
        /// Storing an object failed in a way retrying will not fix (permissions, no bucket).
        public static let storage = Code("storage")
        /// The lake's content contradicts itself (e.g. an object without offsets).
        public static let corrupt = Code("corrupt")
        /// Compression failed.
        public static let encoding = Code("encoding")
        /// A setting is out of range.
        public static let invalidArgument = Code("invalid argument")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A sink's own errors need a person: a setting, a lake that contradicts itself.
    public var isTransient: Bool { false }
}

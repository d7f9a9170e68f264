/// What kind of failure an error of `Owner` is, as each module's error type declares it:
/// `typealias Code = ErrorCode<SinkError>` and the values in
/// `extension ErrorCode where Owner == SinkError { public static var storage: Self { Self("storage") } }`.
/// Callers compare against those values (`error.code == .storage`); the name is what `description` says.
/// The owner in the type keeps one module's codes from being offered for another's errors.
public struct ErrorCode<Owner>: Hashable, Sendable, CustomStringConvertible {
    private let name: String
    /// Only the modules of this package declare codes.
    package init(_ name: String) { self.name = name }
    public var description: String { name }
}

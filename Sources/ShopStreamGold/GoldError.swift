/// What went wrong building gold, said so that a person can act on it.
public struct GoldError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case sqlFiles, warehouse, state, drift }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

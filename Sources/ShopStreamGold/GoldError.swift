import ShopStreamCore

/// What went wrong building gold, said so that a person can act on it.
public struct GoldError: ShopStreamError {
    public enum Code: Sendable { case sqlFiles, warehouse, state, drift }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Gold's own errors need a person: its SQL files, its state, drift, a silver table missing
    /// (a failing query is the warehouse's own error, not wrapped).
    public var isTransient: Bool { false }
}

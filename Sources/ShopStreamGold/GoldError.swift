import ShopStreamCore

/// What went wrong building gold, said so that a person can act on it.
public struct GoldError: ShopStreamError {
    public typealias Code = ErrorCode<GoldError>
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

extension ErrorCode where Owner == GoldError {
    /// Gold's SQL files are missing, malformed, or for another warehouse's dialect.
    public static var sqlFiles: Self { Self("sql files") }
    /// The warehouse lacks what gold is built from (a silver table).
    public static var warehouse: Self { Self("warehouse") }
    /// What gold's SQL reports about itself is not what it must be (e.g. an @detect query's columns).
    public static var state: Self { Self("state") }
    /// Gold's tables differ from their definitions (made by an older ShopStream).
    public static var drift: Self { Self("drift") }
}

/// What every ShopStream module's error type is: one sentence a person can act on, and whether
/// trying the same thing again later may succeed with nothing changed.
///
/// Each module keeps its own error type (`KafkaError`, `HTTPError`, `LakeError`, `WarehouseError`,
/// `SinkError`, …) with the codes that make sense there; each decides `isTransient` for its own
/// codes, so a caller that retries (the sinks) asks the error instead of classifying codes of
/// modules it should not know.
public protocol ShopStreamError: Error, CustomStringConvertible, Sendable {
    /// One sentence: what failed, where, and what to do.
    var message: String { get }
    /// A network drop, a timeout, a 503 or 429, a busy database, a broker between leaders: waiting
    /// and trying again may succeed. False where a person has to act first (permissions, a wrong
    /// URL or setting, a missing table, a schema the code cannot honour).
    var isTransient: Bool { get }
}

extension ShopStreamError {
    public var description: String { message }
}

extension Error {
    /// Whether trying again later may succeed: the error's own answer when it is a
    /// `ShopStreamError`; false for an error of any other kind (nothing says it will pass).
    public var isTransient: Bool { (self as? any ShopStreamError)?.isTransient ?? false }
}

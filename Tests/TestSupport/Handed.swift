/// Hands a value that is not `Sendable` (a sink) to the thread a test runs it on. Unchecked: the
/// test touches it only before that thread starts and after it has finished.
public final class Handed<Value>: @unchecked Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}

/// An event the ground truth cannot count, or a truth file that cannot be
/// written or read; the description says which and what to do.
public struct GroundTruthError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

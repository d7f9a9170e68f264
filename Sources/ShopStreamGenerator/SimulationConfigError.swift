/// A configuration value the simulator cannot work with.
public struct SimulationConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = "invalid simulation config: " + description }
}

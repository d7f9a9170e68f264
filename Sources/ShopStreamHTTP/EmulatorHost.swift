/// The `*_EMULATOR_HOST` convention of Google's client libraries: when the variable is set, talk
/// to that emulator, over plain http unless it names a scheme, with no credentials.
public enum EmulatorHost {
    /// The base URL from `variable` (`127.0.0.1:8085` or `http://127.0.0.1:8085`, `http://`
    /// assumed, no trailing `/`), or nil when it is unset or empty.
    public static func endpoint(_ variable: String, environment: [String: String]) -> String? {
        guard var host = environment[variable]?.trimmingCharacters(in: .whitespaces), !host.isEmpty else { return nil }
        if !host.contains("://") { host = "http://" + host }
        while host.hasSuffix("/") { host.removeLast() }
        return host
    }
}

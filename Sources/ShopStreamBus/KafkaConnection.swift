import ShopStreamCore

/// Where the cluster is and how to talk to it.
public struct KafkaConnection: Sendable, Equatable {
    /// `host:port[,host:port…]`, librdkafka's `bootstrap.servers`.
    public var bootstrapServers: String
    /// Extra librdkafka properties (`-X key=value`), applied after ShopStream's own
    /// defaults so they win: security, SASL, SSL, tuning, debug.
    public var properties: [String: String]
    /// How long to wait for the cluster to answer a metadata request before
    /// calling it unreachable.
    public var connectTimeout: Duration

    public init(bootstrapServers: String, properties: [String: String] = [:], connectTimeout: Duration = .seconds(10)) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.connectTimeout = connectTimeout
    }

    /// Parses `key=value` pairs as given to `-X`.
    public static func parseProperties(_ pairs: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw KafkaError(.configuration, "-X \(pair): expected key=value, e.g. -X security.protocol=SASL_SSL")
            }
            let key = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            // A password given on the command line is never shown again (logs, errors, metrics).
            if Secrets.isSecretProperty(key) { Secrets.register(value) }
            result[key] = value
        }
        return result
    }

    /// The properties every client gets: bootstrap, quiet logs, then the user's.
    func baseProperties(clientId: String) -> [(String, String)] {
        var props: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientId),
            // librdkafka logs connection trouble on stderr; ShopStream reports it in
            // its own words. `-X log_level=7` or `-X debug=…` brings the logs back.
            ("log_level", "2"),
        ]
        props += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return props
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, at least 0.
    var milliseconds: Int {
        let (s, atto) = components
        return max(0, Int(s) * 1000 + Int(atto / 1_000_000_000_000_000))
    }
}

import Foundation
import Synchronization

/// Values that must never be shown: passwords given with `-X`, a service account's private key,
/// access tokens. Whatever registers them, every log line and every error printed passes through
/// `redact`, which replaces each occurrence with `REDACTED`.
public enum Secrets {
    private static let known = Mutex<[String]>([])

    /// Remembers a secret; values shorter than 4 characters are ignored (they would match everywhere).
    public static func register(_ secret: String) {
        let value = secret.trimmingCharacters(in: [" ", "\n", "\t"])
        guard value.count >= 4 else { return }
        known.withLock { list in
            guard !list.contains(value) else { return }
            list.append(value)
            // Longest first, so a secret that contains another is replaced whole.
            list.sort { $0.count > $1.count }
        }
        // A PEM key is also shown line by line (in a JSON file, with \n escapes): each line counts.
        if value.contains("\n") || value.contains("\\n") {
            for line in value.replacingOccurrences(of: "\\n", with: "\n").split(separator: "\n")
            where line.count >= 16 && !line.hasPrefix("-----") {
                register(String(line))
            }
        }
    }

    /// The text with every registered secret replaced by `REDACTED`.
    public static func redact(_ text: String) -> String {
        let list = known.withLock { $0 }
        guard !list.isEmpty else { return text }
        var out = text
        for secret in list where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "REDACTED")
        }
        return out
    }

    /// Whether a librdkafka property's value is a secret by its name (sasl.password,
    /// ssl.key.password, sasl.oauthbearer.client.secret, ssl.key.pem, …).
    public static func isSecretProperty(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("password") || k.contains("secret") || k.hasSuffix(".pem") || k.contains("sasl.oauthbearer.config")
            || k.contains("sasl.jaas.config")
    }
}

import Foundation

extension GroundTruth {
    /// Writes the truth as pretty-printed JSON with sorted keys (rows are
    /// already sorted), replacing `url` at once so a reader never sees half a file.
    public func write(to url: URL) throws(GroundTruthError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(self) + Data("\n".utf8)
        } catch {
            throw GroundTruthError("cannot encode the ground truth: \(error)")
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw GroundTruthError(
                "cannot write the ground truth to \(url.path): \(error.localizedDescription); check that its folder exists and is writable")
        }
    }

    /// Reads a truth file written by `write(to:)` (`shopstream generate --truth FILE`).
    public static func read(from url: URL) throws(GroundTruthError) -> GroundTruth {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw GroundTruthError(
                "cannot read the ground truth \(url.path): \(error.localizedDescription); write one with `shopstream generate --truth \(url.path)`"
            )
        }
        do {
            return try JSONDecoder().decode(GroundTruth.self, from: data)
        } catch let error as DecodingError {
            throw GroundTruthError(
                "\(url.path) is not a ground truth file: \(error.briefly); write one with `shopstream generate --truth \(url.path)`")
        } catch {
            throw GroundTruthError(
                "\(url.path) is not a ground truth file: \(error); write one with `shopstream generate --truth \(url.path)`")
        }
    }
}

extension DecodingError {
    /// One line: what is wrong and where (`missing key totals.orders`), without Foundation's debug dump.
    var briefly: String {
        func path(_ context: Context, _ last: CodingKey? = nil) -> String {
            var text = ""
            for key in context.codingPath + (last.map { [$0] } ?? []) {
                if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch self {
        case .keyNotFound(let key, let context): return "missing key \(path(context, key))"
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}

import Foundation
import ShopStreamHTTP

/// Where a warehouse is: `bigquery://PROJECT[?location=LOCATION]` or `sqlite:///ABSOLUTE/PATH.db`
/// (`sqlite://./RELATIVE.db` too; the embedded default is `sqlite://./warehouse.db`).
public enum WarehouseURL: Sendable, Hashable, CustomStringConvertible {
    case bigquery(project: String, location: String?)
    /// The main database file, as an absolute path.
    case sqlite(path: String)

    public static let embeddedDefault = "sqlite://./warehouse.db"

    /// Parses a warehouse URL; relative `sqlite://./x.db` paths resolve against `currentDirectory`.
    /// `option` names where the text came from, for the error message.
    public init(
        parsing text: String, currentDirectory: String = FileManager.default.currentDirectoryPath, option: String = "--warehouse"
    ) throws {
        let expected = "expected bigquery://PROJECT[?location=US] or sqlite:///PATH.db (default \(Self.embeddedDefault))"
        func invalid(_ why: String) -> WarehouseError {
            WarehouseError(.invalidURL, "\(option) \(text): \(why); \(expected)")
        }
        if text.hasPrefix("bigquery://") {
            var rest = String(text.dropFirst("bigquery://".count))
            var location: String?
            if let question = rest.firstIndex(of: "?") {
                let query = rest[rest.index(after: question)...]
                rest = String(rest[..<question])
                for item in query.split(separator: "&") {
                    let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2, pair[0] == "location", !pair[1].isEmpty else {
                        throw invalid("unknown option \"\(item)\" (only location=… is understood)")
                    }
                    location = pair[1].removingPercentEncoding ?? pair[1]
                }
            }
            while rest.hasSuffix("/") { rest.removeLast() }
            guard !rest.isEmpty else { throw invalid("no project id") }
            if let problem = GoogleProject.problem(rest) { throw invalid("project id \"\(rest)\" \(problem)") }
            self = .bigquery(project: rest, location: location)
        } else if text.hasPrefix("sqlite://") {
            var path = String(text.dropFirst("sqlite://".count))
            path = path.removingPercentEncoding ?? path
            if path.hasPrefix("./") || path.hasPrefix("../") {
                path =
                    URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true)).standardizedFileURL
                    .path
            } else if !path.hasPrefix("/") {
                throw invalid(
                    "sqlite:// must be followed by an absolute path (sqlite:///data/warehouse.db) or ./ (sqlite://./warehouse.db)")
            }
            guard !path.hasSuffix("/"), !path.hasSuffix("/."), !path.hasSuffix("/..") else {
                throw invalid("the path names a folder, not a database file")
            }
            self = .sqlite(path: path)
        } else {
            throw invalid("unknown scheme")
        }
    }

    public var description: String {
        switch self {
        case .bigquery(let project, let location): "bigquery://\(project)" + (location.map { "?location=\($0)" } ?? "")
        case .sqlite(let path): "sqlite://\(path)"
        }
    }

    /// Which SQL the warehouse at this URL speaks.
    public var dialect: SQLDialect {
        switch self {
        case .bigquery: .bigquery
        case .sqlite: .sqlite
        }
    }
}

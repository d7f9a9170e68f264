import Foundation

/// Where a lake is: `gs://BUCKET[/PREFIX]` or `file:///ABSOLUTE/PATH` (`file://./RELATIVE` too).
public enum LakeURL: Sendable, Hashable, CustomStringConvertible {
    /// A Cloud Storage bucket; objects are named `prefix/NAME` (prefix without slashes at the ends).
    case gcs(bucket: String, prefix: String)
    /// A folder on this machine, as an absolute path.
    case folder(path: String)

    /// Parses a lake URL; relative `file://./x` paths resolve against `currentDirectory`.
    /// `option` names where the text came from, for the error message.
    public init(
        parsing text: String, currentDirectory: String = FileManager.default.currentDirectoryPath,
        option: String = "--lake"
    ) throws {
        let expected = "expected gs://BUCKET[/PREFIX] or file:///PATH"
        func invalid(_ why: String = "") -> LakeError {
            LakeError(.invalidURL, "\(option) \(text): \(why.isEmpty ? "" : why + "; ")\(expected)")
        }
        if text.hasPrefix("gs://") {
            let rest = text.dropFirst(5)
            let bucket = String(rest.prefix { $0 != "/" })
            let prefix = String(rest.dropFirst(bucket.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard !bucket.isEmpty else { throw invalid("no bucket name") }
            if let problem = Self.bucketNameProblem(bucket) { throw invalid("bucket name \"\(bucket)\" \(problem)") }
            if !prefix.isEmpty {
                do { try ObjectName.validate(prefix, lake: "gs://\(bucket)") } catch let error as LakeError {
                    throw invalid("the prefix is not a valid object name (\(error.message))")
                }
            }
            self = .gcs(bucket: bucket, prefix: prefix)
        } else if text.hasPrefix("file://") {
            var path = String(text.dropFirst(7))
            if path.hasPrefix("localhost/") { path.removeFirst("localhost".count) }
            path = path.removingPercentEncoding ?? path
            if path == "." || path.hasPrefix("./") || path.hasPrefix("../") || path == ".." {
                path =
                    URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
                    .standardizedFileURL.path
            } else if !path.hasPrefix("/") {
                throw invalid("file:// must be followed by an absolute path (file:///data/lake) or ./ (file://./lake)")
            }
            guard path != "/" else { throw invalid("the lake cannot be the root folder") }
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            self = .folder(path: path)
        } else {
            throw invalid()
        }
    }

    public var description: String {
        switch self {
        case .gcs(let bucket, let prefix): prefix.isEmpty ? "gs://\(bucket)" : "gs://\(bucket)/\(prefix)"
        case .folder(let path): "file://\(path)"
        }
    }

    /// Cloud Storage's bucket naming rules, or nil when the name follows them.
    static func bucketNameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard name.allSatisfy(allowed.contains) else {
            return "may contain only lowercase letters, digits, \"-\", \"_\" and \".\""
        }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "must start and end with a letter or digit"
        }
        let limit = name.contains(".") ? 222 : 63
        guard (3...limit).contains(name.count) else { return "must be 3 to \(limit) characters long" }
        return nil
    }
}

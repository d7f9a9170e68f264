import Foundation

/// The topic definitions of `topics/`: the seven entity topics and the dead-letter topic.
public struct TopicCatalog: Sendable {
    public var definitions: [TopicDefinition]
    public let directory: URL

    /// Loads every `*.json` in `directory` and checks that each entity topic and
    /// the dead-letter topic are defined exactly once.
    public static func load(directory: URL) throws -> TopicCatalog {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw CatalogError(
                "cannot read the topic definitions in \(directory.path): \(error.localizedDescription); pass --topics DIR pointing at the repository's topics/ folder"
            )
        }
        var defs: [TopicDefinition] = []
        let decoder = JSONDecoder()
        for file in files {
            do {
                defs.append(try decoder.decode(TopicDefinition.self, from: Data(contentsOf: file)))
            } catch {
                throw CatalogError("\(file.path) is not a valid topic definition: \(error)")
            }
        }
        let names = defs.map(\.name)
        for required in Entity.allCases.map(\.topic) + [Entity.deadLetterTopic] where !names.contains(required) {
            throw CatalogError(
                "\(directory.path) has no definition of \(required); expected one file per topic (customers.json … shipping.json, dlq.json)"
            )
        }
        if Set(names).count != names.count {
            throw CatalogError("\(directory.path) defines a topic twice: \(names.sorted().joined(separator: ", "))")
        }
        for d in defs where d.partitions < 1 || d.replicationFactor < 1 {
            throw CatalogError("\(d.name): partitions and replication_factor must be at least 1")
        }
        return TopicCatalog(definitions: defs, directory: directory)
    }

    /// `topics/` of this source checkout: where `swift run` finds it when the
    /// working directory is elsewhere.
    public static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("topics")
    }

    /// `./topics` if present, else the source checkout's.
    public static func defaultDirectory() -> URL {
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("topics")
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: local.path, isDirectory: &isDir), isDir.boolValue { return local }
        return sourceDirectory
    }

    public subscript(topic: String) -> TopicDefinition? { definitions.first { $0.name == topic } }
    public subscript(entity: Entity) -> TopicDefinition { self[entity.topic]! }
}

/// A problem with topics/ itself.
public struct CatalogError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

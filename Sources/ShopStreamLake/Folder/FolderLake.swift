import Foundation
import ShopStreamHTTP
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A lake in a local folder: each object is a file at `ROOT/NAME`, its description a JSON file
/// at `ROOT/.meta/NAME.json`. The embedded default (`file://./lake`).
///
/// Creating is atomic and create-only: the bytes and the description are written to hidden
/// temporary files and flushed first; then, holding a lock on the object's folder, the
/// description is moved into place and the object is hard-linked in with `link(2)`, which never
/// replaces an existing file. So a reader never sees half an object, an object that exists
/// always has its description, and an existing object is never overwritten. Names whose parts
/// begin with "." are reserved for those hidden files.
public final class FolderLake: Lake {
    /// An absolute path.
    public let root: String
    /// Whether files and folders are flushed to disk (`fsync`) before a create returns.
    public let durable: Bool
    public var url: String { LakeURL.folder(path: root).description }

    private var metaRoot: String { root + "/.meta" }

    /// Opens (creating if needed) the lake in folder `root`.
    public init(root: String, durable: Bool = true) throws {
        var root = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.durable = durable
        try FileSystem.ensureDirectory(root, durable: durable)
    }

    public func create(_ name: String, bytes: Data, contentType: String, metadata: [String: String]) throws -> StoredObject {
        try create(name, bytes: bytes, contentType: contentType, metadata: metadata, checksums: ObjectChecksums(of: bytes))
    }

    public func create(
        _ name: String, bytes: Data, contentType: String, metadata: [String: String], checksums: ObjectChecksums
    ) throws -> StoredObject {
        assert(checksums == ObjectChecksums(of: bytes), "the checksums handed to create are not those of its bytes")
        try validate(name)
        let object = StoredObject(
            name: name, size: bytes.count, md5: checksums.md5, crc32c: checksums.crc32c, contentType: contentType,
            metadata: metadata)
        // No look-up and no folder check before writing: nearly every create is of a new name in a
        // folder that exists, and a year's `run` makes ~13,000 of them. The look-up under the lock
        // below decides (a retried create of an existing object only writes two temporary files in
        // vain), and a missing folder shows as the first temporary file's ENOENT.
        let path = objectPath(name)
        let folder = FileSystem.parent(path)
        let sidecar = sidecarPath(name)
        let sidecarFolder = FileSystem.parent(sidecar)

        let unique = TemporaryName.next()
        let base = FileSystem.lastComponent(path)
        let temporary = "\(folder)/.\(base).\(unique).tmp"
        let temporarySidecar = "\(sidecarFolder)/.\(base).\(unique).tmp"
        var sidecarMoved = false
        defer {
            try? FileSystem.removeIfPresent(temporary)
            if !sidecarMoved { try? FileSystem.removeIfPresent(temporarySidecar) }
        }
        try FileSystem.writeNewFile(temporary, bytes, durable: durable, makingFolder: true)
        try FileSystem.writeNewFile(temporarySidecar, Sidecar(object).encoded(), durable: durable, makingFolder: true)

        return try FileSystem.withLockedDirectory(folder) {
            if let existing = try existing(name) { return try sameOrConflict(existing, object) }
            // The description first: a sidecar left by a crash before the link is simply replaced.
            guard rename(temporarySidecar, sidecar) == 0 else { throw FileSystem.failure("cannot move into place", sidecar) }
            sidecarMoved = true
            if durable { try FileSystem.syncDirectory(sidecarFolder) }
            guard link(temporary, path) == 0 else {
                let code = errno
                if code == EEXIST, let existing = try existing(name) { return try sameOrConflict(existing, object) }
                throw FileSystem.failure("cannot link into place", path, errno: code)
            }
            if durable { try FileSystem.syncDirectory(folder) }
            return object
        }
    }

    public func get(_ name: String) throws -> (bytes: Data, object: StoredObject) {
        try validate(name)
        guard let bytes = try FileSystem.read(objectPath(name)) else {
            throw LakeError(.notFound, "\(describe(name)) does not exist")
        }
        let object = try describeFile(name, bytes: bytes)
        if object.size != bytes.count || object.md5 != Digest.md5Base64(bytes) {
            throw LakeError(
                .corrupt,
                "\(describe(name)) holds \(bytes.count) bytes that do not match its recorded size \(object.size) and md5 \(object.md5 ?? "none"); the file was changed outside the lake"
            )
        }
        return (bytes, object)
    }

    public func head(_ name: String) throws -> StoredObject? {
        try validate(name)
        return try existing(name)
    }

    public func list(prefix: String) throws -> [StoredObject] {
        try ObjectName.validatePrefix(prefix, lake: url)
        // Start from the deepest folder the prefix names; filter the rest by name.
        let folderPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        var names: [String] = []
        func walk(_ relative: String) throws {
            for entry in try FileSystem.entries(relative.isEmpty ? root : root + "/" + relative) {
                let name = relative.isEmpty ? entry.name : relative + "/" + entry.name
                if entry.isDirectory {
                    if name.hasPrefix(prefix) || prefix.hasPrefix(name + "/") { try walk(name) }
                } else if name.hasPrefix(prefix) {
                    names.append(name)
                }
            }
        }
        try walk(folderPart)
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return try names.compactMap { try head($0) }
    }

    public func delete(_ name: String) throws {
        try validate(name)
        let path = objectPath(name)
        let folder = FileSystem.parent(path)
        guard try FileSystem.isFile(path) else { return }
        try FileSystem.withLockedDirectory(folder) {
            // The object first, so an object never exists without its description.
            try FileSystem.removeIfPresent(path)
            try FileSystem.removeIfPresent(sidecarPath(name))
            if durable { try FileSystem.syncDirectory(folder) }
        }
    }

    // MARK: Files

    private func validate(_ name: String) throws {
        try ObjectName.validate(name, lake: url)
        // A part that begins with ".": the name does, or a "/" is followed by one.
        let utf8 = name.utf8
        if utf8.first == UInt8(ascii: ".")
            || zip(utf8, utf8.dropFirst()).contains(where: { $0 == UInt8(ascii: "/") && $1 == UInt8(ascii: ".") })
        {
            throw LakeError(
                .invalidName,
                "object name \"\(name)\" in \(url) has a part beginning with \".\", which the folder lake keeps for its own files")
        }
    }

    /// `head` of a name already validated.
    private func existing(_ name: String) throws -> StoredObject? {
        guard try FileSystem.isFile(objectPath(name)) else { return nil }
        return try describeFile(name, bytes: nil)
    }

    private func objectPath(_ name: String) -> String { root + "/" + name }
    private func sidecarPath(_ name: String) -> String { metaRoot + "/" + name + ".json" }
    private func describe(_ name: String) -> String { "file://" + objectPath(name) }

    private func sameOrConflict(_ existing: StoredObject, _ new: StoredObject) throws -> StoredObject {
        if existing.hasSameBytes(as: new) { return existing }
        throw LakeError(
            .alreadyExists,
            "\(describe(new.name)) already exists with different bytes (\(existing.size) bytes, md5 \(existing.md5 ?? "none")) than this create (\(new.size) bytes, md5 \(new.md5 ?? "none")); lake objects are create-only"
        )
    }

    /// The object's description from its sidecar; for a file put there by hand (no sidecar), one
    /// computed from its bytes.
    private func describeFile(_ name: String, bytes: Data?) throws -> StoredObject {
        if let json = try FileSystem.read(sidecarPath(name)) {
            guard let sidecar = try? JSONDecoder().decode(Sidecar.self, from: json) else {
                throw LakeError(
                    .corrupt,
                    "the description \(sidecarPath(name)) of \(describe(name)) is not valid JSON; delete both files or restore them")
            }
            return sidecar.object(name: name)
        }
        guard let data = try bytes ?? FileSystem.read(objectPath(name)) else {
            throw LakeError(.notFound, "\(describe(name)) does not exist")
        }
        return StoredObject(
            name: name, size: data.count, md5: Digest.md5Base64(data), crc32c: CRC32C.base64(data),
            contentType: "application/octet-stream")
    }
}

/// Names for temporary files that no other create, in this process or another, live or crashed,
/// uses: a token drawn once a process (pids repeat, in containers from one run to the next) and a
/// count. A `UUID()` a create cost three system calls (open, read, close of /dev/urandom).
enum TemporaryName {
    private static let process = "\(getpid())-\(UUID().uuidString)"
    private static let count = Atomic<Int>(0)

    static func next() -> String {
        "\(process)-\(count.add(1, ordering: .relaxed).newValue)"
    }
}

/// What `.meta/NAME.json` holds.
struct Sidecar: Codable {
    var size: Int
    var md5: String?
    var crc32c: String?
    var contentType: String
    var metadata: [String: String]

    init(_ object: StoredObject) {
        size = object.size
        md5 = object.md5
        crc32c = object.crc32c
        contentType = object.contentType
        metadata = object.metadata
    }

    func object(name: String) -> StoredObject {
        StoredObject(name: name, size: size, md5: md5, crc32c: crc32c, contentType: contentType, metadata: metadata)
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX calls the folder lake needs, each checked, failures as `LakeError`s that name
/// the path and the system's reason.
enum FileSystem {
    static func failure(_ what: String, _ path: String, errno code: Int32 = errno) -> LakeError {
        let reason = String(cString: strerror(code))
        let advice: String
        switch code {
        case EACCES, EPERM, EROFS: advice = "; check the folder's permissions"
        case ENOSPC, EDQUOT: advice = "; free some disk space"
        case ENOTDIR, EEXIST: advice = "; an object name is used both as an object and as a folder"
        default: advice = ""
        }
        return LakeError(.storage, "\(what) \(path): \(reason)\(advice)")
    }

    /// The folder that holds `path`: what comes before its last "/" ("/" for a path right under the
    /// root, "" for a bare name) — NSString's `deletingLastPathComponent` for the paths the lake
    /// makes (absolute or relative, no trailing "/", no empty parts), without its cost: on Linux
    /// ~40,000 instructions a call, ~8 % of all the bronze sink did.
    static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    }

    /// What comes after the last "/" of `path` (all of it when there is none).
    static func lastComponent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// `mkdir -p`, making each new folder durable in its parent.
    static func ensureDirectory(_ path: String, durable: Bool) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw failure("cannot use folder", path, errno: ENOTDIR) }
            return
        }
        let parent = Self.parent(path)
        if parent != path && !parent.isEmpty { try ensureDirectory(parent, durable: durable) }
        if mkdir(path, 0o755) != 0 {
            if errno == EEXIST { return try ensureDirectory(path, durable: durable) }
            throw failure("cannot create folder", path)
        }
        if durable { try syncDirectory(parent) }
    }

    /// Writes a new file (never an existing one) and, if `durable`, flushes it to disk. With
    /// `makingFolder`, a missing folder is made (`ensureDirectory`) when the create finds it missing
    /// rather than looked up before: a create in a folder that exists costs no extra call.
    static func writeNewFile(_ path: String, _ data: Data, durable: Bool, makingFolder: Bool = false) throws {
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT && makingFolder {
            try ensureDirectory(parent(path), durable: durable)
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw failure("cannot create", path) }
        var closed = false
        defer { if !closed { close(fd) } }
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write", path)
                }
                offset += written
            }
        }
        if durable && fsync(fd) != 0 { throw failure("cannot flush", path) }
        closed = true
        if close(fd) != 0 { throw failure("cannot close", path) }
    }

    /// The whole file, or nil if it does not exist.
    static func read(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("cannot open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot stat", path) }
        guard info.st_mode & S_IFMT == S_IFREG else { return nil }
        var data = Data(count: Int(info.st_size))
        var total = 0
        try data.withUnsafeMutableBytes { bytes in
            while total < bytes.count {
                let count = Glibc.read(fd, bytes.baseAddress! + total, bytes.count - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot read", path)
                }
                if count == 0 { break }
                total += count
            }
        }
        // Never truncated or appended to once linked in, so a short read means a shorter file.
        return total == data.count ? data : data.prefix(total)
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return false }
            throw failure("cannot stat", path)
        }
        return info.st_mode & S_IFMT == S_IFREG
    }

    static func removeIfPresent(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT && errno != ENOTDIR { throw failure("cannot remove", path) }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open folder", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw failure("cannot flush folder", path) }
    }

    /// Runs `body` holding an exclusive `flock` on the folder: every writer of the names in one
    /// folder takes it, across threads and processes.
    static func withLockedDirectory<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open folder", path) }
        defer { close(fd) }  // also releases the lock
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw failure("cannot lock folder", path) }
        }
        return try body()
    }

    /// Entries of a folder that do not start with "." (those are the lake's own), with whether
    /// each is a folder. Empty if the folder does not exist.
    static func entries(_ path: String) throws -> [(name: String, isDirectory: Bool)] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw failure("cannot list folder", path)
        }
        defer { closedir(dir) }
        var result: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
                var info = stat()
                guard stat(path + "/" + name, &info) == 0 else { continue }
                isDirectory = info.st_mode & S_IFMT == S_IFDIR
            }
            result.append((name, isDirectory))
        }
        return result
    }
}

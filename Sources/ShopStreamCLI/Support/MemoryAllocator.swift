import Cjemalloc

/// The process's memory allocator: jemalloc, linked into this executable so that it serves every
/// allocation in place of glibc's. With glibc's, the silver sink spent an eighth of its cycles in
/// the allocator (objects made on the validation threads and freed on the reading thread, which
/// glibc hands back to the arena they came from); with jemalloc a 300,000-event backlog lands
/// 5–27 % faster on 8–30 % less CPU (BENCHMARKS.md, "The allocator").
enum MemoryAllocator {
    /// `jemalloc <version>`, as `--version` says it.
    static var description: String {
        var version: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return "jemalloc" }
        return "jemalloc \(String(cString: version))"
    }
}

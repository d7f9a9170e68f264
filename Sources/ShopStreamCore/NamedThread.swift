import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a thread that runs `body` under `name`, the one way ShopStream starts a thread.
///
/// The name is what `top -H`, `ps -L`, `perf` and a debugger show for the thread, so a profile or
/// a stuck process says which part is busy. Foundation's `Thread.name` does not reach the kernel
/// on Linux when set before `start()`, so the thread names itself as its first act. Linux keeps
/// the first 15 bytes: put what tells threads apart first ("silver-insert-0", not "shopstream
/// silver insert thread 0").
///
/// `stackSize` in bytes; nil keeps Foundation's default (512 KiB for secondary threads on Linux).
@discardableResult
public func startThread(named name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) -> Thread {
    let thread = Thread {
        nameCurrentThread(name)
        body()
    }
    thread.name = name
    if let stackSize { thread.stackSize = stackSize }
    thread.start()
    return thread
}

/// Names the calling thread for the kernel (see `startThread(named:stackSize:_:)`).
public func nameCurrentThread(_ name: String) {
    #if canImport(Glibc)
        // Glibc's pthread_setname_np is not visible to Swift (it needs _GNU_SOURCE); a thread may
        // write its own name to /proc/thread-self/comm (proc(5)), which the kernel cuts to 15 bytes.
        // Cut here at a whole UTF-8 character instead. A failure leaves the name unchanged: harmless.
        var bytes: [UInt8] = []
        for character in name {
            guard bytes.count + character.utf8.count <= 15 else { break }
            bytes += character.utf8
        }
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    #elseif canImport(Darwin)
        _ = pthread_setname_np(name)
    #endif
}

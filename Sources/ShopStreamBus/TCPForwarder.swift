import Foundation
import ShopStreamCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Forwards every TCP connection on a fixed loopback port to another loopback
/// port. It gives the embedded broker a well-known bootstrap address
/// (librdkafka's mock cluster picks random ports); after bootstrap, clients
/// connect to the addresses the cluster advertises in its metadata.
public final class TCPForwarder: Sendable {
    public let listenPort: Int
    private let targetPort: Int
    private let listener: Int32
    private let isStopped = Atomic<Bool>(false)
    /// Signalled by the accept loop once it has closed the listener.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    public init(listenPort: Int, targetPort: Int) throws {
        self.listenPort = listenPort
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw KafkaError(.broker, "cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = loopback(port: listenPort)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw KafkaError(
                .broker,
                "cannot listen on 127.0.0.1:\(listenPort): \(reason); is another broker running there? Pick another with --port, or --port 0"
            )
        }
        listener = fd
        startThread(named: "bootstrap-fwd") { [self] in acceptLoop() }
    }

    /// Stops accepting and returns once the port is closed; open connections end when either
    /// side closes. The accept loop closes the listener itself: closed here, before the loop's
    /// thread has run, the descriptor's number could be reused by another socket the loop would
    /// then accept on.
    public func stop() {
        guard !isStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopEnded.wait()
    }

    deinit { stop() }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopEnded.signal()
        }
        while true {
            let client = accept(listener, nil, nil)
            if isStopped.load(ordering: .acquiring) {
                if client >= 0 { close(client) }
                return
            }
            if client < 0 {
                // Only stop() ends the loop (it owns the descriptor until then); out of
                // descriptors or memory, wait a moment and accept again.
                if errno != EINTR && errno != ECONNABORTED { usleep(10_000) }
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = loopback(port: targetPort)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard ok == 0 else { close(client); close(upstream); continue }
            let pair = SocketPair(client, upstream)
            pump(from: client, to: upstream, pair)
            pump(from: upstream, to: client, pair)
        }
    }

    private func pump(from source: Int32, to sink: Int32, _ pair: SocketPair) {
        startThread(named: "forwarder-pump") {
            var buffer = [UInt8](repeating: 0, count: 65536)
            outer: while true {
                let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                var sent = 0
                while sent < n {
                    let w = buffer.withUnsafeBytes { write(sink, $0.baseAddress! + sent, n - sent) }
                    if w <= 0 { break outer }
                    sent += w
                }
            }
            // Half-close so the other direction ends too; the last pump closes both.
            shutdown(sink, Int32(SHUT_WR))
            shutdown(source, Int32(SHUT_RD))
            pair.finishOne()
        }
    }
}

/// Opens a TCP connection to a loopback port and closes it at once: wakes a server polling its
/// listener (`EmbeddedBroker`'s mock cluster).
func connectAndClose(loopbackPort port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return }
    var addr = loopback(port: port)
    _ = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    close(fd)
}

private func loopback(port: Int) -> sockaddr_in {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return addr
}

/// Both sockets of one forwarded connection, closed once both directions ended.
private final class SocketPair: Sendable {
    private let a: Int32, b: Int32
    private let finished = Atomic<Int>(0)
    init(_ a: Int32, _ b: Int32) { self.a = a; self.b = b }
    func finishOne() {
        if finished.add(1, ordering: .acquiringAndReleasing).newValue == 2 { close(a); close(b) }
    }
}

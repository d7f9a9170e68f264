import Foundation
import ShopStreamBus
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

final class TCPForwarderTests: XCTestCase {
    func testBytesGoThroughToTheTargetAndBack() throws {
        let target = try LoopbackListener()
        let forwarder = try TCPForwarder(listenPort: freePort(), targetPort: target.port)
        defer { forwarder.stop() }
        let client = try connectLoopback(forwarder.listenPort)
        defer { close(client) }
        let upstream = try XCTUnwrap(target.accept(within: 5), "the forwarder never connected to the target")
        defer { close(upstream) }
        XCTAssertEqual(send(client, "ping"), 4)
        XCTAssertEqual(receive(upstream, 4), "ping")
        XCTAssertEqual(send(upstream, "pong"), 4)
        XCTAssertEqual(receive(client, 4), "pong")
    }

    func testAfterStopThePortRefusesConnections() throws {
        let target = try LoopbackListener()
        let port = freePort()
        let forwarder = try TCPForwarder(listenPort: port, targetPort: target.port)
        forwarder.stop()
        XCTAssertThrowsError(try connectLoopback(port)) { error in
            XCTAssertEqual((error as? POSIXError)?.code, .ECONNREFUSED, "\(error)")
        }
    }

    /// stop() used to close the listener itself; a loop thread that had not yet run then called
    /// accept on whatever socket reused the descriptor's number, and took its connections.
    func testAStoppedForwarderNeverAcceptsConnectionsMeantForAnotherSocket() throws {
        let target = try LoopbackListener()
        for _ in 0..<20 {
            let forwarder = try TCPForwarder(listenPort: freePort(), targetPort: target.port)
            forwarder.stop()
            let other = try LoopbackListener()
            let client = try connectLoopback(other.port)
            defer { close(client) }
            let accepted = other.accept(within: 2)
            XCTAssertNotNil(accepted, "a connection to another listener was taken by a stopped forwarder")
            if let accepted { close(accepted) }
        }
    }
}

/// A listening loopback socket the test accepts on by hand.
private final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code)!)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        // Non-blocking, so a connection taken by someone else between poll and accept is a nil, not a hang.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// The next connection, or nil when none arrives in time.
    func accept(within seconds: Double) -> Int32? {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, Int32(seconds * 1000)) == 1 else { return nil }
        let connection = Glibc.accept(descriptor, nil, nil)
        return connection >= 0 ? connection : nil
    }
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

private func connectLoopback(_ port: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        let code = errno
        close(descriptor)
        throw POSIXError(POSIXErrorCode(rawValue: code)!)
    }
    return descriptor
}

private func send(_ descriptor: Int32, _ text: String) -> Int {
    Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

private func receive(_ descriptor: Int32, _ count: Int) -> String {
    var bytes = [UInt8](repeating: 0, count: count)
    var received = 0
    while received < count {
        let n = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, count - received, 0) }
        if n <= 0 { break }
        received += n
    }
    return String(decoding: bytes[0..<received], as: UTF8.self)
}

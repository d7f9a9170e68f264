import Foundation
import ShopStreamHTTP
import XCTest

final class ChecksumTests: XCTestCase {
    /// The values Cloud Storage (fake-gcs-server) reported for an object holding "hello\n".
    func testChecksumsMatchWhatCloudStorageReports() {
        let data = Data("hello\n".utf8)
        XCTAssertEqual(Digest.md5Base64(data), "sZRqySSS0jR8YjW00mERhA==")
        XCTAssertEqual(CRC32C.base64(data), "NT3Yvg==")
    }

    func testKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Data("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(
            Digest.sha256(Data()).map { String(format: "%02x", $0) }.joined(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var crc = CRC32C()
        crc.update(Data("1234".utf8))
        crc.update(Data("56789".utf8))
        XCTAssertEqual(crc.value, 0xE306_9283, "incremental updates give the same checksum")
    }

    /// RFC 3720's (iSCSI's) CRC-32C examples, and nothing at all.
    func testCRC32COfNothingAndOfRFC3720sExamples() {
        XCTAssertEqual(CRC32C.checksum(Data()), 0)
        XCTAssertEqual(CRC32C.base64(Data()), "AAAAAA==")
        var nothing = CRC32C()
        nothing.update(Data())
        XCTAssertEqual(nothing.value, 0, "an empty update leaves the checksum alone")
        XCTAssertEqual(CRC32C.checksum(Data(repeating: 0, count: 32)), 0x8A91_36AA, "32 zero bytes")
        XCTAssertEqual(CRC32C.checksum(Data(repeating: 0xFF, count: 32)), 0x62A8_AB43, "32 bytes of 0xFF")
        XCTAssertEqual(CRC32C.checksum(Data((0..<32).map { UInt8($0) })), 0x46DD_794E, "0, 1, … 31")
        XCTAssertEqual(CRC32C.checksum(Data((0..<32).reversed().map { UInt8($0) })), 0x113F_DB5C, "31, 30, … 0")
    }

    /// Sixteen bytes a step gives what the slicing-by-8 it replaced gave, on buffers the size of
    /// bronze objects and larger, at every alignment, whole or in pieces.
    func testCRC32CAgreesWithTheSlicingBy8ItReplacedOnLongBuffers() {
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<(1 << 20) + 17).map { _ in UInt8.random(in: 0...255, using: &generator) })
        XCTAssertEqual(CRC32C.checksum(bytes), slicingBy8(bytes), "1 MiB + 17 bytes")
        for offset in 0..<17 {
            for length in [27_000, 27_001, 27_015, 65_537] {
                let slice = bytes.subdata(in: offset..<(offset + length))
                XCTAssertEqual(CRC32C.checksum(slice), slicingBy8(slice), "\(length) bytes from offset \(offset)")
            }
        }
        let object = bytes.prefix(27_013)
        for cut in [0, 1, 7, 15, 16, 17, 4_099, 27_012, 27_013] {
            var crc = CRC32C()
            crc.update(object.prefix(cut))
            crc.update(object.dropFirst(cut))
            XCTAssertEqual(crc.value, slicingBy8(object), "updated in two pieces cut at \(cut)")
        }
    }

    /// Sixteen bytes at a time gives what one byte at a time gives, at every length and alignment.
    func testCRC32CAgreesWithTheBytewiseDefinitionAtEveryLengthAndOffset() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        func bytewise(_ data: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in data {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        for offset in 0..<17 {
            for length in 0...(bytes.count - offset) {
                let slice = bytes[offset..<(offset + length)]
                XCTAssertEqual(CRC32C.checksum(Data(slice)), bytewise(slice), "\(length) bytes from offset \(offset)")
            }
        }
    }

    /// The slicing-by-8 implementation CRC32C had until December 2026 (eight byte loads a step),
    /// kept as the reference its replacement must agree with.
    private func slicingBy8(_ data: Data) -> UInt32 {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[index] = crc
        }
        for k in 1..<8 {
            for index in 0..<256 {
                let previous = t[(k - 1) * 256 + index]
                t[k * 256 + index] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        var crc: UInt32 = 0xFFFF_FFFF
        let bytes = [UInt8](data)
        var i = 0
        while bytes.count - i >= 8 {
            let lo = crc ^ (UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
            let hi = UInt32(bytes[i + 4]) | UInt32(bytes[i + 5]) << 8 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 24
            var next = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
            next ^= t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
            next ^= t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
            next ^= t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
            crc = next
            i += 8
        }
        while i < bytes.count {
            crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        return ~crc
    }
}

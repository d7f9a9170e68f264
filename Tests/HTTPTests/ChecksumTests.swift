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

    /// Eight bytes at a time gives what one byte at a time gives, at every length and alignment.
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
        for offset in 0..<9 {
            for length in 0...(bytes.count - offset) {
                let slice = bytes[offset..<(offset + length)]
                XCTAssertEqual(CRC32C.checksum(Data(slice)), bytewise(slice), "\(length) bytes from offset \(offset)")
            }
        }
    }
}

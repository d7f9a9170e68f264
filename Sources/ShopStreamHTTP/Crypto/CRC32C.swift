import Foundation

/// CRC-32C (Castagnoli), the checksum Cloud Storage reports as `crc32c`.
public struct CRC32C: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Sixteen bytes a step through sixteen tables ("slicing-by-16"), read as two little-endian
    /// words, the rest one byte at a time: bronze checksums every object it stores. About 1.8
    /// times slicing-by-8 with byte loads (2.4 against 1.35 GB/s on 27 KB, release build). The
    /// crc32 instruction of SSE4.2 would be faster still, but Swift cannot enable a CPU feature
    /// for one function behind a run-time check (the intrinsic does not compile without
    /// `-msse4.2` for the whole module), so this stays portable.
    public mutating func update(_ data: Data) {
        var crc = ~value
        data.withUnsafeBytes { bytes in
            Self.tables.withUnsafeBufferPointer { table in
                let t = table.baseAddress!
                let count = bytes.count
                var i = 0
                while count - i >= 16 {
                    let a = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ UInt64(crc)
                    let b = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                    // Byte k of the sixteen goes through table 15 - k.
                    var next = t[15 * 256 + Int(a & 0xFF)] ^ t[14 * 256 + Int(a >> 8 & 0xFF)]
                    next ^= t[13 * 256 + Int(a >> 16 & 0xFF)] ^ t[12 * 256 + Int(a >> 24 & 0xFF)]
                    next ^= t[11 * 256 + Int(a >> 32 & 0xFF)] ^ t[10 * 256 + Int(a >> 40 & 0xFF)]
                    next ^= t[9 * 256 + Int(a >> 48 & 0xFF)] ^ t[8 * 256 + Int(a >> 56)]
                    next ^= t[7 * 256 + Int(b & 0xFF)] ^ t[6 * 256 + Int(b >> 8 & 0xFF)]
                    next ^= t[5 * 256 + Int(b >> 16 & 0xFF)] ^ t[4 * 256 + Int(b >> 24 & 0xFF)]
                    next ^= t[3 * 256 + Int(b >> 32 & 0xFF)] ^ t[2 * 256 + Int(b >> 40 & 0xFF)]
                    next ^= t[1 * 256 + Int(b >> 48 & 0xFF)] ^ t[Int(b >> 56)]
                    crc = next
                    i += 16
                }
                while i < count {
                    crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                    i += 1
                }
            }
        }
        value = ~crc
    }

    /// The checksum of `data`.
    public static func checksum(_ data: Data) -> UInt32 {
        var crc = CRC32C()
        crc.update(data)
        return crc.value
    }

    /// Base64 of the big-endian checksum, as in Cloud Storage's `crc32c` field.
    public static func base64(_ data: Data) -> String {
        let value = checksum(data)
        return Data([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
            .base64EncodedString()
    }

    /// Table k at k × 256: the checksum of a byte followed by k zero bytes; table 0 is the
    /// classic byte-at-a-time table (reflected polynomial 0x82F63B78).
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 16 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[index] = crc
        }
        for k in 1..<16 {
            for index in 0..<256 {
                let previous = t[(k - 1) * 256 + index]
                t[k * 256 + index] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()
}

import Foundation
import ShopStreamHTTP

/// The checksums a lake keeps for an object's bytes, base64-encoded as Cloud Storage reports
/// them. A writer that needs one of them itself (bronze puts the CRC-32C in the object's
/// metadata) computes them once and hands them to `Lake.create(_:bytes:contentType:metadata:checksums:)`
/// rather than have the lake compute them again: each is a pass over every byte stored.
public struct ObjectChecksums: Sendable, Hashable {
    /// MD5, as Cloud Storage's `md5Hash`.
    public var md5: String
    /// CRC-32C, big-endian, as Cloud Storage's `crc32c`.
    public var crc32c: String

    public init(md5: String, crc32c: String) {
        self.md5 = md5
        self.crc32c = crc32c
    }

    /// The checksums of `bytes`.
    public init(of bytes: Data) {
        md5 = Digest.md5Base64(bytes)
        crc32c = CRC32C.base64(bytes)
    }
}

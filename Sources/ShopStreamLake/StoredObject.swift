/// The description of an object in a lake.
public struct StoredObject: Sendable, Hashable {
    /// Relative to the lake (without a `gs://` prefix).
    public var name: String
    /// In bytes.
    public var size: Int
    /// MD5 of the bytes, base64-encoded as Cloud Storage's `md5Hash` (nil for composite objects).
    public var md5: String?
    /// CRC-32C of the bytes, base64-encoded big-endian as Cloud Storage's `crc32c`.
    public var crc32c: String?
    public var contentType: String
    /// Custom metadata given at creation.
    public var metadata: [String: String]
    /// Cloud Storage's generation; nil in a folder lake.
    public var generation: Int64?

    public init(
        name: String, size: Int, md5: String?, crc32c: String? = nil, contentType: String,
        metadata: [String: String] = [:], generation: Int64? = nil
    ) {
        self.name = name
        self.size = size
        self.md5 = md5
        self.crc32c = crc32c
        self.contentType = contentType
        self.metadata = metadata
        self.generation = generation
    }

    /// Whether both describe the same bytes (same size and MD5).
    public func hasSameBytes(as other: StoredObject) -> Bool {
        size == other.size && md5 != nil && md5 == other.md5
    }
}

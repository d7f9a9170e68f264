/// An object resource as the JSON API returns it (the fields the lake uses).
struct GCSObject: Decodable {
    var name: String
    /// Decimal, as a string.
    var size: String?
    var md5Hash: String?
    var crc32c: String?
    var contentType: String?
    var metadata: [String: String]?
    /// Decimal, as a string.
    var generation: String?
}

/// One page of `objects.list`.
struct GCSObjectList: Decodable {
    var items: [GCSObject]?
    var nextPageToken: String?
}

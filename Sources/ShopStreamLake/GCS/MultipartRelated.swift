import Foundation
import ShopStreamCore

/// A `multipart/related` upload body: the object's JSON resource, then its bytes.
struct MultipartRelated {
    /// The object resource sent ahead of the bytes: what `create` sets.
    struct Resource {
        var name: String
        var contentType: String
        var metadata: [String: String]
        var md5Hash: String
        var crc32c: String

        /// The resource as JSON, keys sorted. Written by hand: `JSONSerialization` of the same
        /// dictionary (through `Any`, sorting its keys with ICU comparisons) was 15 % of a bronze
        /// sink's CPU, which shares the machine with the storage server it uploads to.
        var json: String {
            let members = metadata.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + JSONText.quoted($0.value) }
            return "{\"contentType\":\(JSONText.quoted(contentType)),\"crc32c\":\(JSONText.quoted(crc32c)),"
                + "\"md5Hash\":\(JSONText.quoted(md5Hash)),\"metadata\":{\(members.joined(separator: ","))},"
                + "\"name\":\(JSONText.quoted(name))}"
        }
    }

    let contentType: String
    let body: Data

    init(resource: Resource, media: Data, mediaType: String) {
        var boundary: String
        repeat {
            // 128 random bits in hex (a UUID's text rewritten through NSString cost 2.5 % of a
            // bronze sink's CPU).
            boundary = "shopstream-" + Self.hex(UInt64.random(in: .min ... .max)) + Self.hex(UInt64.random(in: .min ... .max))
        } while Self.contains(media, Array(boundary.utf8))
        var body = Data()
        let json = resource.json
        body.reserveCapacity(media.count + json.utf8.count + 256)
        body.append(Data("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8))
        body.append(Data(json.utf8))
        body.append(Data("\r\n--\(boundary)\r\nContent-Type: \(mediaType)\r\n\r\n".utf8))
        body.append(media)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        self.body = body
        contentType = "multipart/related; boundary=\(boundary)"
    }

    /// Sixteen lowercase hex digits.
    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Whether `needle` occurs in `haystack`: `memchr` to each candidate first byte, then `memcmp`.
    /// `Data.range(of:)` searched through NSData's generic code (3.5 % of a bronze sink's CPU, for a
    /// boundary that is never there); Glibc's `memmem` is not visible to Swift.
    static func contains(_ haystack: Data, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                guard let base = h.baseAddress, h.count >= n.count else { return false }
                let lastStart = h.count - n.count
                var from = 0
                while from <= lastStart {
                    guard let hit = memchr(base + from, Int32(first), lastStart - from + 1) else { return false }
                    if memcmp(hit, n.baseAddress!, n.count) == 0 { return true }
                    from = base.distance(to: UnsafeRawPointer(hit)) + 1
                }
                return false
            }
        }
    }
}

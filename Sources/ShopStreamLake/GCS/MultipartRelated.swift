import Foundation

/// A `multipart/related` upload body: the object's JSON resource, then its bytes.
struct MultipartRelated {
    let contentType: String
    let body: Data

    init(metadata: [String: Any], media: Data, mediaType: String) throws {
        let json = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys, .withoutEscapingSlashes])
        var boundary: String
        repeat {
            boundary = "shopstream-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        } while media.range(of: Data(boundary.utf8)) != nil
        var body = Data()
        body.reserveCapacity(media.count + json.count + 256)
        body.append(Data("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8))
        body.append(json)
        body.append(Data("\r\n--\(boundary)\r\nContent-Type: \(mediaType)\r\n\r\n".utf8))
        body.append(media)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        self.body = body
        contentType = "multipart/related; boundary=\(boundary)"
    }
}

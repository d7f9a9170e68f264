import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver

/// A message the silver sink could not accept, with why; published to `shop.dlq`
/// (as topics/dlq.json describes) and kept in `silver.rejects`.
struct DeadLetter: Sendable {
    var sourceTopic: String
    var sourcePartition: Int32
    var sourceOffset: Int64
    /// One sentence that names the field, e.g. `quantity: 0 is below the minimum 1`.
    var reason: String
    /// The field at fault, or nil for the whole message.
    var field: String?
    var payload: [UInt8]
    var headers: [KafkaHeader]
    /// Wall-clock UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    var rejectedAt: String

    /// `shop.sales+3+1024`: where the original is.
    var key: String { "\(sourceTopic)+\(sourcePartition)+\(sourceOffset)" }

    /// The envelope published to the dead-letter topic.
    func envelope() -> [UInt8] {
        let (text, encoding) = SilverRow.payloadText(payload)
        var out = "{\"source_topic\":\(JSONText.quoted(sourceTopic)),\"source_partition\":\(sourcePartition),\"source_offset\":\(sourceOffset)"
        out += ",\"reason\":\(JSONText.quoted(reason)),\"field\":\(field.map(JSONText.quoted) ?? "null")"
        out += ",\"payload\":\(JSONText.quoted(text)),\"payload_encoding\":\"\(encoding)\",\"headers\":["
        // topics/dlq.json: a header value as UTF-8 text, base64 when it is not UTF-8.
        out += headers.map { h in
            "{\"key\":\(JSONText.quoted(h.name)),\"value\":\(JSONText.quoted(String(validating: h.value, as: UTF8.self) ?? Data(h.value).base64EncodedString()))}"
        }.joined(separator: ",")
        out += "],\"rejected_at\":\(JSONText.quoted(rejectedAt))}"
        return Array(out.utf8)
    }
}


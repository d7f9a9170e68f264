import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamSilver

/// A message the silver sink could not accept, with why; published to `shop.dlq`
/// (as topics/dlq.json describes) and kept in `silver.rejects`.
struct DeadLetter: Sendable {
    var source: SourceCoordinates
    /// One sentence that names the field, e.g. `quantity: 0 is below the minimum 1`.
    var reason: String
    /// The field at fault, or nil for the whole message.
    var field: String?
    var payload: [UInt8]
    var headers: [KafkaHeader]
    /// Wall-clock UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    var rejectedAt: String

    /// `shop.sales+3+1024` (Kafka) or `shop.sales+<message id>` (Pub/Sub): where the original is.
    var key: String { source.key }

    /// The envelope published to the dead-letter topic.
    func envelope() -> [UInt8] {
        let (text, encoding) = SilverRow.payloadText(payload)
        func number<T: BinaryInteger>(_ v: T?) -> String { v.map { String($0) } ?? "null" }
        var out = "{\"source_topic\":\(JSONText.quoted(source.topic)),\"source_partition\":\(number(source.partition))"
        out += ",\"source_offset\":\(number(source.offset)),\"source_message_id\":\(JSONText.quoted(source.messageId))"
        out += ",\"source_delivery_attempt\":\(number(source.deliveryAttempt))"
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

extension DeadLetter {
    /// The most of a rejected value a dead letter carries, and silver.rejects keeps. A letter must
    /// fit one Kafka message (librdkafka and brokers allow about 1 MB by default) even when JSON
    /// escapes every byte six-fold (`\u0000`); a larger letter could not be published, and the
    /// sink would stop on it, and on it again after every restart. The record stays whole at its
    /// coordinates.
    static let maxPayloadBytes = 100_000

    /// `payload` cut to `maxPayloadBytes` (at a character boundary when it is UTF-8, so it stays
    /// text), and `reason` saying so, within the dead-letter schema's 1000 characters.
    static func bounded(_ payload: [UInt8], reason: String, source: String) -> (payload: [UInt8], reason: String) {
        guard payload.count > maxPayloadBytes else { return (payload, reason) }
        var end = maxPayloadBytes
        if String(validating: payload, as: UTF8.self) != nil {
            while end > 0 && payload[end] & 0xC0 == 0x80 { end -= 1 }
        }
        let note =
            " [payload cut to its first \(NumberText.grouped(end)) of \(NumberText.grouped(payload.count)) bytes; the record is whole at \(source)]"
        let room = 1000 - note.count
        let kept = reason.count <= room ? reason : String(reason.prefix(room - 1)) + "…"
        return (Array(payload[..<end]), kept + note)
    }
}

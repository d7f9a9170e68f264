import Foundation
import ShopStreamCore

extension EventValidator {
    /// The header that names how the value is encoded (Kafka Connect and HTTP proxies write it).
    public static let contentTypeHeader = "content-type"

    /// What a record says about an accepted value besides the value, held against it: a record
    /// whose key or headers say something false is refused, because its producer is wrong about
    /// it and nothing it carries can be trusted blindly.
    ///
    /// - The key is the text of the value's key field (topics/<entity>.json `key`): a sale, its
    ///   payments and its shipment share a partition, in order, only if it is. No key is no match.
    /// - A `content-type` header (any case) names JSON: `application/json` or `application/…+json`,
    ///   with no charset but UTF-8.
    /// - `shopstream-sent-at`, the send time the latency metrics are measured from, appears at most
    ///   once, as whole milliseconds since 1970 between `rules.earliest` and now + `rules.futureTolerance`.
    ///
    /// Other headers (tracing, …) make no claim about the value; they go with the row's dead
    /// letter as they are. The field of a header violation is `header:<name>`.
    ///
    /// Inlinable, so the sink's loop over its own header type is specialized (a generic
    /// sequence's iterator, called through witnesses, cost more than the checks); the checks
    /// themselves are `checkKey` and `checkHeader`.
    @inlinable
    public func checkRecord(
        key: [UInt8]?, headers: some Sequence<(name: String, value: [UInt8])>,
        of event: ValidatedEvent, now: Date
    ) -> Violation? {
        if let lie = checkKey(key, of: event) { return lie }
        var sentAt = 0
        for (name, value) in headers {
            if let lie = checkHeader(name, value, sentAt: &sentAt, now: now) { return lie }
        }
        return nil
    }

    /// The key against the text of the value's key field.
    @usableFromInline
    func checkKey(_ key: [UInt8]?, of event: ValidatedEvent) -> Violation? {
        let topic = schema.topics[event.entity]!
        var id = event.text(at: topic.keyPosition) ?? ""
        if let key, key.count == id.utf8.count,
            id.isEmpty || id.withUTF8({ id in key.withUnsafeBufferPointer { memcmp($0.baseAddress!, id.baseAddress!, id.count) == 0 } })
        {
            return nil
        }
        let said = key.map { "the record key is \(EventValidator.shown($0))" } ?? "the record has no key"
        return Violation(
            field: topic.keyField, rule: .key, value: JSONText.quoted(id),
            message: "\(JSONText.quoted(id)) is not the record key: \(said) (\(event.entity.topic) is keyed by \(topic.keyField))")
    }

    /// One header; `sentAt` counts the `shopstream-sent-at` headers seen so far.
    @usableFromInline
    func checkHeader(_ name: String, _ value: [UInt8], sentAt: inout Int, now: Date) -> Violation? {
        // Most headers are not content-type: its length rules them out before any lowercasing.
        if name.utf8.count == EventValidator.contentTypeHeader.utf8.count, name.lowercased() == EventValidator.contentTypeHeader,
            let lie = contentTypeLie(value)
        {
            return Violation(
                field: "header:" + name, rule: .header, value: EventValidator.shown(value),
                message: "\(EventValidator.shown(value)) \(lie)")
        }
        guard name == SentAt.header else { return nil }
        sentAt += 1
        if sentAt > 1 {
            return Violation(
                field: "header:" + name, rule: .header, value: nil, message: "appears more than once; a record is sent once")
        }
        if let lie = sentAtLie(value, now: now) {
            return Violation(
                field: "header:" + name, rule: .header, value: EventValidator.shown(value),
                message: "\(EventValidator.shown(value)) \(lie)")
        }
        return nil
    }

    private func contentTypeLie(_ value: [UInt8]) -> String? {
        guard let text = String(validating: value, as: UTF8.self) else { return "is not text" }
        let parts = text.lowercased().split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let type = parts[0]
        guard type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) else {
            return "says the value is not JSON; it is JSON (application/json)"
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0] == "charset" else { continue }
            let charset = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if charset != "utf-8" && charset != "utf8" { return "says the value is in \(charset); it is UTF-8" }
        }
        return nil
    }

    private func sentAtLie(_ value: [UInt8], now: Date) -> String? {
        guard !value.isEmpty, value.count <= 15, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let ms = Int64(String(decoding: value, as: UTF8.self))
        else {
            return "is not whole milliseconds since 1970"
        }
        let micros = ms * 1000
        if micros < SanityRules.micros(rules.earliest) {
            return
                "(\(CivilTime.timestampText(utcMicros: micros))) is before \(CivilTime.timestampText(utcMicros: SanityRules.micros(rules.earliest)))"
        }
        if micros > SanityRules.micros(now) + SanityRules.micros(rules.futureTolerance) {
            return
                "(\(CivilTime.timestampText(utcMicros: micros))) is more than \(SanityRules.describe(rules.futureTolerance)) in the future (now \(CivilTime.timestampText(utcMicros: SanityRules.micros(now))))"
        }
        return nil
    }

    /// Bytes for a message: JSON text of their UTF-8 reading, cut to 80 characters.
    private static func shown(_ bytes: [UInt8]) -> String {
        let text = JSONText.quoted(String(decoding: bytes.prefix(200), as: UTF8.self))
        return text.count > 80 ? String(text.prefix(79)) + "…" : text
    }
}

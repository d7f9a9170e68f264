import Foundation
import ShopStreamBus
import ShopStreamCore
import TestSupport

/// One message of the bad-input corpus: what is wrong with it, where it is published, and what
/// its dead letter must say.
struct BadInput {
    /// What is wrong, for failure messages and the report.
    var kind: String
    var entity: Entity = .sales
    var value: [UInt8]
    /// The record key: nil for the value's key field (as the generator keys it), `.some(nil)` for none.
    var key: [UInt8]?? = nil
    /// Headers after the corpus' own.
    var headers: [KafkaHeader] = []
    /// The field the reason names (nil: the message as a whole, `(root)`).
    var field: String?
    /// The rule, as the `shopstream-reason` header and the statistics name it.
    var rule: String
    /// How the reason must begin after `<field>: `, when the wording matters.
    var says: String? = nil
}

/// The corpus, built from one good event of each entity as the generator published it: every
/// broken message differs from a good one in the one way its kind says, so it is rejected for
/// that reason and no other.
struct BadInputCorpus {
    /// One good event of each entity (text as published), to break.
    let good: [Entity: String]
    /// The record key of each good event.
    let goodKey: [Entity: [UInt8]]
    let now: Date

    /// `json` with its members' values replaced (`nil` removes one) and a fresh event_id, so a
    /// variant is never a duplicate of what it was made from.
    func edit(_ entity: Entity, _ edits: [(String, String?)] = []) -> String {
        var json = with(good[entity]!, "event_id", "\"\(UUID().uuidString.lowercased())\"")
        for (field, raw) in edits { json = with(json, field, raw) }
        return json
    }

    func bytes(_ entity: Entity, _ edits: [(String, String?)] = []) -> [UInt8] { Array(edit(entity, edits).utf8) }

    /// The sale with its salesperson's value written as these raw bytes (inside the quotes).
    func saleWithSalesperson(_ raw: [UInt8]) -> [UInt8] {
        let marker = "SALESPERSON-MARKER"
        let text = edit(.sales, [("salesperson", "\"\(marker)\"")])
        let parts = text.components(separatedBy: marker)
        return Array(parts[0].utf8) + raw + Array(parts[1].utf8)
    }

    /// `date` in Pakistan Standard Time as the generator writes event_time, and its day.
    func pkt(_ date: Date) -> (time: String, day: String) {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 5 * 3600)
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"
        let time = f.string(from: date)
        return (time, String(time.prefix(10)))
    }

    /// A field's string value in a good event.
    func value(_ entity: Entity, _ field: String) -> String {
        let object = try! JSONSerialization.jsonObject(with: Data(good[entity]!.utf8)) as! [String: Any]
        return object[field] as! String
    }

    /// The day before `day` (YYYY-MM-DD).
    static func dayBefore(_ day: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: f.date(from: day)!.addingTimeInterval(-86_400))
    }

    /// At least forty kinds of bad input, each rejected for its own reason.
    func kinds() -> [BadInput] {
        let sale = good[.sales]!
        let future = pkt(now.addingTimeInterval(3 * 86_400))
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let saleId = value(.sales, "sale_id")
        var duplicateKey = edit(.sales)
        duplicateKey.removeLast()
        duplicateKey += #","quantity":2}"#  // the sale's own quantity first, then another
        let tenMegabytes = with(edit(.sales), "promotion", "\"" + String(repeating: "x", count: 10 << 20) + "\"")
        let shipped = value(.shipping, "shipped_date")

        return [
            // The message as a whole
            BadInput(
                kind: "truncated JSON", value: Array(sale.utf8.prefix(sale.utf8.count / 2)), field: nil, rule: "json",
                says: "not valid JSON: "),
            BadInput(
                kind: "bytes that are not UTF-8", value: [0xFF, 0xFE, 0x7B], field: nil, rule: "utf8", says: "not valid UTF-8 (byte 0)"),
            // RFC 8259 §8.1: a JSON text is not preceded by a byte-order mark; a producer that adds one
            // is not writing the contract, and a lenient reader would hide it.
            BadInput(
                kind: "a UTF-8 byte-order mark before the document", value: [0xEF, 0xBB, 0xBF] + bytes(.sales), field: nil, rule: "json",
                says: "not valid JSON: unexpected byte 0xEF at byte 0"),
            BadInput(
                kind: "a raw NUL byte inside a string", value: saleWithSalesperson(Array("Umar".utf8) + [0x00] + Array("Anwar".utf8)),
                field: nil, rule: "json", says: "not valid JSON: unescaped control character in a string"),
            BadInput(
                kind: "a NUL byte after the document (a C string's terminator)", value: bytes(.sales) + [0x00], field: nil, rule: "json",
                says: "not valid JSON: unexpected byte 0x0 after the document"),
            BadInput(kind: "an overlong UTF-8 encoding", value: saleWithSalesperson([0xC0, 0xAF]), field: nil, rule: "utf8"),
            BadInput(
                kind: "a surrogate encoded in UTF-8 (CESU-8)", value: saleWithSalesperson([0xED, 0xA0, 0x80]), field: nil, rule: "utf8"),
            BadInput(
                kind: "a lone surrogate escape", value: bytes(.sales, [("salesperson", #""Umar \ud800""#)]), field: nil, rule: "json",
                says: "not valid JSON: lone surrogate in a \\u escape"),
            // Which of two values is meant cannot be known: refuse rather than let the last (or first) win.
            BadInput(
                kind: "a duplicate key with another value", value: Array(duplicateKey.utf8), field: nil, rule: "json",
                says: "not valid JSON: duplicate member \"quantity\""),
            BadInput(
                kind: "JSON nested 100,000 deep",
                value: Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8),
                field: nil, rule: "json", says: "not valid JSON: nesting deeper than 64"),
            BadInput(
                kind: "a 10 MB message", value: Array(tenMegabytes.utf8), field: nil, rule: "size",
                says: "message is \(NumberText.grouped(tenMegabytes.utf8.count)) bytes, over the limit of 1,048,576 bytes"),
            BadInput(kind: "an empty value (a tombstone)", value: [], field: nil, rule: "json", says: "not valid JSON: empty message"),
            BadInput(
                kind: "the JSON literal null", value: Array("null".utf8), field: nil, rule: "type", says: "null is not of type object"),
            BadInput(kind: "an array instead of an object", value: Array("[\(edit(.sales))]".utf8), field: nil, rule: "type"),
            BadInput(
                kind: "a customer on shop.sales", value: Array(edit(.customers).utf8), key: .some(goodKey[.sales]!),
                field: "sale_id", rule: "required", says: "missing (required)"),

            // Numbers at and past their bounds (at the bound: the good events between these)
            BadInput(
                kind: "quantity 0, below the minimum 1", value: bytes(.sales, [("quantity", "0")]), field: "quantity", rule: "minimum"),
            BadInput(
                kind: "quantity 51, above the maximum 50", value: bytes(.sales, [("quantity", "51")]), field: "quantity", rule: "maximum"),
            BadInput(
                kind: "quantity 1e400", value: bytes(.sales, [("quantity", "1e400")]), field: "quantity", rule: "maximum",
                says: "1e400 is above the maximum 50"),
            BadInput(
                kind: "a number whose exponent no decimal holds", value: bytes(.sales, [("quantity", "1e99999999")]), field: "quantity",
                rule: "cast", says: "1e99999999 is too large a number to handle"),
            BadInput(
                kind: "money too large for NUMERIC", value: bytes(.sales, [("unit_price", "1e30")]), field: "unit_price", rule: "cast",
                says: "1e30 has more than 29 digits before the decimal point (NUMERIC)"),
            BadInput(
                kind: "money with three decimals", value: bytes(.sales, [("unit_price", "2299.005")]), field: "unit_price",
                rule: "multipleOf"),
            BadInput(kind: "negative money", value: bytes(.sales, [("unit_price", "-5")]), field: "unit_price", rule: "minimum"),
            BadInput(
                kind: "a discount a paisa below zero", value: bytes(.sales, [("discount", "-0.01")]), field: "discount", rule: "minimum"),
            BadInput(
                kind: "money a paisa past the sane maximum",
                value: bytes(
                    .sales, [("quantity", "1"), ("unit_price", "100000000.01"), ("discount", "0.00"), ("total_price", "100000000.01")]),
                field: "unit_price", rule: "range", says: "100000000.01 is above the sane maximum 100000000"),
            BadInput(
                kind: "a total a paisa off",
                value: bytes(.sales, [("quantity", "2"), ("unit_price", "1499.00"), ("discount", "0.00"), ("total_price", "2998.01")]),
                field: "total_price", rule: "consistency",
                says: "2998.01 is not quantity × unit_price − discount = 2 × 1499.00 − 0.00 = 2998.00"),
            BadInput(
                kind: "a discount larger than the line",
                value: bytes(.sales, [("quantity", "1"), ("unit_price", "100.00"), ("discount", "200.00"), ("total_price", "0.00")]),
                field: "total_price", rule: "consistency",
                says: "0.00 is not quantity × unit_price − discount = 1 × 100.00 − 200.00 = -100.00"),
            BadInput(
                kind: "an integer past INT64", entity: .inventory, value: bytes(.inventory, [("stock_level", "9223372036854775808")]),
                field: "stock_level", rule: "cast", says: "9223372036854775808 does not fit in INT64"),

            // Ids and text
            BadInput(kind: "a missing customer_id", value: bytes(.sales, [("customer_id", nil)]), field: "customer_id", rule: "required"),
            BadInput(
                kind: "a field the contract does not have", value: bytes(.sales, [("colour", #""red""#)]), field: "colour",
                rule: "additionalProperties"),
            BadInput(kind: "an empty customer_id", value: bytes(.sales, [("customer_id", #""""#)]), field: "customer_id", rule: "pattern"),
            BadInput(
                kind: "an unknown customer",
                value: bytes(.sales, [("customer_id", #""CUS-99999999""#), ("sale_id", #""SAL-9999999999""#)]),
                field: "customer_id", rule: "reference", says: "unknown customers id CUS-99999999"),
            BadInput(
                kind: "an unknown product", value: bytes(.sales, [("product_id", #""PRD-9999""#)]), field: "product_id", rule: "reference"),
            BadInput(kind: "an unknown store", value: bytes(.sales, [("store_id", #""STR-99""#)]), field: "store_id", rule: "reference"),
            BadInput(
                kind: "a payment of an unknown sale", entity: .payments, value: bytes(.payments, [("sale_id", #""SAL-9999999998""#)]),
                field: "sale_id", rule: "reference"),
            BadInput(
                kind: "an id with a trailing line break", value: bytes(.sales, [("customer_id", #""CUS-00000001\n""#)]),
                field: "customer_id", rule: "pattern"),
            BadInput(
                kind: "an id in Arabic-Indic digits",
                value: bytes(.sales, [("customer_id", "\"CUS-\u{660}\u{660}\u{660}\u{660}\u{660}\u{660}\u{660}\u{661}\"")]),
                field: "customer_id", rule: "pattern"),
            BadInput(
                kind: "a channel not in the list", value: bytes(.sales, [("channel", #""Carrier Pigeon""#)]), field: "channel", rule: "enum"
            ),
            BadInput(
                kind: "a salesperson of 101 characters",
                value: bytes(.sales, [("salesperson", "\"" + String(repeating: "ü", count: 101) + "\"")]),
                field: "salesperson", rule: "maxLength"),
            BadInput(
                kind: "an empty salesperson", value: bytes(.sales, [("salesperson", #""""#)]), field: "salesperson", rule: "minLength"),
            BadInput(
                kind: "a NUL character in a name", value: bytes(.sales, [("salesperson", #""Umar\u0000Anwar""#)]), field: "salesperson",
                rule: "control",
                says: #""Umar\u0000Anwar" holds the control character U+0000"#),
            BadInput(
                kind: "a 200 KB value in a field",
                value: bytes(.sales, [("promotion", "\"" + String(repeating: "x", count: 200_000) + "\"")]),
                field: "promotion", rule: "enum"),
            BadInput(
                kind: "an event_id that is not a lowercase v4 UUID", value: bytes(.sales, [("event_id", "\"\(UUID().uuidString)\"")]),
                field: "event_id", rule: "pattern"),
            BadInput(kind: "the same event again, after it landed", value: Array(sale.utf8), field: "event_id", rule: "duplicate"),

            // Times: zones, formats, the future and the past
            BadInput(
                kind: "an event_time without a UTC offset",
                value: bytes(.sales, [("event_time", #""2025-03-21T00:01:38.974""#), ("sale_date", #""2025-03-21""#)]),
                field: "event_time", rule: "format"),
            BadInput(
                kind: "an event_time offset without a colon",
                value: bytes(.sales, [("event_time", #""2025-03-21T00:01:38.974+0500""#), ("sale_date", #""2025-03-21""#)]),
                field: "event_time", rule: "format"),
            BadInput(
                kind: "an event_time with a zone name",
                value: bytes(.sales, [("event_time", #""2025-03-21T00:01:38.974 PKT""#), ("sale_date", #""2025-03-21""#)]),
                field: "event_time", rule: "format"),
            BadInput(
                kind: "an event_time as epoch milliseconds", value: bytes(.sales, [("event_time", "1742497298974")]), field: "event_time",
                rule: "type"),
            BadInput(
                kind: "an event_time in UTC with the sale_date of Pakistan",
                value: bytes(.sales, [("event_time", #""2025-03-20T21:00:00.000Z""#), ("sale_date", #""2025-03-21""#)]),
                field: "sale_date", rule: "consistency", says: "2025-03-21 is not the date of event_time 2025-03-20T21:00:00.000Z"),
            BadInput(
                kind: "an event three days in the future",
                value: bytes(.sales, [("event_time", "\"\(future.time)\""), ("sale_date", "\"\(future.day)\"")]),
                field: "event_time", rule: "range", says: "\(future.time) is more than 1 day in the future"),
            BadInput(
                kind: "an event from the last century",
                value: bytes(.sales, [("event_time", #""1999-12-31T23:59:59.999+05:00""#), ("sale_date", #""1999-12-31""#)]),
                field: "event_time", rule: "range", says: "1999-12-31T23:59:59.999+05:00 is before 2000-01-01T00:00:00.000000Z"),
            BadInput(
                kind: "a time before 0001-01-01 in UTC",
                value: bytes(.sales, [("event_time", #""0001-01-01T00:00:00.000+05:00""#), ("sale_date", #""0001-01-01""#)]),
                field: "event_time", rule: "cast"),
            BadInput(kind: "30 February", value: bytes(.sales, [("sale_date", #""2025-02-30""#)]), field: "sale_date", rule: "format"),
            BadInput(
                kind: "a date without dashes", value: bytes(.sales, [("sale_date", #""20250321""#)]), field: "sale_date", rule: "format"),
            BadInput(
                kind: "a leap second",
                value: bytes(.sales, [("event_time", #""2025-03-21T04:59:60.000+05:00""#), ("sale_date", #""2025-03-21""#)]),
                field: "event_time", rule: "format"),
            BadInput(
                kind: "an event_time in nanoseconds",
                value: bytes(.sales, [("event_time", #""2025-03-21T00:01:38.974123456+05:00""#), ("sale_date", #""2025-03-21""#)]),
                field: "event_time", rule: "pattern"),

            // What the record says beside its value
            BadInput(
                kind: "a key that disagrees with the value's sale_id", value: bytes(.sales), key: .some(Array("SAL-0000000000".utf8)),
                field: "sale_id", rule: "key",
                says: "\"\(saleId)\" is not the record key: the record key is \"SAL-0000000000\" (shop.sales is keyed by sale_id)"),
            BadInput(kind: "no key", value: bytes(.sales), key: .some(nil), field: "sale_id", rule: "key"),
            BadInput(
                kind: "a payment keyed by its own id", entity: .payments, value: bytes(.payments),
                key: .some(Array(value(.payments, "payment_id").utf8)), field: "sale_id", rule: "key"),
            BadInput(
                kind: "a content-type header that says Avro", value: bytes(.sales),
                headers: [KafkaHeader("content-type", "application/avro")],
                field: "header:content-type", rule: "header", says: #""application/avro" says the value is not JSON"#),
            BadInput(
                kind: "a content-type header that says UTF-16", value: bytes(.sales),
                headers: [KafkaHeader("Content-Type", "application/json; charset=utf-16")],
                field: "header:Content-Type", rule: "header"),
            BadInput(
                kind: "a send time that is not a time", value: bytes(.sales), headers: [KafkaHeader(SentAt.header, "yesterday")],
                field: "header:shopstream-sent-at", rule: "header", says: #""yesterday" is not whole milliseconds since 1970"#),
            BadInput(
                kind: "a send time a year ahead", value: bytes(.sales),
                headers: [KafkaHeader(SentAt.header, String(nowMs + 365 * 86_400_000))],
                field: "header:shopstream-sent-at", rule: "header"),
            BadInput(
                kind: "two send times", value: bytes(.sales),
                headers: [KafkaHeader(SentAt.header, String(nowMs)), KafkaHeader(SentAt.header, String(nowMs - 1))],
                field: "header:shopstream-sent-at", rule: "header"),

            // The other entities' own rules
            BadInput(
                kind: "a customer of 15", entity: .customers, value: bytes(.customers, [("age", "15")]), field: "age", rule: "minimum"),
            BadInput(
                kind: "a customer of 91", entity: .customers, value: bytes(.customers, [("age", "91")]), field: "age", rule: "maximum"),
            BadInput(
                kind: "a delivery promised before shipping", entity: .shipping,
                value: bytes(.shipping, [("expected_delivery_date", "\"\(BadInputCorpus.dayBefore(shipped))\"")]),
                field: "expected_delivery_date", rule: "consistency"),
            BadInput(
                kind: "a completed payment without paid_at", entity: .payments,
                value: bytes(.payments, [("status", #""Completed""#), ("paid_at", "null")]),
                field: "paid_at", rule: "consistency", says: "missing for a Completed payment"),
            BadInput(
                kind: "an inventory id of another pair", entity: .inventory,
                value: bytes(.inventory, [("inventory_id", #""STR-01:PRD-9999""#)]),
                field: "inventory_id", rule: "consistency"),
        ]
    }

    /// Every JSON type the contract does not allow, in every field of a sale: each refused as a type
    /// violation of that field (from topics/sales.json, so it follows the contract).
    func wrongTypes(_ definition: TopicDefinition) -> [BadInput] {
        guard case .object(let root) = definition.valueSchema, case .object(let properties)? = root["properties"] else { return [] }
        let samples: [(type: String, raw: String)] = [
            ("null", "null"), ("boolean", "true"), ("integer", "7"), ("number", "1.5"),
            ("string", #""x""#), ("array", "[]"), ("object", "{}"),
        ]
        var out: [BadInput] = []
        for name in properties.keys.sorted() {
            guard case .object(let schema)? = properties[name] else { continue }
            let allowed: [String]
            switch schema["type"] {
            case .string(let t)?: allowed = [t]
            case .array(let ts)?: allowed = ts.compactMap(\.stringValue)
            default: allowed = []
            }
            for (type, raw) in samples {
                let fits = allowed.contains(type) || (type == "integer" && allowed.contains("number"))
                guard !fits else { continue }
                out.append(
                    BadInput(
                        kind: "\(type) in \(name)", value: bytes(.sales, [(name, raw)]), key: .some(goodKey[.sales]!),
                        field: name, rule: "type", says: "\(raw) is not of type"))
            }
        }
        return out
    }

    /// Good events to publish between the bad ones, several at a bound of the contract.
    func goods(_ entity: Entity) -> [(value: [UInt8], headers: [KafkaHeader])] {
        guard entity == .sales else { return [(bytes(entity), [])] }
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        return [
            (bytes(.sales), []),
            (bytes(.sales, [("quantity", "50"), ("unit_price", "2.00"), ("discount", "0.00"), ("total_price", "100.00")]), []),
            (bytes(.sales, [("quantity", "1"), ("unit_price", "0.00"), ("discount", "0.00"), ("total_price", "0")]), []),
            (
                bytes(.sales, [("quantity", "1"), ("unit_price", "100000000.00"), ("discount", "0.00"), ("total_price", "100000000.00")]),
                []
            ),
            (bytes(.sales, [("salesperson", "\"" + String(repeating: "ü", count: 100) + "\"")]), []),
            (bytes(.sales, [("quantity", "5e1"), ("unit_price", "2"), ("discount", "-0.00"), ("total_price", "1.0e2")]), []),
            (bytes(.sales, [("event_time", #""2025-03-20T21:00:00.000Z""#), ("sale_date", #""2025-03-20""#)]), []),
            (bytes(.sales, [("salesperson", #""\u0055mar \"the seller\" Anwar \ud83d\ude00""#)]), []),
            (bytes(.sales), [KafkaHeader("content-type", "application/json; charset=utf-8"), KafkaHeader(SentAt.header, String(nowMs))]),
        ]
    }
}

import Foundation

/// Writes request bodies for BigQuery by hand: insertAll is the hot path (a batch of 500 rows is
/// about half a megabyte), and values must be encoded exactly as BigQuery reads them — INT64 and
/// NUMERIC as JSON strings so no digit is lost to a double, FLOAT64 as a number (`NaN` and
/// `Infinity` as strings).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func value(_ value: WarehouseValue) {
        switch value {
        case .null: raw("null")
        case .string(let text), .numeric(let text), .date(let text), .timestamp(let text): string(text)
        case .int64(let number): string(String(number))
        case .bool(let flag): flag ? raw("true") : raw("false")
        case .float64(let number):
            if number.isFinite {
                bytes.append(contentsOf: number.description.utf8)
            } else {
                string(FloatText.canonical(number))
            }
        }
    }

    /// `{"insertId":"…","json":{"column":value,…}}`, columns in name order.
    static func insertRow(_ row: WarehouseRow) -> [UInt8] {
        let values = row.values  // built once: a positional row makes its dictionary on each read
        var writer = JSONWriter(capacity: 64 + values.count * 32)
        writer.raw("{\"insertId\":")
        writer.string(row.insertId)
        writer.raw(",\"json\":{")
        var first = true
        for name in values.keys.sorted() {
            if !first { writer.raw(",") }
            first = false
            writer.string(name)
            writer.raw(":")
            writer.value(values[name]!)
        }
        writer.raw("}}")
        return writer.bytes
    }

    /// A JSON object body from a dictionary (for the small, non-hot requests).
    static func object(_ object: [String: Any]) -> Data {
        // Only strings, numbers, bools, arrays and dictionaries go in: this cannot fail.
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}

/// Reading BigQuery's answers.
enum JSONReader {
    static func object(_ data: Data) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Text for a query cell that is not a plain string (RECORD, REPEATED): its JSON.
    static func text(_ value: Any) -> String? {
        switch value {
        case is NSNull: return nil
        case let string as String: return string
        case let number as NSNumber: return number.stringValue
        default:
            guard JSONSerialization.isValidJSONObject(value),
                let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
            else {
                return "\(value)"
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}

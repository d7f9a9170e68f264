import Foundation

extension GCSObject {
    /// Reads an object resource (the answer to every upload and `objects.get`) straight from its
    /// bytes: only the fields the lake uses are kept, everything else (`acl`, `selfLink`, times) is
    /// stepped over unread. JSONDecoder took about 6 % of the bronze sink's CPU at 100 events an
    /// object, one answer per object stored. Strict JSON: a malformed answer throws, saying where.
    /// Throws `GCSObjectReadError`.
    init(resource body: Data) throws {
        let object = try body.withUnsafeBytes { raw in
            var reader = ResourceReader(bytes: raw.bindMemory(to: UInt8.self))
            return try reader.readObject()
        }
        guard let object else { throw GCSObjectReadError("the resource has no \"name\"") }
        self = object
    }
}

/// Why an object resource could not be read.
struct GCSObjectReadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A strict reader of one JSON object, keeping the string members `GCSObject` has.
private struct ResourceReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    /// The object's wanted members; nil when it has no `name`.
    mutating func readObject() throws(GCSObjectReadError) -> GCSObject? {
        var name: String?
        var size: String?
        var md5Hash: String?
        var crc32c: String?
        var contentType: String?
        var metadata: [String: String]?
        var generation: String?
        // A repeated key keeps its first value, as JSONDecoder does.
        var seen: Set<String> = []
        try members { (key, reader) throws(GCSObjectReadError) in
            guard seen.insert(key).inserted else { return try reader.skipValue(depth: 1) }
            switch key {
            case "name": name = try reader.optionalString(key)
            case "size": size = try reader.optionalString(key)
            case "md5Hash": md5Hash = try reader.optionalString(key)
            case "crc32c": crc32c = try reader.optionalString(key)
            case "contentType": contentType = try reader.optionalString(key)
            case "generation": generation = try reader.optionalString(key)
            case "metadata": metadata = try reader.stringMap(key)
            default: try reader.skipValue(depth: 1)
            }
        }
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected \(describeByte()) after the object") }
        return name.map {
            GCSObject(
                name: $0, size: size, md5Hash: md5Hash, crc32c: crc32c, contentType: contentType, metadata: metadata,
                generation: generation)
        }
    }

    /// Calls `body` with each key of the object that starts here, the reader placed at its value.
    private mutating func members(
        _ body: (String, inout ResourceReader) throws(GCSObjectReadError) -> Void
    ) throws(GCSObjectReadError) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipSpace()
            let key = try string()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            try body(key, &self)
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                i += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    private mutating func optionalString(_ key: String) throws(GCSObjectReadError) -> String? {
        if peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        guard peek() == UInt8(ascii: "\"") else { throw fail("\"\(key)\" is \(describeByte()), not a string") }
        return try string()
    }

    private mutating func stringMap(_ key: String) throws(GCSObjectReadError) -> [String: String]? {
        if peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        var map: [String: String] = [:]
        try members { (member, reader) throws(GCSObjectReadError) in
            guard reader.peek() == UInt8(ascii: "\"") else {
                throw reader.fail("\"\(key)\".\"\(member)\" is \(reader.describeByte()), not a string")
            }
            map[member] = try reader.string()
        }
        return map
    }

    /// Steps over any value.
    private mutating func skipValue(depth: Int) throws(GCSObjectReadError) {
        guard depth < 64 else { throw fail("nesting deeper than 64") }
        guard let next = peek() else { throw fail("a value cut short") }
        switch next {
        case UInt8(ascii: "{"):
            try members { (_, reader) throws(GCSObjectReadError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                skipSpace()
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Loose on the digits' grammar: a number's text is never kept.
            let start = i
            while i < bytes.count, Self.isNumberByte(bytes[i]) { i += 1 }
            if i == start + 1 && bytes[start] == UInt8(ascii: "-") { throw fail("a lone '-'") }
        default: throw fail("unexpected \(describeByte())")
        }
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default: return false
        }
    }

    /// A string starting at its opening quote, escapes resolved.
    private mutating func string() throws(GCSObjectReadError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = i
        // The common case, no escapes: one copy of the bytes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        guard i < bytes.count else { throw fail("a string that does not end") }
        if bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return try text(UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]))
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw fail("a string that does not end") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return try out.withUnsafeBufferPointer { (buffer) throws(GCSObjectReadError) in try text(buffer) }
            }
            guard b >= 0x20 else { throw fail("a control character in a string") }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw fail("a string that does not end") }
            let escaped = bytes[i]
            i += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("a lone high surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a high surrogate without its low half") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("a lone low surrogate") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw fail("an unknown escape '\\\(Character(Unicode.Scalar(escaped)))'")
            }
        }
    }

    private mutating func hex4() throws(GCSObjectReadError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("a \\u escape cut short") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw fail("a \\u escape with \(describeByte())")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    private func text(_ utf8: UnsafeBufferPointer<UInt8>) throws(GCSObjectReadError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
        return text
    }

    private mutating func literal(_ word: StaticString) throws(GCSObjectReadError) {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count, memcmp(bytes.baseAddress! + i, word.utf8Start, count) == 0 else {
            throw fail("unexpected \(describeByte())")
        }
        i += count
    }

    private mutating func expect(_ byte: UInt8) throws(GCSObjectReadError) {
        skipSpace()
        guard peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))', found \(describeByte())") }
        i += 1
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private func describeByte() -> String {
        guard i < bytes.count else { return "the end" }
        let b = bytes[i]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16, uppercase: true)
    }

    private func fail(_ message: String) -> GCSObjectReadError { GCSObjectReadError("\(message) at byte \(i)") }
}

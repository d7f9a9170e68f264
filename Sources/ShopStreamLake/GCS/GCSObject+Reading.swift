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
        // A repeated key keeps its first value, as JSONDecoder does: one bit a wanted key.
        var seen: UInt8 = 0
        try members { (key, reader) throws(GCSObjectReadError) in
            let wanted = Self.wanted.firstIndex { Self.equal(key, $0) }
            guard let wanted, seen & 1 << wanted == 0 else { return try reader.skipValue(depth: 1) }
            seen |= 1 << wanted
            let what = Self.wanted[wanted].description
            switch wanted {
            case 0: name = try reader.optionalString(what)
            case 1: size = try reader.optionalString(what)
            case 2: md5Hash = try reader.optionalString(what)
            case 3: crc32c = try reader.optionalString(what)
            case 4: contentType = try reader.optionalString(what)
            case 5: generation = try reader.optionalString(what)
            default: metadata = try reader.stringMap(what)
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

    /// The members kept, in `readObject`'s order.
    private static let wanted: [StaticString] = ["name", "size", "md5Hash", "crc32c", "contentType", "generation", "metadata"]

    private static func equal(_ key: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        key.count == word.utf8CodeUnitCount && (key.isEmpty || memcmp(key.baseAddress!, word.utf8Start, key.count) == 0)
    }

    /// Calls `body` with each key of the object that starts here (its UTF-8, escapes resolved),
    /// the reader placed at its value. Keys are not made into Strings: most are skipped.
    private mutating func members(
        _ body: (UnsafeBufferPointer<UInt8>, inout ResourceReader) throws(GCSObjectReadError) -> Void
    ) throws(GCSObjectReadError) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipSpace()
            let key = try scanString()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            if key.escaped {
                let resolved = try unescape(key.start..<key.end)
                try resolved.withUnsafeBufferPointer { (key) throws(GCSObjectReadError) in try body(key, &self) }
            } else {
                try body(UnsafeBufferPointer(rebasing: bytes[key.start..<key.end]), &self)
            }
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
            let member = try reader.text(member)
            guard reader.peek() == UInt8(ascii: "\"") else {
                throw reader.fail("\"\(key)\".\"\(member)\" is \(reader.describeByte()), not a string")
            }
            if map[member] == nil { map[member] = try reader.string() } else { _ = try reader.scanString() }
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
        case UInt8(ascii: "\""): _ = try scanString()
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
        let string = try scanString()
        guard string.escaped else { return try text(UnsafeBufferPointer(rebasing: bytes[string.start..<string.end])) }
        let resolved = try unescape(string.start..<string.end)
        return try resolved.withUnsafeBufferPointer { (buffer) throws(GCSObjectReadError) in try text(buffer) }
    }

    /// Steps over a string starting at its opening quote, checking its escapes; where its text
    /// lies between the quotes, and whether it has escapes. (UTF-8 is checked only in `text`, so
    /// not in strings skipped.)
    private mutating func scanString() throws(GCSObjectReadError) -> (start: Int, end: Int, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = i
        var escaped = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return (start, i - 1, escaped)
            }
            guard b >= 0x20 else { throw fail("a control character in a string") }
            i += 1
            guard b == UInt8(ascii: "\\") else { continue }
            escaped = true
            guard i < bytes.count else { break }
            switch bytes[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 1
            case UInt8(ascii: "u"):
                i += 1
                _ = try hex4()
            default: throw fail("an unknown escape '\\\(Character(Unicode.Scalar(bytes[i])))'")
            }
        }
        throw fail("a string that does not end")
    }

    /// The UTF-8 of string text already scanned (`scanString`), escapes resolved.
    private func unescape(_ range: Range<Int>) throws(GCSObjectReadError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(range.count)
        var reader = ResourceReader(bytes: bytes, i: range.lowerBound)
        while reader.i < range.upperBound {
            let b = bytes[reader.i]
            reader.i += 1
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            let escaped = bytes[reader.i]
            reader.i += 1
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try reader.hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard reader.i + 1 < range.upperBound, bytes[reader.i] == UInt8(ascii: "\\"),
                        bytes[reader.i + 1] == UInt8(ascii: "u")
                    else { throw reader.fail("a lone high surrogate") }
                    reader.i += 2
                    let low = try reader.hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw reader.fail("a high surrogate without its low half") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw reader.fail("a lone low surrogate") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: out.append(escaped)  // '"', '\\' and '/', as scanString let through
            }
        }
        return out
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

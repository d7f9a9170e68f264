import ShopStreamCore

/// Checks that bytes are one JSON document in valid UTF-8 with no line break, so
/// they can stand as a line of a JSON Lines file exactly as they are.
///
/// A small recursive-descent recogniser: it builds nothing, so it costs about as
/// much as reading the bytes once.
enum JSONLine {
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var r = Recogniser(bytes: bytes.bindMemory(to: UInt8.self))
        r.whitespace()
        guard r.value(depth: 0) else { return false }
        r.whitespace()
        return r.i == r.bytes.count
    }

    static func isValid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { isValid($0) } }

    struct Recogniser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func whitespace() {
            // Space and tab only: a CR or LF would split the line.
            while let c = peek, c == 0x20 || c == 0x09 { i += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < 64, let c = peek else { return false }
            switch c {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func object(depth: Int) -> Bool {
            i += 1
            whitespace()
            if peek == UInt8(ascii: "}") { i += 1; return true }
            while true {
                whitespace()
                guard peek == UInt8(ascii: "\""), string() else { return false }
                whitespace()
                guard peek == UInt8(ascii: ":") else { return false }
                i += 1
                whitespace()
                guard value(depth: depth + 1) else { return false }
                whitespace()
                guard let c = peek else { return false }
                i += 1
                if c == UInt8(ascii: "}") { return true }
                if c != UInt8(ascii: ",") { return false }
            }
        }

        mutating func array(depth: Int) -> Bool {
            i += 1
            whitespace()
            if peek == UInt8(ascii: "]") { i += 1; return true }
            while true {
                whitespace()
                guard value(depth: depth + 1) else { return false }
                whitespace()
                guard let c = peek else { return false }
                i += 1
                if c == UInt8(ascii: "]") { return true }
                if c != UInt8(ascii: ",") { return false }
            }
        }

        mutating func string() -> Bool {
            i += 1
            while i < bytes.count {
                // Eight bytes at a time (most of an event is string text), to the first that is not
                // plain: a control byte, DEL, non-ASCII, a quote or a backslash. Only the last few
                // bytes of the line go one by one.
                if i + 8 <= bytes.count {
                    let flags = JSONText.specialBytes(UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self))
                    if flags == 0 {
                        i += 8
                        continue
                    }
                    i += flags.trailingZeroBitCount / 8
                }
                let c = bytes[i]
                switch c {
                case UInt8(ascii: "\""):
                    i += 1
                    return true
                case UInt8(ascii: "\\"):
                    guard i + 1 < bytes.count else { return false }
                    let e = bytes[i + 1]
                    if e == UInt8(ascii: "u") {
                        guard i + 6 <= bytes.count else { return false }
                        for k in 2..<6 where !isHex(bytes[i + k]) { return false }
                        i += 6
                    } else {
                        guard "\"\\/bfnrt".utf8.contains(e) else { return false }
                        i += 2
                    }
                case 0..<0x20:
                    return false
                case 0x20..<0x80:
                    i += 1
                default:
                    guard let length = UTF8Check.scalarLength(bytes, at: i) else { return false }
                    i += length
                }
            }
            return false
        }

        mutating func number() -> Bool {
            let start = i
            if peek == UInt8(ascii: "-") { i += 1 }
            guard let first = peek, isDigit(first) else { return false }
            i += 1
            if first != UInt8(ascii: "0") { while let c = peek, isDigit(c) { i += 1 } }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard let c = peek, isDigit(c) else { return false }
                while let c = peek, isDigit(c) { i += 1 }
            }
            if let c = peek, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                i += 1
                if let s = peek, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
                guard let d = peek, isDigit(d) else { return false }
                while let d = peek, isDigit(d) { i += 1 }
            }
            return i > start
        }

        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
    }
}

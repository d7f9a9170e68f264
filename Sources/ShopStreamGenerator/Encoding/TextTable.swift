/// A slice of a `TextTable`.
struct TextRef: Equatable {
    var offset: Int32
    var count: Int32
}

/// All the fixed text of the simulation (names, cities, products, stores…),
/// JSON-escaped once and laid out in one allocation, so the encoder copies
/// bytes without touching a `String` or a reference count.
final class TextTable {
    let base: UnsafePointer<UInt8>
    let count: Int

    init(_ builder: Builder) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, builder.bytes.count))
        p.initialize(from: builder.bytes, count: builder.bytes.count)
        base = UnsafePointer(p)
        count = builder.bytes.count
    }

    deinit { base.deallocate() }

    func string(_ ref: TextRef) -> String {
        String(decoding: UnsafeBufferPointer(start: base + Int(ref.offset), count: Int(ref.count)), as: UTF8.self)
    }

    struct Builder {
        fileprivate var bytes: [UInt8] = []
        private var interned: [String: TextRef] = [:]

        /// Adds `text` as the content of a JSON string (escaped, without quotes).
        mutating func add(_ text: String) -> TextRef {
            if let ref = interned[text] { return ref }
            let start = bytes.count
            JSONEscaping.appendEscaped(text, to: &bytes)
            let ref = TextRef(offset: Int32(start), count: Int32(bytes.count - start))
            interned[text] = ref
            return ref
        }
    }
}

enum JSONEscaping {
    /// Appends `text` escaped for use inside a JSON string (RFC 8259 §7):
    /// quote, backslash and control characters; other UTF-8 passes through.
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for b in text.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
    }
}

/// Protocol Buffers' wire format, the few parts the Storage Write API needs: written by hand
/// rather than generated, since we send six message types and read four, and swift-protobuf's
/// plugin would add minutes to every clean build (see BENCHMARKS.md, "Storage Write").
///
/// Field numbers and types come from googleapis' `google/cloud/bigquery/storage/v1/*.proto`
/// and `google/protobuf/descriptor.proto`; each message below names its source.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    mutating func tag(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// An `int64`/`int32`/`enum`/`bool` field (negative numbers take ten bytes, as the format says).
    mutating func int(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) { int(field, value ? 1 : 0) }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func data(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A nested message, written by `body` into this buffer and then prefixed with its length.
    mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        body(&inner)
        data(field, inner.bytes)
    }
}

/// Reads a message's fields in order; unknown fields are skipped, as the format requires.
struct ProtoReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)

        var int: Int64? { if case .varint(let v) = self { return Int64(bitPattern: v) } else { return nil } }
        var data: ArraySlice<UInt8>? { if case .bytes(let b) = self { return b } else { return nil } }
        var string: String? { data.map { String(decoding: $0, as: UTF8.self) } }
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private let bytes: ArraySlice<UInt8>
    private var at: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        at = bytes.startIndex
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// The last value of `field` in `bytes` (a later one wins, as the format says), or nil.
    static func value(of field: Int, in bytes: ArraySlice<UInt8>) throws -> Value? {
        var reader = ProtoReader(bytes)
        var found: Value?
        while let (f, v) = try reader.next() {
            if f == field { found = v }
        }
        return found
    }

    /// The next field, or nil at the end.
    mutating func next() throws -> (field: Int, value: Value)? {
        guard at < bytes.endIndex else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1:
            let raw = try take(8)
            return (field, .fixed64(raw.reversed().reduce(0) { $0 << 8 | UInt64($1) }))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - at) else { throw Malformed(description: "a field runs past the message's end") }
            return (field, .bytes(try take(Int(length))))
        case 5:
            let raw = try take(4)
            return (field, .fixed32(raw.reversed().reduce(0) { $0 << 8 | UInt32($1) }))
        default:
            throw Malformed(description: "wire type \(key & 7) is not one this reader knows")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while at < bytes.endIndex {
            let b = bytes[at]
            at += 1
            guard shift < 64 else { break }
            value |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        throw Malformed(description: "a varint is cut short or longer than ten bytes")
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - at else { throw Malformed(description: "a field runs past the message's end") }
        defer { at += count }
        return bytes[at..<at + count]
    }
}

import ShopStreamCore

/// The hot path of validation: one pass over a message's bytes straight into its topic's column
/// slots, with no JSON tree and no String per key. Each key is matched as bytes against the
/// compiled topic's field names; each value is read where it lies and checked and cast by the
/// same code the tree path uses (`SchemaNode.validate`, `EventValidator.cast`).
///
/// It only ever says yes: anything it does not take on the spot (an escape in a key or a value, a
/// control character or a C2 lead byte in a value, a nested value, an unknown, repeated or
/// missing member, a value its field refuses, bad syntax) makes it answer nil, and the message
/// goes down the tree path, which finds and words every reason. So what is accepted, refused and why is the tree path's by construction, as long as
/// this accepts only what the tree path accepts, with the same values: FuzzTests holds the two
/// paths to the same verdict on every case.
struct ColumnScanner: Sendable {
    let columns: [CompiledTopic.ColumnPlan]
    /// The UTF-8 bytes of every column name, one after another; name `k` is
    /// `nameBytes[nameStarts[k]..<nameStarts[k + 1]]`.
    private let nameBytes: [UInt8]
    private let nameStarts: [Int]
    /// A bit per column whose member is required.
    private let requiredMask: UInt64

    /// nil when the topic's root schema says more than the scan checks (more than 64 fields, an
    /// `enum` or `const` on the object, a required name with no property): those take the tree path.
    init?(root: SchemaNode, columns: [CompiledTopic.ColumnPlan]) {
        guard columns.count <= 64, root.enumValues == nil, root.constValue == nil,
            columns.map(\.name) == root.properties.map(\.name)
        else { return nil }
        var mask: UInt64 = 0
        for name in root.required {
            guard let k = columns.firstIndex(where: { $0.name == name }) else { return nil }
            mask |= 1 << UInt64(k)
        }
        var bytes: [UInt8] = []
        var starts = [0]
        for c in columns {
            bytes.append(contentsOf: c.name.utf8)
            starts.append(bytes.count)
        }
        self.columns = columns
        nameBytes = bytes
        nameStarts = starts
        requiredMask = mask
    }

    /// The cast fields in column order (NULL for an optional field that is absent), or nil: take
    /// the tree path. `b` is valid UTF-8.
    func scan(_ b: UnsafeBufferPointer<UInt8>) -> [TypedValue]? {
        let n = b.count
        var i = 0
        @inline(__always) func skipSpace() {
            while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }
        skipSpace()
        guard i < n, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        // Initialized in place: `init(repeating:count:)` copied `.null` in through the value
        // witness, element by element (~1,300 instructions an event).
        let width = columns.count
        var slots = [TypedValue](unsafeUninitializedCapacity: width) { buffer, initialized in
            buffer.initialize(repeating: .null)
            initialized = width
        }
        var found: UInt64 = 0
        var next = 0
        var violations: [Violation] = []
        skipSpace()
        if i < n, b[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
                i += 1
                let keyStart = i
                while i < n, b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\") || b[i] < 0x20 { return nil }
                    i += 1
                }
                guard i < n else { return nil }
                let key = UnsafeBufferPointer(rebasing: b[keyStart..<i])
                i += 1
                // Members usually come in the columns' order: the one after the last found first.
                let k: Int
                if next < columns.count, isName(next, key) {
                    k = next
                } else {
                    guard let p = (0..<columns.count).first(where: { isName($0, key) }) else { return nil }
                    k = p
                }
                guard found & (1 << UInt64(k)) == 0 else { return nil }  // a repeat: the tree path words it
                found |= 1 << UInt64(k)
                next = k + 1
                skipSpace()
                guard i < n, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                guard i < n else { return nil }
                let value: JSONNode
                switch b[i] {
                case UInt8(ascii: "\""):
                    i += 1
                    let start = i
                    while i < n {
                        // Plain text eight bytes at a time (most of an event is string text), to
                        // the first byte that needs a look.
                        if i + 8 <= n {
                            let flags = JSONText.specialBytes(UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self))
                            if flags == 0 {
                                i += 8
                                continue
                            }
                            i += flags.trailingZeroBitCount / 8
                        }
                        if b[i] == UInt8(ascii: "\"") { break }
                        // A control character (C0, DEL, or C1: C2 80…C2 9F), or a C2 lead at all,
                        // goes down the tree path: so a scanned string holds none, and the sanity
                        // rules need not look again (`SanityRules.check(stringsChecked:)`).
                        if b[i] == UInt8(ascii: "\\") || b[i] < 0x20 || b[i] == 0x7F || b[i] == 0xC2 { return nil }
                        i += 1
                    }
                    guard i < n else { return nil }
                    value = .string(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
                    i += 1
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard case .success(let end) = JSONParser.numberEnd(b, from: i) else { return nil }
                    value = .number(String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self))
                    i = end
                case UInt8(ascii: "t"):
                    guard matches("true", b, at: i) else { return nil }
                    i += 4
                    value = .bool(true)
                case UInt8(ascii: "f"):
                    guard matches("false", b, at: i) else { return nil }
                    i += 5
                    value = .bool(false)
                case UInt8(ascii: "n"):
                    guard matches("null", b, at: i) else { return nil }
                    i += 4
                    value = .null
                default:
                    return nil  // an object, an array, or not JSON
                }
                let plan = columns[k]
                var parsed = ParsedScalar()
                plan.schema.validate(value, at: plan.name, into: &violations, parsed: &parsed)
                guard violations.isEmpty else { return nil }
                guard case .value(let typed) = EventValidator.cast(value, plan, parsed: parsed) else { return nil }
                slots[k] = typed
                skipSpace()
                guard i < n else { return nil }
                if b[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                guard b[i] == UInt8(ascii: "}") else { return nil }
                i += 1
                break
            }
        }
        skipSpace()
        guard i == n, found & requiredMask == requiredMask else { return nil }
        return slots
    }

    /// Whether `key` is the bytes of column `k`'s name.
    @inline(__always)
    private func isName(_ k: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = nameStarts[k]
        guard nameStarts[k + 1] - start == key.count else { return false }
        for j in 0..<key.count where nameBytes[start + j] != key[j] { return false }
        return true
    }

    private func matches(_ word: StaticString, _ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= b.count else { return false }
        for k in 0..<count where b[i + k] != word.utf8Start[k] { return false }
        return true
    }
}

/// `^…$` over literals, `[…]` classes (ranges, `^` negation, `\d \w` and escaped
/// literals), `(a|b)` groups and the quantifiers `? * + {n} {n,} {n,m}`,
/// compiled to a Thompson NFA and run over Unicode scalars in linear time.
struct SimplePattern: Sendable {
    indirect enum Node {
        case scalar(UInt32)
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)
        case group([[Item]])
    }

    struct Item {
        var node: Node
        var min: Int
        var max: Int  // Int.max: unbounded
    }

    /// One NFA state; plain values so the matcher does no reference counting.
    struct State: Sendable {
        enum Kind: UInt8, Sendable { case consume, split, accept }
        var kind: Kind
        var out1: Int32 = -1
        var out2: Int32 = -1
        /// consume: the scalar ranges in `SimplePattern.ranges` and whether they are negated.
        var rangeStart: Int32 = 0
        var rangeCount: Int32 = 0
        var negated = false
    }

    private var states: [State] = []
    private var rangeLo: [UInt32] = []
    private var rangeHi: [UInt32] = []
    private var start: Int32 = 0
    private static let maxStates = 4096

    init?(_ source: String) {
        var scalars = Array(source.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "^", scalars.last == "$" else { return nil }
        // The closing `$` must not be escaped (`\$`).
        var backslashes = 0
        var k = scalars.count - 2
        while k >= 0, scalars[k] == "\\" { backslashes += 1; k -= 1 }
        guard backslashes % 2 == 0 else { return nil }
        scalars = Array(scalars[1..<(scalars.count - 1)])
        var p = Parser(s: scalars)
        guard let alternatives = p.alternatives(), p.i == scalars.count else { return nil }
        states.append(State(kind: .accept))
        guard let s = compile(.group(alternatives), next: 0) else { return nil }
        start = s
        if let sequences = SimplePattern.fixedSequences(of: .group(alternatives)) {
            let fixed = sequences.map { positions in positions.map { consumeState($0.ranges, negated: $0.negated) } }
            self.fixed = fixed
            fixedASCII = fixed.map { positions in positions.map(asciiMask) }
        }
    }

    // MARK: Fixed-length patterns

    /// When every alternative of the pattern is a fixed sequence of single characters (each item
    /// repeated exactly `{n}` times, as in `^CUS-[0-9]{8}$` or the date-time pattern's `(Z|…)`), the
    /// sequences, each position a consume state; matching then walks the text once, position by
    /// position, without the NFA's state lists. Nil for anything else (the NFA matches those).
    private var fixed: [[State]]?
    /// For each of `fixed`'s positions, the ASCII bytes its state accepts as a 128-bit set: the
    /// ASCII text of an id or a time is checked a byte at a time by one shift, not by walking
    /// the state's ranges.
    private var fixedASCII: [[ASCIIMask]] = []
    /// Whether `matches` takes the fixed-length way.
    var isFixedLength: Bool { fixed != nil }

    private struct ASCIIMask: Sendable {
        var low: UInt64 = 0  // bytes 0…63
        var high: UInt64 = 0  // bytes 64…127

        func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : (high >> UInt64(byte &- 64)) & 1 == 1
        }
    }

    private func asciiMask(_ state: State) -> ASCIIMask {
        var mask = ASCIIMask()
        for byte in 0..<UInt32(128) where accepts(state, byte) {
            if byte < 64 { mask.low |= 1 << UInt64(byte) } else { mask.high |= 1 << UInt64(byte - 64) }
        }
        return mask
    }
    private static let maxFixedSequences = 16
    private static let maxFixedLength = 1024

    private typealias Position = (ranges: [ClosedRange<UInt32>], negated: Bool)

    private static func fixedSequences(of node: Node) -> [[Position]]? {
        switch node {
        case .scalar(let c): return [[([c...c], false)]]
        case .set(let ranges, let negated): return [[(ranges, negated)]]
        case .group(let alternatives):
            var all: [[Position]] = []
            for items in alternatives {
                guard let sequences = fixedSequences(of: items) else { return nil }
                all += sequences
                guard all.count <= maxFixedSequences else { return nil }
            }
            return all
        }
    }

    private static func fixedSequences(of items: [Item]) -> [[Position]]? {
        var result: [[Position]] = [[]]
        for item in items {
            guard item.min == item.max, let options = fixedSequences(of: item.node) else { return nil }
            for _ in 0..<item.min {
                var next: [[Position]] = []
                for prefix in result {
                    for option in options { next.append(prefix + option) }
                }
                guard next.count <= maxFixedSequences, next.allSatisfy({ $0.count <= maxFixedLength }) else { return nil }
                result = next
            }
        }
        return result
    }

    private mutating func consumeState(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> State {
        let first = Int32(rangeLo.count)
        for r in ranges { rangeLo.append(r.lowerBound); rangeHi.append(r.upperBound) }
        return State(kind: .consume, rangeStart: first, rangeCount: Int32(ranges.count), negated: negated)
    }

    private func accepts(_ st: State, _ v: UInt32) -> Bool {
        var hit = false
        var r = Int(st.rangeStart)
        let end = r + Int(st.rangeCount)
        while r < end {
            if v >= rangeLo[r] && v <= rangeHi[r] { hit = true; break }
            r += 1
        }
        return hit != st.negated
    }

    private func matchesFixed(_ s: String, _ sequences: [[State]], _ masks: [[ASCIIMask]]) -> Bool {
        // ASCII text (every id and time) over its bytes, each byte its scalar: decoding the
        // String's scalars one by one was most of a pattern's cost.
        // A mask holds ASCII only, so a byte past it fails every mask: a miss is final for ASCII
        // text only, which is looked at after the masks, not before them (most strings match).
        var s = s
        let ascii = s.withUTF8 { b -> Bool? in
            for positions in masks where positions.count == b.count {
                let hit = positions.withUnsafeBufferPointer { m in
                    for k in 0..<b.count where !m[k].contains(b[k]) { return false }
                    return true
                }
                if hit { return true }
            }
            return b.contains(where: { $0 >= 0x80 }) ? nil : false
        }
        if let ascii { return ascii }
        next: for sequence in sequences {
            var k = 0
            for scalar in s.unicodeScalars {
                guard k < sequence.count, accepts(sequence[k], scalar.value) else { continue next }
                k += 1
            }
            if k == sequence.count { return true }
        }
        return false
    }

    // MARK: Compiling (back to front: each fragment is built knowing what follows it)

    private mutating func add(_ state: State) -> Int32? {
        guard states.count < SimplePattern.maxStates else { return nil }
        states.append(state)
        return Int32(states.count - 1)
    }

    private mutating func compile(_ items: [Item], next: Int32) -> Int32? {
        var cur = next
        for item in items.reversed() {
            guard let s = compile(item, next: cur) else { return nil }
            cur = s
        }
        return cur
    }

    private mutating func compile(_ item: Item, next: Int32) -> Int32? {
        var cur = next
        if item.max == Int.max {
            // node* : a split that either enters the node (which loops back) or leaves.
            guard let loop = add(State(kind: .split)), let body = compile(item.node, next: loop) else { return nil }
            states[Int(loop)].out1 = body
            states[Int(loop)].out2 = next
            cur = loop
        } else {
            // (node (node …)?)? for the optional repetitions.
            for _ in 0..<(item.max - item.min) {
                guard let body = compile(item.node, next: cur),
                    let split = add(State(kind: .split, out1: body, out2: next))
                else { return nil }
                cur = split
            }
        }
        for _ in 0..<item.min {
            guard let body = compile(item.node, next: cur) else { return nil }
            cur = body
        }
        return cur
    }

    private mutating func compile(_ node: Node, next: Int32) -> Int32? {
        switch node {
        case .scalar(let c):
            return consume([c...c], negated: false, next: next)
        case .set(let ranges, let negated):
            return consume(ranges, negated: negated, next: next)
        case .group(let alternatives):
            var starts: [Int32] = []
            for alt in alternatives {
                guard let s = compile(alt, next: next) else { return nil }
                starts.append(s)
            }
            var cur = starts.removeLast()
            for s in starts.reversed() {
                guard let split = add(State(kind: .split, out1: s, out2: cur)) else { return nil }
                cur = split
            }
            return cur
        }
    }

    private mutating func consume(_ ranges: [ClosedRange<UInt32>], negated: Bool, next: Int32) -> Int32? {
        let first = Int32(rangeLo.count)
        for r in ranges { rangeLo.append(r.lowerBound); rangeHi.append(r.upperBound) }
        return add(State(kind: .consume, out1: next, rangeStart: first, rangeCount: Int32(ranges.count), negated: negated))
    }

    // MARK: Matching

    func matches(_ s: String) -> Bool {
        if let fixed { return matchesFixed(s, fixed, fixedASCII) }
        return matchesNFA(s)
    }

    /// The Thompson NFA run (every pattern; `matches` takes the fixed-length way when it can).
    func matchesNFA(_ s: String) -> Bool {
        let n = states.count
        // One scratch block on the stack: two state lists, the closure stack, and
        // the generation mark per state. A state enters a list at most once per
        // step; the stack holds at most one entry per edge.
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 5 * n + 4) { scratch in
            var current = scratch.baseAddress!
            var following = current + n
            let stack = following + n
            let seen = stack + 2 * n + 2
            seen.initialize(repeating: -1, count: n)
            var currentCount = 0
            var generation: Int32 = 0
            closure(start, current, &currentCount, stack, seen, generation)
            for scalar in s.unicodeScalars {
                let v = scalar.value
                generation += 1
                var followingCount = 0
                for k in 0..<currentCount {
                    let st = states[Int(current[k])]
                    guard st.kind == .consume else { continue }
                    var hit = false
                    var r = Int(st.rangeStart)
                    let end = r + Int(st.rangeCount)
                    while r < end {
                        if v >= rangeLo[r] && v <= rangeHi[r] { hit = true; break }
                        r += 1
                    }
                    if hit != st.negated { closure(st.out1, following, &followingCount, stack, seen, generation) }
                }
                guard followingCount > 0 else { return false }
                swap(&current, &following)
                currentCount = followingCount
            }
            for k in 0..<currentCount where current[k] == 0 { return true }
            return false
        }
    }

    /// Adds `id` and every state reachable from it without input to `list`.
    private func closure(
        _ id: Int32, _ list: UnsafeMutablePointer<Int32>, _ count: inout Int,
        _ stack: UnsafeMutablePointer<Int32>, _ seen: UnsafeMutablePointer<Int32>, _ generation: Int32
    ) {
        var top = 0
        stack[top] = id
        top += 1
        while top > 0 {
            top -= 1
            let s = stack[top]
            guard seen[Int(s)] != generation else { continue }
            seen[Int(s)] = generation
            let st = states[Int(s)]
            if st.kind == .split {
                stack[top] = st.out2
                stack[top + 1] = st.out1
                top += 2
            } else {
                list[count] = s
                count += 1
            }
        }
    }

    // MARK: Parsing

    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0

        mutating func alternatives() -> [[Item]]? {
            var alts: [[Item]] = []
            var current: [Item] = []
            while i < s.count {
                let c = s[i]
                if c == "|" { alts.append(current); current = []; i += 1; continue }
                if c == ")" { break }
                guard let node = atom(), let (lo, hi) = quantifier() else { return nil }
                current.append(Item(node: node, min: lo, max: hi))
            }
            alts.append(current)
            return alts
        }

        mutating func atom() -> Node? {
            let c = s[i]
            switch c {
            case "(":
                i += 1
                guard i < s.count, s[i] != "?" else { return nil }  // no (?:…) or lookarounds
                guard let alts = alternatives(), i < s.count, s[i] == ")" else { return nil }
                i += 1
                return .group(alts)
            case "[":
                return characterClass()
            case "\\":
                guard i + 1 < s.count else { return nil }
                let e = s[i + 1]
                i += 2
                switch e {
                case "d": return .set(ranges: [0x30...0x39], negated: false)
                case "w": return .set(ranges: SimplePattern.word, negated: false)
                default: return SimplePattern.isEscapableLiteral(e) ? .scalar(e.value) : nil
                }
            case ".", "^", "$", "*", "+", "?", "{", "}", "]":
                return nil
            default:
                i += 1
                return .scalar(c.value)
            }
        }

        mutating func characterClass() -> Node? {
            i += 1
            var negated = false
            if i < s.count, s[i] == "^" { negated = true; i += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            while i < s.count {
                var c = s[i]
                if c == "]" {
                    i += 1
                    return ranges.isEmpty ? nil : .set(ranges: ranges, negated: negated)
                }
                if c == "[" { return nil }
                if c == "\\" {
                    guard i + 1 < s.count else { return nil }
                    let e = s[i + 1]
                    i += 2
                    switch e {
                    case "d": ranges.append(0x30...0x39); continue
                    case "w": ranges += SimplePattern.word; continue
                    default:
                        guard SimplePattern.isEscapableLiteral(e) else { return nil }
                        c = e
                    }
                } else {
                    i += 1
                }
                if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                    let hi = s[i + 1]
                    guard hi != "\\", hi != "[", c.value <= hi.value else { return nil }
                    i += 2
                    ranges.append(c.value...hi.value)
                } else {
                    ranges.append(c.value...c.value)
                }
            }
            return nil
        }

        mutating func quantifier() -> (Int, Int)? {
            guard i < s.count else { return (1, 1) }
            var q: (Int, Int)
            switch s[i] {
            case "?": i += 1; q = (0, 1)
            case "*": i += 1; q = (0, Int.max)
            case "+": i += 1; q = (1, Int.max)
            case "{":
                i += 1
                guard let lo = number() else { return nil }
                var hi = lo
                if i < s.count, s[i] == "," {
                    i += 1
                    hi = number() ?? Int.max
                }
                guard i < s.count, s[i] == "}", lo <= hi, lo <= 1000 else { return nil }
                i += 1
                q = (lo, hi)
            default:
                return (1, 1)
            }
            // Lazy (`+?`) or a second quantifier: leave such patterns to ICU.
            if i < s.count, s[i] == "?" || s[i] == "+" || s[i] == "*" || s[i] == "{" { return nil }
            return q
        }

        mutating func number() -> Int? {
            var v = 0
            var digits = 0
            while i < s.count, s[i].value >= 0x30, s[i].value <= 0x39 {
                v = v * 10 + Int(s[i].value - 0x30)
                digits += 1
                i += 1
                if v > 100_000 { return nil }
            }
            return digits > 0 ? v : nil
        }
    }

    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]

    /// Punctuation that a backslash turns into itself.
    static func isEscapableLiteral(_ c: Unicode.Scalar) -> Bool {
        "^$\\.*+?()[]{}|/-:_@#%&=!,<>'\"~`".unicodeScalars.contains(c)
    }
}

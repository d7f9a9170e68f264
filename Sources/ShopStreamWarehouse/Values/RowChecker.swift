/// Checks rows against a table's columns before they are sent, the same way for both engines, so
/// that a bad row is reported as that row's `invalid` failure naming the column, instead of
/// whatever the engine would do: SQLite stores any type anywhere, and the BigQuery emulator
/// silently drops unknown columns, accepts `"maybe"` for a BOOL and answers some bad values with
/// an HTTP 500 for the whole request.
///
/// A checked row comes out with canonical values: NUMERIC as its shortest exact decimal,
/// TIMESTAMP as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, an INT64 given for a NUMERIC or FLOAT64 column
/// converted to that type.
struct RowChecker {
    let table: TableName
    let columns: [Column]
    private let byName: [String: Int]
    private let layoutCache = LayoutCache()

    /// For the last layout seen: the layout's position of each column's value (-1: none), and
    /// whether every name of the layout is a column. One checker serves one batch on one thread,
    /// whose rows share a layout.
    private final class LayoutCache {
        var layout: RowLayout?
        var positions: [Int] = []
        var namesAreColumns = false

        func positions(of layout: RowLayout, in columns: [Column]) -> [Int] {
            if self.layout !== layout {
                self.layout = layout
                positions = columns.map { layout.position($0.name) ?? -1 }
                namesAreColumns = positions.filter { $0 >= 0 }.count == layout.names.count
            }
            return positions
        }
    }

    /// For a positional row whose layout promises canonical values (`RowLayout.canonical`) and
    /// names only columns of the table: the layout's position of each column's value (-1: none),
    /// for a writer to take the values as they are once each is of its column's type (see
    /// `SQLiteWarehouse`), leaving `check` for any row that is not. Nil for any other row.
    func trustedPositions(of row: WarehouseRow) -> [Int]? {
        guard let layout = row.layout, layout.canonical else { return nil }
        let positions = layoutCache.positions(of: layout, in: columns)
        return layoutCache.namesAreColumns ? positions : nil
    }

    init(table: TableName, columns: [Column]) {
        self.table = table
        self.columns = columns
        var byName: [String: Int] = [:]
        for (index, column) in columns.enumerated() { byName[column.name] = index }
        self.byName = byName
    }

    /// A row ready to write: its values in column order (nil where the row gave none).
    struct Checked {
        var index: Int
        var insertId: String
        var values: [WarehouseValue?]
    }

    /// Either the checked row or the reason it cannot go in.
    func check(_ row: WarehouseRow, index: Int) -> Result<Checked, RowFailureBox> {
        var values = [WarehouseValue?](repeating: nil, count: columns.count)
        func fail(_ column: String?, _ problem: String) -> Result<Checked, RowFailureBox> {
            let message = "\(table) row \(index) (insertId \(row.insertId)): \(problem)"
            return .failure(
                RowFailureBox(RowFailure(index: index, reason: "invalid", message: message, retryable: false, location: column)))
        }
        // In column order, then the names no column has (sorted), so the first problem reported is
        // the same on every run; no sort and no copy of the keys for a row that is fine.
        var matched = 0
        let named = row.layout == nil ? row.values : [:]
        // A positional row: its layout matched to the columns once, then values taken by position.
        let fromLayout = row.layout.map { layoutCache.positions(of: $0, in: columns) }
        let trusted = row.layout?.canonical ?? false
        for (position, column) in columns.enumerated() {
            let value: WarehouseValue
            if let fromLayout {
                guard fromLayout[position] >= 0 else { continue }
                value = row.ordered[fromLayout[position]]
            } else {
                guard let v = named[column.name] else { continue }
                value = v
            }
            matched += 1
            if trusted && Self.hasType(value, column.type) {
                values[position] = value
                continue
            }
            switch canonical(value, for: column.type) {
            case .success(let canonical): values[position] = canonical
            case .failure(let problem): return fail(column.name, "column \(column.name) (\(column.type.rawValue)): \(problem.text)")
            }
        }
        let given = row.layout?.names ?? Array(named.keys)
        if matched < given.count, let name = given.filter({ byName[$0] == nil }).sorted().first {
            return fail(
                name, "no column \(name) in \(table) (columns: \(columns.map(\.name).joined(separator: ", "))); drop it or add the column")
        }
        for (position, column) in columns.enumerated() where !column.nullable {
            if values[position] == nil || values[position] == .null {
                return fail(column.name, "column \(column.name) (\(column.type.rawValue)) is required but the row has no value for it")
            }
        }
        return .success(Checked(index: index, insertId: row.insertId, values: values))
    }

    struct Problem: Error { var text: String }

    /// Whether `value` is of `type` itself (or NULL), needing no conversion. NUMERIC is not taken
    /// on trust: its canonical form is checked anyway (cheap), and so is its range.
    static func hasType(_ value: WarehouseValue, _ type: ColumnType) -> Bool {
        switch (type, value) {
        case (_, .null), (.string, .string), (.int64, .int64), (.bool, .bool), (.float64, .float64), (.date, .date),
            (.timestamp, .timestamp):
            return true
        default:
            return false
        }
    }

    /// A NUMERIC text as a decimal: digits with an optional - and one . (no exponent).
    private static func decimal(_ text: String) -> DecimalText? {
        guard let decimal = DecimalText(text), !text.utf8.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            return nil
        }
        return decimal
    }

    /// The shortest form of a NUMERIC text (what `canonical` makes of it: the text itself when it
    /// is already so), or nil when it is not a decimal number that fits NUMERIC.
    static func canonicalNumeric(_ text: String) -> String? {
        if DecimalText.isCanonicalNumeric(text) { return text }
        if let trimmed = trimmingFractionZeros(text) { return trimmed }
        guard let decimal = decimal(text), decimal.fitsBigQueryNumeric else { return nil }
        return decimal.text
    }

    /// The common case of `canonicalNumeric`, without parsing: a NUMERIC written at its scale
    /// ("2299.00", what silver's validator writes of money) is its shortest form less the zeros
    /// at the end of its fraction ("2299"). Nil unless that is canonical (`isCanonicalNumeric`)
    /// and the fraction had 1 to 9 digits, so the answer is always `DecimalText`'s.
    private static func trimmingFractionZeros(_ text: String) -> String? {
        // Over the bytes: String.UTF8View's indices cost ~1,000 instructions a value.
        var text = text
        return text.withUTF8 { b -> String? in
            guard let point = b.firstIndex(of: UInt8(ascii: ".")), (2...10).contains(b.count - point) else { return nil }
            var end = b.count
            while end > point + 1, b[end - 1] == UInt8(ascii: "0") { end -= 1 }
            if end == point + 1 { end = point }
            let trimmed = String(decoding: UnsafeBufferPointer(rebasing: b[..<end]), as: UTF8.self)
            return DecimalText.isCanonicalNumeric(trimmed) ? trimmed : nil
        }
    }

    func canonical(_ value: WarehouseValue, for type: ColumnType) -> Result<WarehouseValue, Problem> {
        switch (type, value) {
        case (_, .null): return .success(.null)
        case (.string, .string), (.int64, .int64), (.bool, .bool), (.float64, .float64): return .success(value)
        case (.float64, .int64(let v)): return .success(.float64(Double(v)))
        case (.numeric, .int64(let v)): return .success(.numeric(String(v)))
        case (.numeric, .numeric(let text)):
            if let canonical = Self.canonicalNumeric(text) { return .success(.numeric(canonical)) }
            guard Self.decimal(text) != nil else {
                return .failure(Problem(text: "\(value.preview) is not a decimal number (write digits with an optional - and one .)"))
            }
            return .failure(Problem(text: "\(value.preview) does not fit NUMERIC (at most 29 digits before the point and 9 after)"))
        case (.date, .date(let text)):
            guard DateText.isValid(text) else {
                return .failure(Problem(text: "\(value.preview) is not a date YYYY-MM-DD between 0001-01-01 and 9999-12-31"))
            }
            return .success(value)
        case (.timestamp, .timestamp(let text)):
            guard let canonical = TimestampText.canonical(text) else {
                return .failure(
                    Problem(text: "\(value.preview) is not a timestamp like 2025-01-02T03:04:05.123456Z (UTC, at most microseconds)"))
            }
            return .success(.timestamp(canonical))
        default:
            return .failure(
                Problem(text: "the value \(value.preview) is \(value.typeName ?? "NULL"), not \(type.rawValue); cast it before inserting"))
        }
    }
}

/// `RowFailure` as an `Error`, to travel in a `Result`.
struct RowFailureBox: Error {
    var failure: RowFailure
    init(_ failure: RowFailure) { self.failure = failure }
}

import Csqlite

/// SQL functions ShopStream adds to SQLite, which has no exact decimal type. NUMERIC columns hold
/// their exact digits as TEXT (see `ColumnType.sqliteTypeName`), so SQLite's own `SUM`/`AVG`
/// would add them as binary floats (`0.1 + 0.2` = `0.30000000000000004`) and `ORDER BY amount`
/// would sort them as text. Use instead:
///
/// - `numeric_sum(x)`: an aggregate like `SUM` (NULLs skipped, NULL for no rows) that adds
///   decimal text exactly and returns the shortest exact decimal as TEXT (`'74999.1'`).
///   INTEGER inputs are exact; REAL inputs are taken at SQLite's 15 significant digits.
/// - `paisa(x)`: the value times 100 as an INTEGER (`paisa('74999.00')` = 7499900), exact, for
///   sums, comparisons and ordering of money in integer paisa: `SUM(paisa(total_price))`.
///   An error if `x` has non-zero digits past the second decimal or exceeds 64 bits.
/// - `money(n)`: the inverse, integer paisa back to the shortest exact decimal TEXT
///   (`money(7499950)` = `'74999.5'`), for storing such a sum in a NUMERIC column:
///   `money(SUM(quantity * paisa(unit_price)))`.
///
/// Both are deterministic, so they may be used in indexes and generated columns.
enum SQLiteFunctions {
    static func register(on connection: SQLiteConnection) throws {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        try connection.check(
            sqlite3_create_function_v2(connection.handle, "numeric_sum", 1, flags, nil, nil, numericSumStep, numericSumFinal, nil),
            doing: "register numeric_sum")
        try connection.check(
            sqlite3_create_function_v2(connection.handle, "paisa", 1, flags, nil, paisa, nil, nil, nil),
            doing: "register paisa")
        try connection.check(
            sqlite3_create_function_v2(connection.handle, "money", 1, flags, nil, money, nil, nil, nil),
            doing: "register money")
    }

    /// The decimal in an SQL value, or an error message.
    static func decimal(_ value: OpaquePointer?, function: String) -> Result<DecimalText?, DecimalError> {
        switch sqlite3_value_type(value) {
        case SQLITE_NULL: return .success(nil)
        case SQLITE_INTEGER: return .success(DecimalText(sqlite3_value_int64(value)))
        default:
            let text = sqlite3_value_text(value).map { String(cString: $0) } ?? ""
            guard let decimal = DecimalText(text) else {
                return .failure(DecimalError(message: "\(function): '\(text.prefix(40))' is not a decimal number"))
            }
            return .success(decimal)
        }
    }

    struct DecimalError: Error { var message: String }
}

/// The running total of one `numeric_sum` group, kept alive through the aggregate context.
private final class NumericSum {
    var total: DecimalText?
}

private func numericSumStep(_ context: OpaquePointer?, _ count: Int32, _ values: UnsafeMutablePointer<OpaquePointer?>?) {
    guard let slot = sqlite3_aggregate_context(context, Int32(MemoryLayout<UnsafeMutableRawPointer?>.size)) else {
        sqlite3_result_error_nomem(context)
        return
    }
    let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    if pointer.pointee == nil { pointer.pointee = Unmanaged.passRetained(NumericSum()).toOpaque() }
    let sum = Unmanaged<NumericSum>.fromOpaque(pointer.pointee!).takeUnretainedValue()
    switch SQLiteFunctions.decimal(values?[0], function: "numeric_sum") {
    case .success(let value?): sum.total = (sum.total ?? .zero) + value
    case .success(nil): break
    case .failure(let error): sqlite3_result_error(context, error.message, -1)
    }
}

private func numericSumFinal(_ context: OpaquePointer?) {
    // Size 0: no allocation when no row was stepped (then the result is NULL, as for SUM).
    guard let slot = sqlite3_aggregate_context(context, 0) else {
        sqlite3_result_null(context)
        return
    }
    let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    guard let raw = pointer.pointee else {
        sqlite3_result_null(context)
        return
    }
    let sum = Unmanaged<NumericSum>.fromOpaque(raw).takeRetainedValue()
    pointer.pointee = nil
    if let total = sum.total {
        sqlite3_result_text(context, total.text, -1, shopstream_sqlite_transient())
    } else {
        sqlite3_result_null(context)
    }
}

private func paisa(_ context: OpaquePointer?, _ count: Int32, _ values: UnsafeMutablePointer<OpaquePointer?>?) {
    // The common case first, without allocating: TEXT like 74999.50 or -12.5.
    if sqlite3_value_type(values?[0]) == SQLITE_TEXT, let text = sqlite3_value_text(values?[0]),
        let value = fastPaisa(text, length: Int(sqlite3_value_bytes(values?[0])))
    {
        sqlite3_result_int64(context, value)
        return
    }
    switch SQLiteFunctions.decimal(values?[0], function: "paisa") {
    case .success(nil): sqlite3_result_null(context)
    case .success(let value?):
        guard let paisa = value.scaled(by: 2) else {
            sqlite3_result_error(context, "paisa: \(value.text) has digits past the second decimal or is too large for 64 bits", -1)
            return
        }
        sqlite3_result_int64(context, paisa)
    case .failure(let error): sqlite3_result_error(context, error.message, -1)
    }
}

private func money(_ context: OpaquePointer?, _ count: Int32, _ values: UnsafeMutablePointer<OpaquePointer?>?) {
    switch sqlite3_value_type(values?[0]) {
    case SQLITE_NULL: sqlite3_result_null(context)
    case SQLITE_INTEGER:
        // DecimalText.fromPaisa(n).text, written backwards into a buffer on the stack: gold calls
        // money() once a ledger row (190,000 a year), and building a DecimalText for each cost
        // three times what the sum did.
        let paisa = sqlite3_value_int64(values?[0])
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            var start = buffer.count
            func put(_ digit: UInt64) {
                start -= 1
                buffer[start] = CChar(48 + digit)
            }
            var whole = paisa.magnitude / 100
            let cents = paisa.magnitude % 100
            if cents != 0 {
                if cents % 10 != 0 { put(cents % 10) }
                put(cents / 10)
                start -= 1
                buffer[start] = CChar(UInt8(ascii: "."))
            }
            repeat {
                put(whole % 10)
                whole /= 10
            } while whole > 0
            if paisa < 0 {
                start -= 1
                buffer[start] = CChar(UInt8(ascii: "-"))
            }
            sqlite3_result_text(context, buffer.baseAddress! + start, Int32(buffer.count - start), shopstream_sqlite_transient())
        }
    default:
        sqlite3_result_error(context, "money: expects an INTEGER number of paisa, e.g. money(SUM(paisa(amount)))", -1)
    }
}

/// Paisa of plain decimal text (`[-]digits[.digits]`, at most two non-zero decimals, up to 15
/// integer digits); nil for anything else, which the exact general path then handles.
private func fastPaisa(_ text: UnsafePointer<UInt8>, length: Int) -> Int64? {
    var i = 0
    var negative = false
    if length > 0 && text[0] == UInt8(ascii: "-") { negative = true; i = 1 }
    var whole: Int64 = 0
    var digits = 0
    while i < length, text[i] >= 48, text[i] <= 57 {
        whole = whole * 10 + Int64(text[i] - 48)
        digits += 1
        i += 1
        if digits > 15 { return nil }
    }
    var cents: Int64 = 0
    if i < length {
        guard text[i] == UInt8(ascii: "."), digits > 0 else { return nil }
        i += 1
        var places = 0
        while i < length {
            let c = text[i]
            guard c >= 48, c <= 57 else { return nil }
            if places < 2 { cents = cents * 10 + Int64(c - 48) } else if c != 48 { return nil }
            places += 1
            i += 1
        }
        if places == 1 { cents *= 10 }
    }
    guard digits > 0 else { return nil }
    let value = whole * 100 + cents
    return negative ? -value : value
}

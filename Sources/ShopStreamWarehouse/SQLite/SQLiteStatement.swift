import Csqlite

/// The one owner of a prepared `sqlite3_stmt*`, finalized in `deinit`. Keeps its connection alive.
final class SQLiteStatement {
    let connection: SQLiteConnection
    let handle: OpaquePointer
    let sql: String

    init(connection: SQLiteConnection, handle: OpaquePointer, sql: String) {
        self.connection = connection
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Advances: true when a row is ready, false when the statement is done.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(code, "SQLite failed", sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Makes the statement ready to run again, with its bindings cleared.
    func reset() {
        // reset repeats the last step's error code, already reported by step().
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `value` (canonical, see `RowChecker`) to parameter `index` (1-based). BOOL is bound
    /// as 0/1 so that `WHERE damaged` works; NUMERIC, DATE and TIMESTAMP as text.
    func bind(_ value: WarehouseValue?, at index: Int32) throws {
        let code: Int32
        switch value {
        case nil, .null?: code = sqlite3_bind_null(handle, index)
        case .int64(let v)?: code = sqlite3_bind_int64(handle, index, v)
        case .float64(let v)?: code = sqlite3_bind_double(handle, index, v)
        case .bool(let v)?: code = sqlite3_bind_int64(handle, index, v ? 1 : 0)
        case .string(var text)?, .numeric(var text)?, .date(var text)?, .timestamp(var text)?:
            // SQLite copies the bytes (transient); with the length given it need not count them.
            code = text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    guard let base = chars.baseAddress else {
                        return sqlite3_bind_text(handle, index, "", 0, shopstream_sqlite_transient())
                    }
                    return sqlite3_bind_text(handle, index, base, Int32(chars.count), shopstream_sqlite_transient())
                }
            }
        }
        try connection.check(code, doing: "bind parameter \(index)", sql: sql)
    }

    /// Binds the text `bytes` (a STRING, NUMERIC, DATE or TIMESTAMP value's) to parameter `index`,
    /// read in place (SQLITE_STATIC) instead of copied into an allocation: `bytes` must stay
    /// unchanged until the statement is stepped and reset.
    func bind(textBytes bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws {
        let code: Int32
        if let base = bytes.baseAddress, !bytes.isEmpty {
            code = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                sqlite3_bind_text(handle, index, chars, Int32(bytes.count), nil)  // nil: SQLITE_STATIC
            }
        } else {
            code = sqlite3_bind_text(handle, index, "", 0, shopstream_sqlite_transient())
        }
        try connection.check(code, doing: "bind parameter \(index)", sql: sql)
    }

    func bind(text: String, at index: Int32) throws {
        try connection.check(
            sqlite3_bind_text(handle, index, text, -1, shopstream_sqlite_transient()), doing: "bind parameter \(index)", sql: sql)
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func columnName(_ column: Int32) -> String {
        sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "column\(column + 1)"
    }

    /// The declared type of the table column a result column reads, if it reads one directly.
    func declaredType(_ column: Int32) -> ColumnType? {
        sqlite3_column_decltype(handle, column).flatMap { ColumnType(sqliteDeclaredType: String(cString: $0)) }
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The raw text SQLite gives for the column (its own conversion for numbers).
    func rawText(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The value as `QueryResult` text: canonical by the declared type when the column has one.
    func text(_ column: Int32, declared: ColumnType?) -> String? {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL:
            return nil
        case SQLITE_INTEGER:
            let value = sqlite3_column_int64(handle, column)
            return declared == .bool ? (value != 0 ? "true" : "false") : String(value)
        case SQLITE_FLOAT:
            let value = sqlite3_column_double(handle, column)
            if declared == .numeric {
                // A NUMERIC column declared with NUMERIC affinity holds binary floats; SQLite's
                // 15-digit text is the closest decimal it still knows.
                return rawText(column).flatMap { DecimalText($0)?.text } ?? FloatText.canonical(value)
            }
            return FloatText.canonical(value)
        default:
            guard let text = rawText(column) else { return nil }
            switch declared {
            case .numeric?: return DecimalText(text)?.text ?? text
            case .timestamp?: return TimestampText.canonical(text) ?? text
            case .bool?: return text == "1" ? "true" : text == "0" ? "false" : text
            default: return text
            }
        }
    }
}

extension WarehouseValue {
    /// The text SQLite is given for a value bound as text (STRING, NUMERIC, DATE, TIMESTAMP); nil for the others.
    var boundText: String? {
        switch self {
        case .string(let s), .numeric(let s), .date(let s), .timestamp(let s): s
        case .null, .int64, .float64, .bool: nil
        }
    }
}

/// The one owner of rows of `sqlite3_value` copies (`sqlite3_value_dup`), freed in `deinit`: a
/// query's result read on one connection and bound, value for value and type for type, on another.
final class SQLiteRows: @unchecked Sendable {
    // @unchecked: filled on one thread, then handed whole to another (behind a lock and a
    // semaphore, `SQLiteWarehouse.executeTransaction(_:aside:then:)`); never used by two at once.
    let width: Int
    private(set) var values: [OpaquePointer?] = []

    init(width: Int) { self.width = width }

    deinit {
        for value in values { sqlite3_value_free(value) }
    }

    var count: Int { width == 0 ? 0 : values.count / width }

    /// Copies the row `statement` stands on.
    func append(rowOf statement: SQLiteStatement) throws {
        for column in 0..<Int32(width) {
            guard let copy = sqlite3_value_dup(sqlite3_column_value(statement.handle, column)) else {
                throw WarehouseError(.sqlite, "out of memory copying column \(column) of: \(statement.sql.statementPreview)")
            }
            values.append(copy)
        }
    }

    /// Binds row `row` to `statement`'s parameters 1…width.
    func bind(row: Int, to statement: SQLiteStatement) throws {
        for column in 0..<width {
            let code = sqlite3_bind_value(statement.handle, Int32(column + 1), values[row * width + column])
            try statement.connection.check(code, doing: "bind parameter \(column + 1)", sql: statement.sql)
        }
    }
}

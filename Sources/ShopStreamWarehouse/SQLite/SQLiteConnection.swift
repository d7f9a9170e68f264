import Csqlite
import Foundation

/// The one owner of a `sqlite3*`. Every return code is checked where it is returned and becomes a
/// `WarehouseError` carrying the statement and SQLite's own message. Not thread-safe by itself:
/// `SQLiteWarehouse` serialises every use behind its lock.
final class SQLiteConnection {
    let path: String
    let handle: OpaquePointer
    private let busyTimeout: Duration
    /// When a commit reaches the disk (`SQLiteWarehouse.Durability`).
    private let durability: SQLiteWarehouse.Durability

    /// Opens (creating if missing) the database file, in WAL mode with a busy timeout, and
    /// registers ShopStream's SQL functions (`SQLiteFunctions`).
    init(path: String, busyTimeout: Duration, durability: SQLiteWarehouse.Durability = .eachCommit) throws {
        _ = Self.configured
        var db: OpaquePointer?
        // NOMUTEX: its one user, SQLiteWarehouse, already serialises every call behind its lock, so
        // SQLite's own mutex on every call (FULLMUTEX) was paid for nothing.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let detail = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            if let db { sqlite3_close_v2(db) }
            throw WarehouseError(
                .sqlite, "cannot open the SQLite warehouse \(path): \(detail); check that its folder exists and is writable",
                reason: SQLiteConnection.codeName(code))
        }
        self.path = path
        handle = db
        self.busyTimeout = busyTimeout
        self.durability = durability
        sqlite3_extended_result_codes(db, 1)
        let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        try check(sqlite3_busy_timeout(db, Int32(clamping: milliseconds)), doing: "set the busy timeout")
        try check(sqlite3_wal_autocheckpoint(db, Self.checkpointPages), doing: "set the WAL's checkpoint size")
        try setWAL(schema: "main")
        try SQLiteFunctions.register(on: self)
    }

    /// SQLite's process-wide settings, made once before the first connection opens: no memory
    /// statistics, whose global mutex every allocation of every connection took (two connections
    /// on two threads, a gold pass and its queries aside, spent more time in it than they gained).
    private static let configured: Void = { _ = shopstream_sqlite_disable_memory_statistics() }()

    /// The WAL's length, in pages, past which a commit copies it into the database file (SQLite's
    /// default is 1,000, 4 MiB). Silver's indexes on random ids dirty pages all over them, and a
    /// page written by many commits is copied (and flushed to disk) once a checkpoint: at 10,000
    /// (40 MiB) the silver sink's commits on a 700,000-event backlog held the connection ~12 %
    /// less time than at 1,000 (BENCHMARKS.md, issue 11's sixth pass); at 40,000 (160 MiB, the
    /// WAL's size on disk at most between checkpoints), with 10,000 rows a commit, it landed
    /// ~1.3 s sooner on disk than at 10,000 with 2,000 (issue 11).
    static let checkpointPages: Int32 = 40_000

    deinit {
        // close_v2: if a statement somehow outlived us, SQLite closes once it is finalized.
        sqlite3_close_v2(handle)
    }

    /// Puts one database (main or an attached dataset) in WAL mode: readers never block the
    /// writer, and a commit is one append to the log.
    /// Also gives it a 64 MiB page cache (SQLite's default is 2 MiB: silver's indexes on random
    /// event ids and gold's scans of millions of rows stay in memory), and the `synchronous` its
    /// durability asks for.
    /// SQLite answers the switch with SQLITE_BUSY at once, without its busy handler, while another
    /// connection is switching the same new file (four `warehouse init`s at once failed so, one
    /// round in a few): tried again for the busy timeout.
    func setWAL(schema: String) throws {
        let statement = try prepare("PRAGMA \(Identifier.quoted(schema)).journal_mode = WAL")
        let deadline = ContinuousClock.now + busyTimeout
        while true {
            do {
                _ = try statement.step()
                break
            } catch let error as WarehouseError where error.reason?.hasPrefix("SQLITE_BUSY") == true && ContinuousClock.now < deadline {
                statement.reset()
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        _ = try prepare("PRAGMA \(Identifier.quoted(schema)).cache_size = -65536").step()
        switch durability {
        case .eachCommit: break  // FULL, the default
        case .onMakeDurable: _ = try prepare("PRAGMA \(Identifier.quoted(schema)).synchronous = NORMAL").step()
        case .none: _ = try prepare("PRAGMA \(Identifier.quoted(schema)).synchronous = OFF").step()
        }
    }

    /// The path of the WAL of `schema` (main or an attached dataset): its file's name and
    /// "-wal". Nil for a schema with no file (temp, or not attached).
    func walPath(schema: String) -> String? {
        guard let file = sqlite3_db_filename(handle, schema), file.pointee != 0, let wal = sqlite3_filename_wal(file) else {
            return nil
        }
        return String(cString: wal)
    }

    /// fdatasync of the file at `path` (any descriptor of a file flushes all of it); a file that
    /// is not there has nothing to flush (a WAL before the first write).
    static func flushToDisk(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            throw WarehouseError(.sqlite, "cannot open \(path) to flush it to disk: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        #if os(Linux)
            let code = fdatasync(fd)
        #else
            let code = fsync(fd)
        #endif
        guard code == 0 else {
            throw WarehouseError(
                .sqlite,
                "could not flush \(path) to disk: \(String(cString: strerror(errno))); what was committed since the last flush may not survive a power cut"
            )
        }
    }

    /// Prepares the first statement of `sql`; `tail` receives the text after it.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var tail = ""
        guard let statement = try prepareFirst(sql, tail: &tail) else {
            throw WarehouseError(.query, "SQLite: no statement in \"\(sql.statementPreview)\"", sql: sql)
        }
        return statement
    }

    /// Prepares the first statement in `sql`, or returns nil when `sql` holds only blanks and
    /// comments; `tail` receives the rest of the text.
    func prepareFirst(_ sql: String, tail: inout String) throws -> SQLiteStatement? {
        var statement: OpaquePointer?
        var rest = ""
        let code = sql.withCString { base -> Int32 in
            var end: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(handle, base, -1, &statement, &end)
            if let end { rest = String(cString: end) }
            return code
        }
        tail = rest
        guard code == SQLITE_OK else {
            throw error(code, "SQLite refused the statement", sql: sql)
        }
        guard let statement else { return nil }
        return SQLiteStatement(
            connection: self, handle: statement, sql: String(sql.utf8.prefix(sql.utf8.count - rest.utf8.count))!.trimmingWhitespace())
    }

    /// Runs every statement in `sql` (SQLite's own statement splitting), stepping each to the end.
    func executeAll(_ sql: String) throws {
        var remaining = sql
        var number = 1
        while true {
            var tail = ""
            do {
                guard let statement = try prepareFirst(remaining, tail: &tail) else { return }
                while try statement.step() {}
            } catch let error as WarehouseError {
                // Name the statement when there are several.
                let several = number > 1 || !SQLStatements.isOnlyComments(tail.replacingOccurrences(of: ";", with: ""))
                throw several
                    ? WarehouseError(error.code, "statement \(number): " + error.message, sql: error.sql, reason: error.reason) : error
            }
            number += 1
            remaining = tail
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// `what` is built only for an error: checks run for every bound value and step.
    func check(_ code: Int32, doing what: @autoclosure () -> String, sql: @autoclosure () -> String? = nil) throws {
        guard code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW else {
            throw error(code, "SQLite could not \(what())", sql: sql())
        }
    }

    /// An error naming the statement, SQLite's message and its code, with advice for the codes a
    /// person can do something about.
    func error(_ code: Int32, _ what: String, sql: String?) -> WarehouseError {
        let message = String(cString: sqlite3_errmsg(handle))
        let name = Self.codeName(code)
        var text = "\(what): \(message) (\(name))"
        if let sql { text += " in: \(sql.statementPreview)" }
        let primary = code & 0xFF
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            text += "; another process holds the warehouse \(path) too long; retry, or raise the busy timeout"
        case SQLITE_FULL: text += "; the disk holding \(path) is full"
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM:
            text += "; check that \(path) and its folder are writable by this user"
        case SQLITE_CORRUPT, SQLITE_NOTADB: text += "; \(path) (or a dataset file beside it) is damaged or not a SQLite file"
        default: break
        }
        let kind: WarehouseError.Code =
            [SQLITE_ERROR, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE].contains(primary) ? .query : .sqlite
        return WarehouseError(kind, text, sql: sql, reason: name)
    }

    /// `SQLITE_CONSTRAINT_NOTNULL`, `SQLITE_BUSY`, …: the names in sqlite3.h for the codes seen in
    /// practice, else the number.
    static func codeName(_ code: Int32) -> String {
        // Extended codes are macros (primary | n << 8) that Swift does not import.
        func extended(_ primary: Int32, _ n: Int32) -> Int32 { primary | (n << 8) }
        let names: [Int32: String] = [
            SQLITE_ERROR: "SQLITE_ERROR", SQLITE_BUSY: "SQLITE_BUSY", SQLITE_LOCKED: "SQLITE_LOCKED",
            SQLITE_NOMEM: "SQLITE_NOMEM", SQLITE_READONLY: "SQLITE_READONLY", SQLITE_IOERR: "SQLITE_IOERR",
            SQLITE_CORRUPT: "SQLITE_CORRUPT", SQLITE_FULL: "SQLITE_FULL", SQLITE_CANTOPEN: "SQLITE_CANTOPEN",
            SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT", SQLITE_MISMATCH: "SQLITE_MISMATCH", SQLITE_RANGE: "SQLITE_RANGE",
            SQLITE_NOTADB: "SQLITE_NOTADB", SQLITE_PERM: "SQLITE_PERM", SQLITE_TOOBIG: "SQLITE_TOOBIG",
            extended(SQLITE_CONSTRAINT, 1): "SQLITE_CONSTRAINT_CHECK", extended(SQLITE_CONSTRAINT, 3): "SQLITE_CONSTRAINT_FOREIGNKEY",
            extended(SQLITE_CONSTRAINT, 5): "SQLITE_CONSTRAINT_NOTNULL", extended(SQLITE_CONSTRAINT, 6): "SQLITE_CONSTRAINT_PRIMARYKEY",
            extended(SQLITE_CONSTRAINT, 8): "SQLITE_CONSTRAINT_UNIQUE", extended(SQLITE_CONSTRAINT, 12): "SQLITE_CONSTRAINT_DATATYPE",
            extended(SQLITE_BUSY, 2): "SQLITE_BUSY_SNAPSHOT", extended(SQLITE_BUSY, 3): "SQLITE_BUSY_TIMEOUT",
        ]
        return names[code] ?? names[code & 0xFF].map { "\($0) (\(code))" } ?? "SQLite code \(code)"
    }
}

import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSilver

// MARK: The repository

/// The repository root, found from this file (symlinks resolved, so the tests
/// also find it when built through a package that links this folder).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let topicsDirectory = repositoryRoot.appendingPathComponent("topics")

func sqlText(_ path: String) throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent("sql").appendingPathComponent(path), encoding: .utf8)
}

let catalog: TopicCatalog = try! TopicCatalog.load(directory: topicsDirectory)
let silverSchema: SilverSchema = try! SilverSchema(catalog: catalog)
let validator = EventValidator(schema: silverSchema)

/// The wall clock the tests pretend it is: after every sample, so nothing is "in the future".
let testNow = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

// MARK: Validating

func validate(_ json: String, _ entity: Entity, now: Date = testNow) -> Result<ValidatedEvent, Rejection> {
    validator.validate(Array(json.utf8), entity: entity, now: now)
}

/// The event, or a test failure naming the reason.
func accepted(_ json: String, _ entity: Entity, file: StaticString = #filePath, line: UInt = #line) -> ValidatedEvent? {
    switch validate(json, entity) {
    case .success(let e): return e
    case .failure(let r):
        XCTFail("\(entity.rawValue) event rejected: \(r.reason)\n\(json)", file: file, line: line)
        return nil
    }
}

/// The rejection, or a test failure if the event passed.
func rejected(_ bytes: [UInt8], _ entity: Entity, now: Date = testNow, file: StaticString = #filePath, line: UInt = #line) -> Rejection? {
    switch validator.validate(bytes, entity: entity, now: now) {
    case .success:
        XCTFail(
            "\(entity.rawValue) event accepted but should not be: \(String(decoding: bytes.prefix(300), as: UTF8.self))", file: file,
            line: line)
        return nil
    case .failure(let r): return r
    }
}

// MARK: SQLite through the sqlite3 command-line shell

struct ShellResult {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs `sqlite3` on a fresh in-memory database with `silver` attached, feeding `script` on stdin.
/// Without the shell the test is skipped, except under CI=true, where it fails (scripts/setup installs it).
func sqlite(_ script: String) throws -> ShellResult {
    let process = Process()
    process.executableURL = try requiredTool("sqlite3")
    process.arguments = ["-bail", "-batch", ":memory:"]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let feed = Thread {
        input.fileHandleForWriting.write(Data(("ATTACH DATABASE ':memory:' AS silver;\n" + script).utf8))
        try? input.fileHandleForWriting.close()
    }
    feed.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ShellResult(
        status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
        errors: String(decoding: err, as: UTF8.self))
}

/// A value as an SQL literal (text for STRING, NUMERIC, DATE, TIMESTAMP; 1/0 for BOOL).
func sqlLiteral(_ v: WarehouseValue) -> String {
    switch v {
    case .null: return "NULL"
    case .string(let s), .numeric(let s), .date(let s), .timestamp(let s):
        return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    case .int64(let i): return String(i)
    case .float64(let d): return String(d)
    case .bool(let b): return b ? "1" : "0"
    }
}

func insertStatement(_ row: WarehouseRow, into table: SilverTable) -> String {
    "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES ("
        + table.columns.map { sqlLiteral(row.values[$0.name] ?? .null) }.joined(separator: ", ") + ");"
}

// MARK: Reading the DDL in sql/

/// A `CREATE TABLE` statement as written in sql/.
struct DeclaredTable: Equatable {
    var name: String
    var columns: [Column]
    var partitionBy: String?
    var clusterBy: [String]
}

/// Comments removed, then split into statements at `;` that end a line.
func statements(_ sql: String) -> [String] {
    let text = sql.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
        guard let dash = line.range(of: "--") else { return line }
        return line[..<dash.lowerBound]
    }.joined(separator: "\n")
    var out: [String] = []
    var current = ""
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        current += line + "\n"
        if line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
            out.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
            current = ""
        }
    }
    if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append(current) }
    return out
}

/// How sql/ spells each column type. BigQuery: the ColumnType name, NUMERIC with its
/// parameters (the emulator reads a bare NUMERIC as DECIMAL(18,3)). SQLite: the name, except
/// TEXT and NUMERIC_TEXT, whose TEXT affinity keeps strings and decimals exactly as written;
/// the warehouse reads both back (`ColumnType(sqliteDeclaredType:)`).
enum Dialect {
    case bigQuery, sqlite

    func spelling(_ type: ColumnType) -> String {
        switch (self, type) {
        case (.bigQuery, .numeric): return "NUMERIC(38, 9)"
        case (.sqlite, .string): return "TEXT"
        case (.sqlite, .numeric): return "NUMERIC_TEXT"
        default: return type.rawValue
        }
    }

    func type(spelled text: String) -> ColumnType? { ColumnType.allCases.first { spelling($0) == text } }
}

/// Splits at commas outside parentheses.
func topLevelParts(_ text: Substring) -> [Substring] {
    var parts: [Substring] = []
    var depth = 0
    var start = text.startIndex
    for i in text.indices {
        switch text[i] {
        case "(": depth += 1
        case ")": depth -= 1
        case "," where depth == 0:
            parts.append(text[start..<i])
            start = text.index(after: i)
        default: break
        }
    }
    parts.append(text[start...])
    return parts
}

/// Every `CREATE TABLE IF NOT EXISTS` of a DDL file, by qualified name.
func declaredTables(_ sql: String, _ dialect: Dialect) throws -> [String: DeclaredTable] {
    var tables: [String: DeclaredTable] = [:]
    for statement in statements(sql) where statement.uppercased().hasPrefix("CREATE TABLE") {
        let words = statement.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "(" })
        XCTAssertEqual(words.prefix(5).map { $0.uppercased() }, ["CREATE", "TABLE", "IF", "NOT", "EXISTS"], statement)
        guard words.count > 5 else {
            XCTFail("a CREATE TABLE without a name: \(statement)")
            continue
        }
        let name = String(words[5])
        // A statement these helpers cannot read is a failure: skipping it would let the DDL drift unseen.
        guard let open = statement.firstIndex(of: "(") else {
            XCTFail("\(name): no column list in \(statement)")
            continue
        }
        var close = open
        var depth = 0
        for i in statement[open...].indices {
            if statement[i] == "(" { depth += 1 }
            if statement[i] == ")" { depth -= 1; if depth == 0 { close = i; break } }
        }
        var columns: [Column] = []
        for definition in topLevelParts(statement[statement.index(after: open)..<close]) {
            let text = definition.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
            guard let space = text.firstIndex(of: " ") else { XCTFail("\(name): cannot read \(text)"); continue }
            var typeText = String(text[text.index(after: space)...])
            let notNull = typeText.hasSuffix(" NOT NULL")
            if notNull { typeText.removeLast(" NOT NULL".count) }
            guard let type = dialect.type(spelled: typeText) else {
                XCTFail("\(name).\(text[..<space]): \(typeText) is not how sql/ spells a column type for \(dialect)")
                continue
            }
            columns.append(Column(String(text[..<space]), type, nullable: !notNull))
        }
        let tail = statement[statement.index(after: close)...].trimmingCharacters(
            in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
        var partition: String?
        var cluster: [String] = []
        var rest = Substring(tail)
        if rest.hasPrefix("PARTITION BY ") {
            rest = rest.dropFirst("PARTITION BY ".count)
            let end = rest.range(of: "\nCLUSTER BY ")?.lowerBound ?? rest.endIndex
            partition = rest[..<end].trimmingCharacters(in: .whitespacesAndNewlines)
            rest = rest[end...].drop(while: { $0 == "\n" })
        }
        if rest.hasPrefix("CLUSTER BY ") {
            cluster = rest.dropFirst("CLUSTER BY ".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            rest = ""
        }
        XCTAssertEqual(rest.trimmingCharacters(in: .whitespacesAndNewlines), "", "\(name): unexpected text after the columns")
        tables[name] = DeclaredTable(name: name, columns: columns, partitionBy: partition, clusterBy: cluster)
    }
    return tables
}

/// Every `CREATE [OR REPLACE] VIEW silver.x AS SELECT a, b, … FROM`: the view's name and its column list.
func declaredViews(_ sql: String) -> [String: [String]] {
    var views: [String: [String]] = [:]
    for statement in statements(sql) {
        let flat = statement.split(whereSeparator: { $0 == "\n" }).joined(separator: " ")
        guard let viewRange = flat.range(of: "VIEW "), flat.hasPrefix("CREATE") else { continue }
        let afterView = flat[viewRange.upperBound...]
        let name = String(afterView.prefix { $0 != " " })
        guard let select = afterView.range(of: " AS SELECT "), let from = afterView.range(of: " FROM ") else { continue }
        views[name] = afterView[select.upperBound..<from.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    return views
}

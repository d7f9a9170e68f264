import Foundation
import ShopStreamCore
import ShopStreamWarehouse

/// The gold SQL of one dialect, read from `sql/gold/`: the tables (`tables.<dialect>.sql`)
/// and the blocks that detect changes in silver and rebuild gold (`build.<dialect>.sql`).
public struct GoldSQL: Sendable {
    public let dialect: SQLDialect
    /// CREATE … IF NOT EXISTS for every gold table, the state table and the views.
    public let tables: String
    /// Views for BI tools over gold (`sql/looker/views.<dialect>.sql`), when there are any for
    /// this dialect (BigQuery: Looker Studio reads it).
    public let views: String?
    /// Per source: a query returning (business_date, row_count).
    public let detect: [SilverSource: String]
    /// Per table: its delete-and-insert statements, with `{dates: EXPR}`-style placeholders.
    public let build: [GoldTable: String]
    /// Per table that copies dimension labels (`GoldTable.relabelled`): the statements that set
    /// them again from the current dimensions, for a pass where only the dimensions changed.
    public let relabel: [GoldTable: String]
    /// The `@stage` blocks (SQLite only), in file order: temporary tables shared by the builds.
    public let stages: [GoldStage]
    /// The columns each `CREATE TABLE IF NOT EXISTS gold.NAME (…)` of `tables` declares, in
    /// order, by table name (`daily_sales`, `_state`): what a table an older build made is
    /// compared with.
    public let declaredColumns: [String: [String]]

    /// Reads `DIR/gold/tables.<dialect>.sql` and `DIR/gold/build.<dialect>.sql`, where DIR is the
    /// repository's `sql/` folder.
    public init(directory: URL, dialect: SQLDialect) throws {
        let gold = directory.appendingPathComponent("gold")
        func read(_ name: String) throws -> String {
            let file = gold.appendingPathComponent(name)
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw GoldError(.sqlFiles, "cannot read \(file.path); pass --sql DIR pointing at the repository's sql/ folder")
            }
            return text
        }
        let looker = directory.appendingPathComponent("looker").appendingPathComponent("views.\(dialect).sql")
        try self.init(
            dialect: dialect, tables: read("tables.\(dialect).sql"), build: read("build.\(dialect).sql"),
            views: try? String(contentsOf: looker, encoding: .utf8))
    }

    /// Parses the text of a build file: blocks start at lines `-- @detect SOURCE`, `-- @build TABLE`,
    /// `-- @relabel TABLE` or `-- @stage NAME`.
    public init(dialect: SQLDialect, tables: String, build text: String, views: String? = nil) throws {
        self.dialect = dialect
        self.tables = tables
        self.views = views
        self.declaredColumns = Self.columns(declaredIn: tables)
        var detect: [SilverSource: String] = [:]
        var build: [GoldTable: String] = [:]
        var relabel: [GoldTable: String] = [:]
        var staged: [(name: String, query: String)] = []
        var current: (kind: String, name: String, lines: [Substring])?
        func finish() throws {
            guard let block = current else { return }
            let body = block.lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            switch block.kind {
            case "detect":
                guard let source = SilverSource(rawValue: block.name) else {
                    throw GoldError(
                        .sqlFiles,
                        "build.\(dialect).sql: '-- @detect \(block.name)' names no silver source; known: \(SilverSource.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                detect[source] = body.hasSuffix(";") ? String(body.dropLast()) : body
            case "stage":
                try Self.checkStage(block.name, body: body, dialect: dialect, known: staged.map(\.name))
                staged.append((block.name, body.hasSuffix(";") ? String(body.dropLast()) : body))
            default:
                guard let table = GoldTable(rawValue: block.name) else {
                    throw GoldError(
                        .sqlFiles,
                        "build.\(dialect).sql: '-- @\(block.kind) \(block.name)' names no gold table; known: \(GoldTable.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                if block.kind == "relabel" { relabel[table] = body } else { build[table] = body }
            }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- @") {
                try finish()
                let words = line.dropFirst(4).split(separator: " ")
                guard words.count == 2, ["detect", "build", "relabel", "stage"].contains(words[0]) else {
                    throw GoldError(
                        .sqlFiles,
                        "build.\(dialect).sql: cannot read '\(line)'; blocks start with '-- @detect SOURCE', '-- @build TABLE', '-- @relabel TABLE' or '-- @stage NAME'"
                    )
                }
                current = (String(words[0]), String(words[1]), [])
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        try finish()
        let missingDetect = SilverSource.allCases.filter { detect[$0] == nil }
        let missingBuild = GoldTable.allCases.filter { build[$0] == nil }
        let missingRelabel = GoldTable.relabelled.filter { relabel[$0] == nil }
        guard missingDetect.isEmpty, missingBuild.isEmpty, missingRelabel.isEmpty else {
            throw GoldError(
                .sqlFiles,
                "build.\(dialect).sql lacks blocks for: "
                    + (missingDetect.map { "@detect \($0.rawValue)" }
                    + missingBuild.map { "@build \($0.rawValue)" } + missingRelabel.map { "@relabel \($0.rawValue)" }).joined(
                        separator: ", "))
        }
        self.detect = detect
        self.build = build
        self.relabel = relabel
        self.stages = try staged.map { stage in
            let readers = Set(build.filter { GoldStage.isRead(stage.name, by: $0.value) }.keys)
            guard !readers.isEmpty else {
                throw GoldError(
                    .sqlFiles,
                    "build.\(dialect).sql: '-- @stage \(stage.name)' is read by no @build block; read it (FROM \(stage.name)) or remove it")
            }
            return GoldStage(name: stage.name, query: stage.query, readers: readers)
        }
    }

    /// Refuses a stage that could not run: a name SQLite would need quoted, or that a table
    /// reads as something else; a second stage of one name; a `{months: …}` placeholder or a
    /// broken one; a stage on BigQuery, where a temporary table lives only inside a script and
    /// the build file keeps its window functions instead.
    static func checkStage(_ name: String, body: String, dialect: SQLDialect, known: [String]) throws {
        let block = "build.\(dialect).sql: '-- @stage \(name)'"
        guard dialect == .sqlite else {
            throw GoldError(.sqlFiles, "\(block): stages are for SQLite only; on BigQuery de-duplicate inside each @build block")
        }
        guard GoldStage.isPlainName(name), GoldTable(rawValue: name) == nil, Entity(rawValue: name) == nil else {
            throw GoldError(
                .sqlFiles,
                "\(block): a stage is named with letters, digits and underscores, and not as a gold or silver table (e.g. sales_once)")
        }
        guard !known.contains(name) else { throw GoldError(.sqlFiles, "\(block) appears twice; give each stage its own name") }
        _ = try render(body, block: "@stage \(name)", keys: .dates([]), dialect: dialect, stage: true)
    }

    /// Reads the column names of each gold CREATE TABLE: one column a line, the name first;
    /// the list ends at the line that starts with `)`.
    static func columns(declaredIn tables: String) -> [String: [String]] {
        let opening = "CREATE TABLE IF NOT EXISTS \(GoldTable.dataset)."
        var declared: [String: [String]] = [:]
        var current: (name: String, columns: [String])?
        for line in tables.split(separator: "\n") {
            let code = (line.range(of: "--").map { line[..<$0.lowerBound] } ?? line).trimmingCharacters(in: .whitespaces)
            if let table = current {
                if code.hasPrefix(")") {
                    declared[table.name] = table.columns
                    current = nil
                } else if let name = code.split(separator: " ").first {
                    current!.columns.append(String(name))
                }
            } else if code.hasPrefix(opening) {
                let name = code.dropFirst(opening.count).prefix { $0 != " " && $0 != "(" }
                current = (String(name), [])
            }
        }
        return declared
    }

    /// A build block with its placeholders filled: `{dates: EXPR}`, `{months: EXPR}` and
    /// `{month_dates: EXPR}` become `EXPR IN (…)` from `keys`, or `TRUE` when `keys` says the
    /// whole table.
    public func render(_ table: GoldTable, keys: RebuildKeys) throws -> String {
        try Self.render(build[table]!, block: "@build \(table.rawValue)", keys: keys, dialect: dialect, stage: false)
    }

    /// The statements that make a stage's temporary table for `keys` (the dates its readers
    /// rebuild this pass: `.dates`, or `.whole`), after dropping one a failed pass of this
    /// connection may have left.
    public func create(_ stage: GoldStage, keys: RebuildKeys) throws -> String {
        let query = try Self.render(stage.query, block: "@stage \(stage.name)", keys: keys, dialect: dialect, stage: true)
        return "DROP TABLE IF EXISTS temp.\(stage.name);\nCREATE TEMP TABLE \(stage.name) AS\n\(query);"
    }

    /// The statement that drops a stage's temporary table at the end of a pass.
    public func drop(_ stage: GoldStage) -> String { "DROP TABLE temp.\(stage.name);" }

    static func render(_ text: String, block: String, keys: RebuildKeys, dialect: SQLDialect, stage: Bool) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"), let colon = rest[open..<close].firstIndex(of: ":") else {
                throw GoldError(.sqlFiles, "build.\(dialect).sql, \(block): an unclosed '{' placeholder")
            }
            let kind = rest[rest.index(after: open)..<colon].trimmingCharacters(in: .whitespaces)
            let expression = rest[rest.index(after: colon)..<close].trimmingCharacters(in: .whitespaces)
            let values: [String]?
            switch (kind, keys) {
            case ("months", _) where stage:
                throw GoldError(
                    .sqlFiles,
                    "build.\(dialect).sql, \(block): a stage holds sale dates, not months; write {month_dates: …} or {dates: …}")
            case (_, .whole): values = nil
            case ("dates", .dates(let dates)): values = dates
            case ("month_dates", .dates(let dates)) where stage: values = dates
            case ("months", .months(let months, _)): values = months
            case ("month_dates", .months(_, let dates)): values = dates
            default:
                throw GoldError(
                    .sqlFiles, "build.\(dialect).sql, \(block): placeholder {\(kind): …} does not fit a table rebuilt by \(keys.kind)")
            }
            if let values {
                out += values.isEmpty ? "FALSE" : "\(expression) IN (\(values.map(dialect.dateLiteral).joined(separator: ", ")))"
            } else {
                out += "TRUE"
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// `DATE '2025-01-01'` (BigQuery) or `'2025-01-01'` (SQLite, where dates are ISO text).
    public func dateLiteral(_ day: String) -> String { dialect.dateLiteral(day) }

    public func timestampLiteral(_ text: String) -> String {
        dialect == .bigquery ? "TIMESTAMP '\(text)'" : "'\(text)'"
    }
}

/// Which keys of a gold table one pass rebuilds.
public enum RebuildKeys: Sendable, Equatable {
    /// Business dates, `YYYY-MM-DD`, sorted.
    case dates([String])
    /// Months (`YYYY-MM-01`), with every sale date in silver that falls inside them.
    case months([String], saleDates: [String])
    /// The whole table.
    case whole

    var kind: String {
        switch self {
        case .dates: "date"
        case .months: "month"
        case .whole: "whole table"
        }
    }

    /// How many keys: dates, months, or nil for the whole table.
    public var count: Int? {
        switch self {
        case .dates(let d): d.count
        case .months(let m, _): m.count
        case .whole: nil
        }
    }
}

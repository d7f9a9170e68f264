import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSilver

/// sql/ is the source of truth for the warehouse; SilverSchema derives the same
/// tables from topics/. These keep the two in step and prove the SQLite text runs.
final class SQLTests: XCTestCase {
    func testBigQueryDDLDeclaresTheSilverSchema() throws {
        let sql = try sqlText("silver/bigquery.sql")
        XCTAssertEqual(statements(sql).first, "CREATE SCHEMA IF NOT EXISTS silver;")
        let declared = try declaredTables(sql, .bigQuery)
        XCTAssertEqual(Set(declared.keys), Set(silverSchema.allTables.map(\.name.description)))
        for table in silverSchema.allTables {
            let d = try XCTUnwrap(declared[table.name.description])
            XCTAssertEqual(d.columns, table.columns, "\(table.name): columns differ from SilverSchema")
            XCTAssertEqual(d.partitionBy, table.partitionExpression, "\(table.name)")
            XCTAssertEqual(d.clusterBy, table.clusterBy, "\(table.name)")
        }
    }

    func testSQLiteDDLDeclaresTheSameTablesWithoutPartitioning() throws {
        let declared = try declaredTables(try sqlText("silver/sqlite.sql"), .sqlite)
        XCTAssertEqual(Set(declared.keys), Set(silverSchema.allTables.map(\.name.description)))
        for table in silverSchema.allTables {
            let d = try XCTUnwrap(declared[table.name.description])
            XCTAssertEqual(d.columns, table.columns, "\(table.name): columns differ from SilverSchema")
            XCTAssertNil(d.partitionBy)
            XCTAssertEqual(d.clusterBy, [])
        }
    }

    func testViewsSelectEveryColumnOfTheirTableInBothDialects() throws {
        let expected: [String: Entity] = Dictionary(
            uniqueKeysWithValues: Entity.allCases.map { (SilverSchema.view(for: $0).description, $0) }
        )
        .merging(["silver.payments_latest": .payments, "silver.shipping_latest": .shipping]) { a, _ in a }
        for file in ["silver/views.bigquery.sql", "silver/views.sqlite.sql"] {
            let views = declaredViews(try sqlText(file))
            XCTAssertEqual(Set(views.keys), Set(expected.keys), file)
            for (view, entity) in expected {
                XCTAssertEqual(views[view], silverSchema.table(for: entity).columns.map(\.name), "\(file): \(view)")
            }
        }
    }

    func testEveryStatementEndsWithASemicolonAtALineEnd() throws {
        for file in ["silver/bigquery.sql", "silver/sqlite.sql", "silver/views.bigquery.sql", "silver/views.sqlite.sql", "joins.sql"] {
            let sql = try sqlText(file)
            for statement in statements(sql) {
                XCTAssert(statement.hasSuffix(";"), "\(file): a statement does not end with ';': \(statement.prefix(80))")
                XCTAssertEqual(statement.filter { $0 == ";" }.count, 1, "\(file): ';' inside a statement: \(statement.prefix(80))")
            }
            XCTAssertFalse(sql.contains("\t"), "\(file) has tabs")
        }
    }

    func testSQLiteRunsTheTablesViewsAndJoinTwiceOnAnEmptyDatabase() throws {
        let tables = try sqlText("silver/sqlite.sql"), views = try sqlText("silver/views.sqlite.sql"), join = try sqlText("joins.sql")
        let result = try sqlite(
            tables + views + tables + views + join
                + "SELECT count(*) FROM silver.sqlite_master WHERE type = 'view';\n"
                + "SELECT name FROM pragma_table_info('customers_current', 'silver');\n")
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.errors, "")
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "9")
        XCTAssertEqual(Array(lines.dropFirst()), silverSchema.table(for: .customers).columns.map(\.name))
    }

    /// With the declared types of sqlite.sql, SQLite keeps every value as written:
    /// a phone number keeps its `+`, money its two decimals, an id its leading zeros.
    func testSQLiteKeepsTextAndMoneyExactlyAsWritten() throws {
        guard let customer = accepted(with(Samples.first(.customers), "full_name", #""007""#), .customers),
            let product = accepted(with(Samples.first(.products), "base_price", "3499.50"), .products)
        else { return }
        let rows = [
            insertStatement(
                SilverRow.make(entity: .customers, event: customer, topic: "shop.customers", partition: 0, offset: 0, ingestedAt: testNow),
                into: silverSchema.table(for: .customers)),
            insertStatement(
                SilverRow.make(entity: .products, event: product, topic: "shop.products", partition: 0, offset: 0, ingestedAt: testNow),
                into: silverSchema.table(for: .products)),
        ]
        let result = try sqlite(
            try sqlText("silver/sqlite.sql") + rows.joined(separator: "\n") + "\n"
                + "SELECT typeof(phone), phone, typeof(full_name), full_name, typeof(age), typeof(event_time) FROM silver.customers;\n"
                + "SELECT typeof(base_price), base_price, typeof(launch_date) FROM silver.products;\n")
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "text|+923172128195|text|007|integer|text\ntext|3499.50|text\n")
    }

    /// On Pub/Sub, where partition and offset are NULL, the views still pick one row per event and
    /// per id, by publish time: a republished event (another message id) keeps its first copy, a
    /// redelivery (the same message) counts once, and the latest version of a customer wins.
    func testTheViewsPickByPublishTimeOnPubSub() throws {
        var script = try sqlText("silver/sqlite.sql") + (try sqlText("silver/views.sqlite.sql"))
        func load(_ json: String, _ entity: Entity, id: String, publishedMs: Int64, attempt: Int?) throws {
            let event = try XCTUnwrap(accepted(json, entity))
            let source = SourceCoordinates.pubSub(topic: entity.topic, messageId: id, publishTimeMs: publishedMs, deliveryAttempt: attempt)
            let row = SilverRow.make(entity: entity, event: event, source: source, ingestedAt: testNow, insertId: source.insertId)
            script += insertStatement(row, into: silverSchema.table(for: entity)) + "\n"
        }
        let sale = Samples.first(.sales)
        // Message ids that sort the other way round as text ("9" > "10"): publish time decides first.
        try load(sale, .sales, id: "9", publishedMs: 1_000, attempt: nil)
        try load(sale, .sales, id: "10", publishedMs: 2_000, attempt: nil)
        try load(sale, .sales, id: "9", publishedMs: 1_000, attempt: 2)
        // Two versions at the same event time: the one published later is current.
        let customer = Samples.first(.customers)
        try load(customer, .customers, id: "9", publishedMs: 1_000, attempt: nil)
        try load(with(customer, "loyalty_tier", #""Gold""#), .customers, id: "10", publishedMs: 2_000, attempt: nil)
        script += ".mode list\n.separator |\n"
        script += "SELECT count(*), max(_source_message_id) FROM silver.sales_dedup;\n"
        script += "SELECT loyalty_tier, _source_message_id FROM silver.customers_current;\n"
        let result = try sqlite(script)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output.split(separator: "\n").map(String.init), ["1|9", "Gold|10"])
    }

    /// Rows made by SilverRow, loaded into SQLite: resends, a second version of a
    /// customer, a declined payment and its retry. The seed's join gives one row
    /// per sale with the current dimension values and the latest payment.
    func testTheSeedJoinGivesOneRowPerSaleOverTheViews() throws {
        var script = try sqlText("silver/sqlite.sql") + (try sqlText("silver/views.sqlite.sql"))
        var offsets: [Entity: Int64] = [:]
        func load(_ json: String, _ entity: Entity, offset: Int64? = nil) throws {
            let event = try XCTUnwrap(accepted(json, entity))
            let o = offset ?? offsets[entity, default: 0]
            offsets[entity] = max(offsets[entity, default: 0], o + 1)
            let row = SilverRow.make(entity: entity, event: event, topic: entity.topic, partition: 0, offset: o, ingestedAt: testNow)
            script += insertStatement(row, into: silverSchema.table(for: entity)) + "\n"
        }
        for entity in [Entity.customers, .products, .stores] {
            for json in Samples.events(entity) { try load(json, entity) }
        }
        // The first customer moves up to Gold later (a new version), the resend of an old version changes nothing.
        let customer = Samples.first(.customers)
        try load(with(with(customer, "loyalty_tier", #""Gold""#), "event_time", #""2025-02-01T10:00:00.000+05:00""#), .customers)
        try load(customer, .customers, offset: 0)
        // Three sales, all by known customers, products and stores; the first is also resent.
        let ids = [("CUS-00000001", "PRD-0001", "STR-01"), ("CUS-00000700", "PRD-0064", "STR-09"), ("CUS-00002725", "PRD-0072", "STR-17")]
        var saleIds: [String] = []
        for (k, json) in Samples.sales.prefix(3).enumerated() {
            let sale = with(
                with(with(json, "customer_id", "\"\(ids[k].0)\""), "product_id", "\"\(ids[k].1)\""), "store_id", "\"\(ids[k].2)\"")
            try load(sale, .sales)
            saleIds.append(try XCTUnwrap(accepted(sale, .sales)).id)
        }
        try load(
            with(
                with(with(Samples.sales[0], "customer_id", "\"\(ids[0].0)\""), "product_id", "\"\(ids[0].1)\""), "store_id",
                "\"\(ids[0].2)\""), .sales, offset: 0)
        // The first sale: a declined card, then the retry by JazzCash; the second: delivered.
        let failed = with(with(Samples.payments[2], "sale_id", "\"\(saleIds[0])\""), "event_time", #""2025-03-21T00:05:00.000+05:00""#)
        let retried = with(
            with(with(Samples.payments[0], "sale_id", "\"\(saleIds[0])\""), "payment_method", #""JazzCash""#),
            "event_time", #""2025-03-21T00:09:00.000+05:00""#)
        try load(failed, .payments)
        try load(with(retried, "paid_at", #""2025-03-21T00:09:00.000+05:00""#), .payments)
        try load(with(Samples.shipping[0], "sale_id", "\"\(saleIds[1])\""), .shipping)

        script += ".mode list\n.separator |\n.nullvalue NULL\n" + (try sqlText("joins.sql"))
        script += "SELECT count(*) FROM silver.sales;\nSELECT count(*) FROM silver.customers_current;\n"
        let result = try sqlite(script)
        XCTAssertEqual(result.status, 0, result.errors)
        let lines = result.output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines.suffix(2).map { $0[0] }, ["4", "3"], "four sale rows in the table (one resent), three customers")
        let joined = Dictionary(uniqueKeysWithValues: lines.dropLast(2).map { ($0[0], $0) })
        XCTAssertEqual(lines.count - 2, 3, "one row per sale: \(result.output)")
        XCTAssertEqual(Set(joined.keys), Set(saleIds))
        for row in joined.values {
            XCTAssertEqual(row.count, 13)
            XCTAssertFalse(
                row[4] == "NULL" || row[7] == "NULL" || row[9] == "NULL", "a sale without its customer, product or store: \(row)")
        }
        let first = try XCTUnwrap(joined[saleIds[0]])
        XCTAssertEqual(first[4], "Umar Siddiqui")
        XCTAssertEqual(first[6], "Gold", "the customer's current tier")
        XCTAssertEqual(first[11], "JazzCash", "the sale's latest payment")
        XCTAssertEqual(first[12], "NULL", "no shipment")
        XCTAssertEqual(joined[saleIds[1]]?[12], "Delivered")
        XCTAssertEqual(joined[saleIds[2]]?[11], "NULL", "no payment loaded for the third sale")
    }
}

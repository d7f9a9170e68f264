import Foundation
import ShopStreamLake
import ShopStreamWarehouse
import TestSupport
import XCTest

/// `shopstream check` on real pipeline output (SQLite and a folder lake, with the broker that
/// carried it): a clean run passes, and each way of breaking it is named in the report.
final class CheckCommandTests: XCTestCase {
    func testEveryCheckPassesOnACleanRun() throws {
        let clean = try CleanPipeline.shared()
        let r = try runShopstream([
            "check", "--warehouse", clean.output.warehouse, "--lake", clean.output.lake, "--brokers", clean.broker.bootstrap,
        ])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let lines = checkLines(r.stdout)
        XCTAssertEqual(lines.count, 81, "50 silver checks, 24 of gold (run builds it) and 7 reconciliations: \(r.stdout)")
        XCTAssertEqual(lines.filter { !$0.hasPrefix("PASS ") }, [])
        XCTAssertTrue(r.stdout.hasSuffix("81 checks: 81 passed, 0 failed, 0 warnings\n"), r.stdout)
        for name in [
            "unique(silver.sales_dedup.sale_id)", "unique(silver.inventory_current.(store_id, product_id))",
            "unique(silver.sales.(_source_topic, _source_message_id))", "unique(silver.customers.(_source_topic, _source_message_id))",
            "not_null(silver.sales_dedup.(event_id, sale_id, customer_id, product_id, store_id))",
            "relationships(silver.payments_dedup.sale_id → silver.sales_dedup.sale_id)",
            "accepted_values(silver.payments_dedup.status)", "accepted_values(silver.sales_dedup.promotion)",
            "freshness(silver.sales)", "freshness(silver.shipping)",
            "reconcile(shop.sales: kafka = lake = silver + rejects)", "reconcile(shop.customers: kafka = lake = silver + rejects)",
            "unique(gold.daily_sales.(sale_date, store_id))", "not_null(gold.inventory_health.(store_id, product_id))",
            "reconcile(gold.daily_sales: orders = sale events per compacted date)", "freshness(gold._state)",
        ] {
            XCTAssertEqual(reportLine(r.stdout, name), "PASS \(name)", r.stdout)
        }
    }

    func testAnOrphanSaleFailsItsRelationshipNamingTheSaleAndTheMissingCustomer() throws {
        let output = try CleanPipeline.shared().copy(for: self)
        // A copy of a real sale, under a new sale and event id, for a customer that exists nowhere.
        try output.openWarehouse().execute(
            """
            INSERT INTO silver.sales
            SELECT 'e0000000-0000-4000-8000-000000009999', event_time, 'SAL-0000009999', sale_date, 'CUS-99999999', product_id,
              store_id, salesperson, channel, quantity, unit_price, discount, total_price, promotion, _source_topic,
              _source_partition, 1000000, '0:1000000', _source_publish_time, _source_delivery_attempt, 'shop.sales:0:1000000', _ingested_at
            FROM silver.sales ORDER BY sale_id LIMIT 1;
            """)
        let r = try runShopstream(["check", "--warehouse", output.warehouse])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let name = "relationships(silver.sales_dedup.customer_id → silver.customers_current.customer_id)"
        XCTAssertEqual(reportLine(r.stdout, name), "FAIL \(name): 1 row: sale_id=SAL-0000009999 customer_id=CUS-99999999", r.stdout)
        XCTAssertEqual(checkLines(r.stdout).filter { $0.hasPrefix("FAIL") }.count, 1, "nothing else breaks: \(r.stdout)")
        XCTAssertTrue(r.stdout.contains("74 checks: 73 passed, 1 failed, 0 warnings"), r.stdout)
    }

    func testASecondSaleRowWithTheSameSaleIdFailsUniquenessNamingTheSaleId() throws {
        let output = try CleanPipeline.shared().copy(for: self)
        let warehouse = try output.openWarehouse()
        let saleId = try XCTUnwrap(warehouse.query("SELECT MIN(sale_id) FROM silver.sales_dedup").scalar)
        // Another event (new event_id, new offset) for the same sale: the dedup view keeps both.
        try warehouse.execute(
            """
            INSERT INTO silver.sales
            SELECT 'e0000000-0000-4000-8000-000000000002', event_time, sale_id, sale_date, customer_id, product_id, store_id,
              salesperson, channel, quantity, unit_price, discount, total_price, promotion, _source_topic,
              _source_partition, 1000001, '0:1000001', _source_publish_time, _source_delivery_attempt, 'shop.sales:0:1000001', _ingested_at
            FROM silver.sales WHERE sale_id = '\(saleId)';
            """)
        let r = try runShopstream(["check", "--warehouse", output.warehouse])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertEqual(
            reportLine(r.stdout, "unique(silver.sales_dedup.sale_id)"),
            "FAIL unique(silver.sales_dedup.sale_id): 1 row: sale_id=\(saleId) occurrences=2", r.stdout)
    }

    func testAnEventLandedTwiceInARawSilverTableFailsUniquenessNamingItsSourceCoordinates() throws {
        let output = try CleanPipeline.shared().copy(for: self)
        let warehouse = try output.openWarehouse()
        let messageId = try XCTUnwrap(warehouse.query("SELECT MIN(_source_message_id) FROM silver.payments").scalar)
        // The same row again, as an insertAll re-sent after a crash lands it: the dedup view hides it.
        try warehouse.execute("INSERT INTO silver.payments SELECT * FROM silver.payments WHERE _source_message_id = '\(messageId)';")
        let r = try runShopstream(["check", "--warehouse", output.warehouse])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let name = "unique(silver.payments.(_source_topic, _source_message_id))"
        XCTAssertEqual(
            reportLine(r.stdout, name), "FAIL \(name): 1 row: _source_topic=shop.payments _source_message_id=\(messageId) occurrences=2",
            r.stdout)
        XCTAssertEqual(checkLines(r.stdout).filter { $0.hasPrefix("FAIL") }.count, 1, "only the raw table shows it: \(r.stdout)")
    }

    func testGoldCompactedLongBeforeSilverWasIngestedFailsFreshnessNamingGoldAndAFreshCompactionPasses() throws {
        let output = try CleanPipeline.shared().copy(for: self)
        let warehouse = try output.openWarehouse()
        // The compactor's state, as if its last pass had run on New Year's Day.
        try warehouse.execute("UPDATE gold._state SET compacted_at = '2025-01-01T00:00:00.000000Z';")
        let stale = try runShopstream(["check", "--warehouse", output.warehouse])
        XCTAssertEqual(stale.status, 1, stale.stdout + stale.stderr)
        let line = try XCTUnwrap(reportLine(stale.stdout, "freshness(gold._state)"), stale.stdout)
        XCTAssertTrue(line.hasPrefix("FAIL freshness(gold._state): gold is stale: silver.sales has rows ingested "), line)
        XCTAssertTrue(line.contains("after the last compaction in gold._state (2025-01-01T00:00:00.000000Z"), line)
        XCTAssertTrue(line.hasSuffix("allowed 15m; run shopstream compact"), line)

        XCTAssertEqual(
            try runShopstream(["check", "--warehouse", output.warehouse, "--max-lag", "100000h"]).status, 0, "--max-lag sets the allowance")

        let compact = try runShopstream(["compact", "--warehouse", output.warehouse, "--full-refresh"])
        XCTAssertEqual(compact.status, 0, compact.stderr)
        let fresh = try runShopstream(["check", "--warehouse", output.warehouse, "--lake", output.lake])
        XCTAssertEqual(fresh.status, 0, fresh.stdout + fresh.stderr)
        XCTAssertEqual(checkLines(fresh.stdout).filter { !$0.hasPrefix("PASS ") }, [], "every check passes once gold is fresh")
        XCTAssertTrue(fresh.stdout.contains("81 checks: 81 passed, 0 failed, 0 warnings"), fresh.stdout)
    }

    func testAGoldRowThatDisagreesWithSilverFailsReconciliationNamingTheDate() throws {
        let output = try CleanPipeline.shared().copy(for: self)
        let warehouse = try output.openWarehouse()
        let day = try XCTUnwrap(warehouse.query("SELECT MIN(sale_date) FROM gold.daily_sales").scalar)
        let events = try XCTUnwrap(warehouse.query("SELECT COUNT(DISTINCT event_id) FROM silver.sales WHERE sale_date = '\(day)'").scalar)
        try warehouse.execute(
            "UPDATE gold.daily_sales SET orders = orders + 1 WHERE sale_date = '\(day)' AND store_id = (SELECT MIN(store_id) FROM gold.daily_sales);"
        )
        let r = try runShopstream(["check", "--warehouse", output.warehouse])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let name = "reconcile(gold.daily_sales: orders = sale events per compacted date)"
        XCTAssertEqual(
            reportLine(r.stdout, name),
            "FAIL \(name): 1 row: sale_date=\(day) silver_sale_events=\(events) gold_orders=\(Int(events)! + 1)", r.stdout)
    }

    func testACustomerTotalThatDriftedFromItsLedgerFailsReconciliationNamingTheCustomer() throws {
        let output = try CleanPipeline.shared().copy(for: self)
        let warehouse = try output.openWarehouse()
        let customer = try XCTUnwrap(warehouse.query("SELECT MIN(customer_id) FROM gold.customer_totals").scalar)
        let orders = try XCTUnwrap(warehouse.query("SELECT orders FROM gold.customer_totals WHERE customer_id = '\(customer)'").scalar)
        // As a pass that took a day away twice would leave it.
        try warehouse.execute("UPDATE gold.customer_totals SET orders = orders - 1 WHERE customer_id = '\(customer)';")
        let r = try runShopstream(["check", "--warehouse", output.warehouse])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let name = "reconcile(gold.customer_totals = sums of gold.customer_spend_daily)"
        let line = try XCTUnwrap(reportLine(r.stdout, name), r.stdout)
        XCTAssertTrue(
            line.hasPrefix("FAIL \(name): 1 row: customer_id=\(customer) kept_orders=\(Int(orders)! - 1) summed_orders=\(orders) "), line)
        XCTAssertEqual(checkLines(r.stdout).filter { $0.hasPrefix("FAIL") }.count, 1, "nothing else breaks: \(r.stdout)")
    }

    func testABronzeObjectDeletedFromTheLakeFailsReconciliationNamingTheTopicAndTheNumbers() throws {
        let clean = try CleanPipeline.shared()
        let output = try clean.copy(for: self)
        let lake = try output.openLake()
        let sales = try lake.list(prefix: "bronze/sales/")
        let lost = try XCTUnwrap(sales.first)
        let lostEvents = try XCTUnwrap(lost.metadata["count"].flatMap(Int.init))
        let inLake = sales.reduce(0) { $0 + Int($1.metadata["count"]!)! }
        let inSilver = try XCTUnwrap(output.openWarehouse().query("SELECT COUNT(*) FROM silver.sales").scalar.flatMap(Int.init))
        XCTAssertEqual(inLake, inSilver, "the copy starts clean")
        try lake.delete(lost.name)

        let r = try runShopstream(["check", "--warehouse", output.warehouse, "--lake", output.lake, "--brokers", clean.broker.bootstrap])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let s = lostEvents == 1 ? "" : "s"
        XCTAssertEqual(
            reportLine(r.stdout, "reconcile(shop.sales: kafka = lake = silver + rejects)"),
            "FAIL reconcile(shop.sales: kafka = lake = silver + rejects): kafka \(inSilver) ≠ lake \(inLake - lostEvents): the lake has \(lostEvents) event\(s) fewer than Kafka's records; lake \(inLake - lostEvents) ≠ silver \(inSilver) + rejects 0 = \(inSilver): silver and rejects have \(lostEvents) record\(s) more than the lake",
            r.stdout)
        XCTAssertEqual(checkLines(r.stdout).filter { $0.hasPrefix("FAIL") }.count, 1, "the other topics still reconcile: \(r.stdout)")
    }

    func testSelectRunsOnlyTheMatchingChecks() throws {
        let clean = try CleanPipeline.shared()
        let r = try runShopstream([
            "check", "--warehouse", clean.output.warehouse, "--select", "relationships(silver.sales_dedup*", "--select", "unique",
        ])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let names = checkLines(r.stdout).map { $0.dropFirst(5).prefix { $0 != ":" } }
        XCTAssertEqual(names.count, 28, "14 unique in silver (7 views, 7 raw tables), 11 in gold, 3 relationships: \(r.stdout)")
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix("unique(") || $0.hasPrefix("relationships(silver.sales_dedup.") }, r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("28 checks: 28 passed, 0 failed, 0 warnings\n"), r.stdout)

        let listed = try runShopstream(["check", "--list", "--select", "freshness"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertEqual(
            listed.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") },
            [
                "freshness(silver.sales)", "freshness(silver.payments)", "freshness(silver.shipping)", "freshness(gold._state)",
            ])
    }

    func testUsageErrorsExitWith64AndSayWhatIsWrong() throws {
        for (arguments, message) in [
            (
                ["--max-age", "soon"],
                "'--max-age <duration>': expected a number and a unit (durations are written 500ms, 5s, 2m, 1h, 1h30m or 30d)"
            ),
            (["--brokers", "localhost:9092"], "--brokers needs --lake"),
            (["--select", "no-such-check"], "matches no check"),
        ] {
            let r = try runShopstream(["check", "--warehouse", "sqlite:///nonexistent/w.db"] + arguments)
            XCTAssertEqual(r.status, 64, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr)
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        }
    }

    func testAWarehouseThatIsNotThereIsAnErrorAndIsNotCreated() throws {
        let directory = try temporaryDirectory(for: self)
        let r = try runShopstream(["check", "--warehouse", "sqlite://\(directory)/typo.db"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(
            r.stderr, "error: there is no SQLite warehouse at \(directory)/typo.db; check --warehouse (the pipeline's sinks create it)\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "nothing created")
    }

    func testHelpTeachesWhatIsCheckedAndHowToReadTheReport() throws {
        let r = try runShopstream(["check", "--help"])
        XCTAssertEqual(r.status, 0)
        for text in [
            "unique", "not_null", "relationships", "accepted_values", "freshness", "gold._state", "reconcile", "PASS", "FAIL", "WARN",
            "Exit status",
        ] {
            XCTAssertTrue(r.stdout.contains(text), "--help mentions \(text)")
        }
        XCTAssertFalse(r.stdout.contains("--sql "), "check applies no SQL folder, so it offers none")
    }
}

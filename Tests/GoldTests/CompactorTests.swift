import Foundation
import ShopStreamCore
import ShopStreamSinks
import ShopStreamWarehouse
import XCTest

@testable import ShopStreamGold

/// The compactor against real warehouses: SQLite, and the BigQuery emulator.
final class CompactorTests: XCTestCase {
    func testGoldAddsUpToWhatTheSimulationSold() throws {
        let warehouse = try sqliteWarehouse()
        let history = try History(into: warehouse)
        try history.load(days: 9)
        let report = try compactor(warehouse).compact()
        XCTAssertTrue(report.plan.fullRefresh, "the first pass builds everything")
        let stats = history.simulator.stats

        let sales = try warehouse.query(
            "SELECT SUM(orders), SUM(units), SUM(paisa(net_revenue)), SUM(paisa(discounts)) FROM gold.daily_sales")
        XCTAssertEqual(sales.rows[0], ["\(stats.sales)", "\(stats.unitsSold)", "\(stats.revenuePaisa)", "\(stats.discountPaisa)"])
        let monthly = try warehouse.query(
            "SELECT SUM(orders), SUM(paisa(net_revenue)), MAX(cumulative_customers) FROM gold.executive_monthly")
        XCTAssertEqual(monthly.rows[0], ["\(stats.sales)", "\(stats.revenuePaisa)", "\(stats.customers)"])
        let products = try warehouse.query("SELECT SUM(orders), SUM(paisa(net_revenue)) FROM gold.product_daily")
        XCTAssertEqual(products.rows[0], ["\(stats.sales)", "\(stats.revenuePaisa)"])
        let people = try warehouse.query(
            "SELECT SUM(orders), SUM(paisa(gross_revenue)) - SUM(paisa(discounts)) FROM gold.salesperson_monthly")
        XCTAssertEqual(people.rows[0], ["\(stats.sales)", "\(stats.revenuePaisa)"])
        let segments = try warehouse.query("SELECT SUM(customers), SUM(orders), SUM(paisa(net_revenue)) FROM gold.customer_segments")
        XCTAssertEqual(segments.rows[0], ["\(stats.customers)", "\(stats.sales)", "\(stats.revenuePaisa)"])
        let refunds = try warehouse.query("SELECT SUM(paisa(refunded_amount)) FROM gold.payment_daily")
        XCTAssertEqual(refunds.scalar, "\(stats.refundedPaisa)")
        let ranks = try warehouse.query(
            "SELECT COUNT(*) FROM gold.product_daily WHERE rank_in_category = 1 GROUP BY sale_date, category HAVING COUNT(*) <> 1")
        XCTAssertEqual(ranks.rows, [], "exactly one product ranks first in each category each day")
    }

    func testIncrementalAfterANewDayEqualsAFullRefreshAndTouchesOnlyTheNewDates() throws {
        try incrementalEqualsFullRefresh(on: sqliteWarehouse())
    }

    func testIncrementalAfterANewDayEqualsAFullRefreshOnTheEmulator() throws {
        try incrementalEqualsFullRefresh(on: emulatorWarehouse())
    }

    private func incrementalEqualsFullRefresh(on warehouse: any Warehouse) throws {
        let history = try History(into: warehouse)
        var known = Set<String>()
        _ = try businessDates(of: history.load(days: 8), knownCustomers: &known)
        let compactor = try compactor(warehouse)
        try compactor.compact()
        let before = try goldSnapshot(warehouse)

        let newDay = try history.load(days: 1)
        let expected = try businessDates(of: newDay, knownCustomers: &known)
        let report = try compactor.compact()
        XCTAssertFalse(report.plan.fullRefresh)
        for source in [SilverSource.sales, .payments, .shipping, .signups] {
            XCTAssertFalse(expected[source, default: []].isEmpty, "the new day carries \(source), so this compares something")
            XCTAssertEqual(
                Set((report.plan.touched[source] ?? []).compactMap { $0 }), expected[source] ?? [],
                "the pass touches exactly the \(source) dates the new events carry")
        }
        XCTAssertEqual(report.plan.tables[.dailySales], .dates(["2025-02-05"]), "one new sales day, nothing older")
        // Shipments reported today left on a few recent days: those dates are rebuilt, not the whole history.
        let shipped = try XCTUnwrap(expected[.shipping], "the new day reports shipments").sorted()
        XCTAssertLessThan(shipped.count, 8, "shipped on a few recent days: \(shipped)")
        XCTAssertEqual(report.plan.tables[.shippingDaily], .dates(shipped), "shipping_daily rebuilds exactly the shipped dates")
        let incremental = try goldSnapshot(warehouse)
        XCTAssertNotEqual(incremental, before, "the new day changed gold")

        let again = try compactor.compact()
        XCTAssertTrue(again.plan.isUpToDate, "a second pass finds nothing to do")
        XCTAssertEqual(try goldSnapshot(warehouse), incremental, "and changes nothing")

        try compactor.compact(fullRefresh: true)
        let full = try goldSnapshot(warehouse)
        for table in GoldTable.allCases {
            XCTAssertEqual(incremental[table], full[table], "\(table.rawValue): incremental equals a full refresh")
        }
        if warehouse.dialect == .bigquery {
            // Looker Studio's views read the same rows.
            XCTAssertEqual(
                try warehouse.query("SELECT COUNT(*), SUM(orders) FROM looker.store_sales").rows,
                try warehouse.query("SELECT COUNT(*), SUM(orders) FROM gold.daily_sales").rows)
            for view in [
                "executive_summary", "product_performance", "salesperson_performance", "payment_mix", "customer_growth",
                "customer_segments", "inventory_health", "shipping_performance",
            ] {
                XCTAssertNotEqual(try warehouse.query("SELECT COUNT(*) FROM looker.\(view)").scalar, "0", "looker.\(view) has rows")
            }
        }
    }

    func testAPassThatFailsMidwayLeavesGoldAndItsStateAsTheyWereAndTheNextPassSucceeds() throws {
        try failingPassChangesNothing(on: sqliteWarehouse())
    }

    func testAPassThatFailsMidwayLeavesGoldAndItsStateAsTheyWereOnTheEmulator() throws {
        try failingPassChangesNothing(on: emulatorWarehouse())
    }

    /// A pass over a new day whose shipping_daily SQL fails — after daily_sales, product_daily,
    /// salesperson_monthly and payment_daily were rebuilt in the same pass — must leave every gold
    /// table and gold._state as they were; once the fault is gone the next pass does the work.
    private func failingPassChangesNothing(on warehouse: any Warehouse) throws {
        let history = try History(into: warehouse)
        try history.load(days: 3)
        let compactor = try compactor(warehouse)
        try compactor.compact()
        try history.load(days: 1)
        // The fault: two copies (new event ids) of the newest shipment, each delayed by the largest
        // INT64. Their SUM(delay_days) overflows INT64 in both engines, row order or not.
        let faulty = ["e0000000-0000-4000-8000-0000000fa171", "e0000000-0000-4000-8000-0000000fa172"]
        for (n, id) in faulty.enumerated() {
            try warehouse.execute(
                """
                INSERT INTO silver.shipping (event_id, event_time, shipment_id, sale_id, carrier, origin_city, destination_city,
                  shipped_date, expected_delivery_date, delivery_status, delay_days, damaged, delivered_date,
                  _source_topic, _source_partition, _source_offset, _source_message_id, _insert_id, _ingested_at)
                SELECT '\(id)', event_time, shipment_id, sale_id, carrier, origin_city, destination_city,
                  shipped_date, expected_delivery_date, delivery_status, \(Int64.max), damaged, delivered_date,
                  _source_topic, _source_partition, _source_offset + \(1_000_000 + n), 'fault:\(n)', 'shop.shipping:fault:\(n)', _ingested_at
                FROM silver.shipping WHERE event_id = (SELECT MAX(event_id) FROM silver.shipping
                  WHERE event_time = (SELECT MAX(event_time) FROM silver.shipping));
                """)
        }
        let plan = CompactionPlan(previous: try compactor.readState(), current: try compactor.detect(), fullRefresh: false)
        for table in [GoldTable.dailySales, .productDaily, .salespersonMonthly, .paymentDaily, .shippingDaily] {
            XCTAssertNotNil(plan.tables[table], "the pass rebuilds \(table.rawValue): the failure comes midway, after tables it changed")
        }
        let before = try rawGoldSnapshot(warehouse)
        XCTAssertFalse(before["_state", default: []].isEmpty, "the first pass left its state")

        XCTAssertThrowsError(try compactor.compact(), "shipping_daily cannot be built") { error in
            let said =
                warehouse.dialect == .bigquery
                ? ["out of range", "sum(delay_days)"] : ["integer overflow", "INSERT INTO gold.shipping_daily"]
            XCTAssertTrue(said.allSatisfy("\(error)".contains), "\(error)")
        }
        let after = try rawGoldSnapshot(warehouse)
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        for table in before.keys.sorted() {
            XCTAssertEqual(after[table], before[table], "gold.\(table) is as it was before the failed pass")
        }

        // The fault removed, the next pass does what the failed one could not.
        try warehouse.execute("DELETE FROM silver.shipping WHERE event_id IN ('\(faulty.joined(separator: "', '"))');")
        let report = try compactor.compact()
        XCTAssertFalse(report.plan.isUpToDate, "the new day is still to do")
        let caughtUp = try goldSnapshot(warehouse)
        XCTAssertGreaterThan(caughtUp[.dailySales]!.count, before["daily_sales"]!.count, "and done now: the new day is in gold")
        try compactor.compact(fullRefresh: true)
        XCTAssertEqual(caughtUp, try goldSnapshot(warehouse), "as a full rebuild has it")
    }

    func testAGoldTableAnOlderBuildMadeIsNamedAndAFullRefreshRecreatesIt() throws {
        try olderGoldTableIsRecreatedByAFullRefresh(on: sqliteWarehouse())
    }

    func testAGoldTableAnOlderBuildMadeIsNamedAndAFullRefreshRecreatesItOnTheEmulator() throws {
        try olderGoldTableIsRecreatedByAFullRefresh(on: emulatorWarehouse())
    }

    private func olderGoldTableIsRecreatedByAFullRefresh(on warehouse: any Warehouse) throws {
        try History(into: warehouse).load(days: 3)
        // As an older ShopStream could have left it: the same name, other columns.
        let daily = GoldTable.dailySales.tableName
        let text = warehouse.dialect == .bigquery ? "STRING" : "TEXT"
        try warehouse.createDataset(GoldTable.dataset)
        try warehouse.execute("CREATE TABLE \(daily) (sale_date DATE, store_id \(text), revenue \(text));")

        XCTAssertThrowsError(try compactor(warehouse).compact(), "a pass never writes into a table of another shape") { error in
            XCTAssertEqual((error as? GoldError)?.code, .drift)
            XCTAssertEqual(
                "\(error)",
                """
                gold differs from sql/gold/tables.\(warehouse.dialect).sql (an older ShopStream made these tables): \
                gold.daily_sales lacks store_name, city, region, orders, units, gross_revenue, discounts, net_revenue, \
                avg_order_value and has revenue that sql/ no longer declares. Run shopstream compact --full-refresh: it \
                re-creates the tables that differ and rebuilds gold from silver
                """)
        }
        XCTAssertEqual(try warehouse.columns(of: daily)?.map(\.name), ["sale_date", "store_id", "revenue"], "left as it was")

        let report = try compactor(warehouse).compact(fullRefresh: true)
        XCTAssertEqual(report.recreated, [daily])
        XCTAssertEqual(report.lines.first, "re-created gold.daily_sales: its columns differed from sql/")
        XCTAssertEqual(try compactor(warehouse).drift(), [], "every gold table now has the declared columns")
        let orders = try warehouse.query("SELECT SUM(orders) FROM \(daily)").scalar
        let sales = try warehouse.query("SELECT COUNT(DISTINCT event_id) FROM silver.sales").scalar
        XCTAssertEqual(orders, sales, "and holds every sale")
        XCTAssertTrue(try compactor(warehouse).compact().plan.isUpToDate, "after which passes go on as usual")
    }

    func testARenamedProductRelabelsItsStockPairsAsAFullRefreshWould() throws {
        try renamedProductIsRelabelled(on: sqliteWarehouse())
    }

    func testARenamedProductRelabelsItsStockPairsAsAFullRefreshWouldOnTheEmulator() throws {
        try renamedProductIsRelabelled(on: emulatorWarehouse())
    }

    private func renamedProductIsRelabelled(on warehouse: any Warehouse) throws {
        try History(into: warehouse).load(days: 4)
        let compactor = try compactor(warehouse)
        try compactor.compact()
        let product = try renameAStockedProduct(in: warehouse)

        let report = try compactor.compact()
        XCTAssertEqual(report.plan.tables, [:], "no table is rebuilt from its facts")
        XCTAssertEqual(report.plan.relabel, [.inventoryHealth])
        XCTAssertEqual(report.lines, ["inventory_health: labels from the current stores and products"])
        let names = try warehouse.query("SELECT DISTINCT model_name FROM gold.inventory_health WHERE product_id = '\(product)'").rows
        XCTAssertEqual(names, [["Renamed Charger"]], "every pair of the product carries its new name")
        let relabelled = try goldSnapshot(warehouse)
        XCTAssertTrue(try compactor.compact().plan.isUpToDate)

        try compactor.compact(fullRefresh: true)
        XCTAssertEqual(relabelled[.inventoryHealth], try goldSnapshot(warehouse)[.inventoryHealth], "relabelling equals a rebuild")
    }

    /// A newer version of a product gold holds stock pairs of, under another name: a products
    /// event and nothing else. Returns the product's id.
    private func renameAStockedProduct(in warehouse: any Warehouse) throws -> String {
        let product = try XCTUnwrap(warehouse.query("SELECT MIN(product_id) FROM gold.inventory_health").scalar)
        try warehouse.execute(
            """
            INSERT INTO silver.products (event_id, event_time, product_id, sku, model_name, category, brand, compatible_with,
              base_price, launch_date, _source_topic, _source_partition, _source_offset, _source_message_id, _insert_id, _ingested_at)
            SELECT 'e0000000-0000-4000-8000-00000000beef', event_time, product_id, sku, 'Renamed Charger', category, brand,
              compatible_with, base_price, launch_date, _source_topic, _source_partition, _source_offset + 1000000, '0:beef',
              'shop.products:0:beef', _ingested_at
            FROM silver.products_current WHERE product_id = '\(product)';
            """)
        return product
    }

    func testSQLiteAndTheEmulatorBuildTheSameGoldFromTheSameSilver() throws {
        let bigquery = try emulatorWarehouse()
        let sqlite = try sqliteWarehouse()
        for warehouse in [sqlite, bigquery] {
            try History(into: warehouse).load(days: 5)
            try compactor(warehouse).compact()
        }
        let a = try goldSnapshot(sqlite), b = try goldSnapshot(bigquery)
        for table in GoldTable.allCases {
            XCTAssertFalse(a[table]!.isEmpty, "\(table.rawValue) has rows")
            XCTAssertEqual(a[table], b[table], "\(table.rawValue): same numbers in SQLite and BigQuery")
        }
    }

    /// On SQLite, salespeople, payments, shipping and stock are computed on a second connection while the
    /// pass runs the sales blocks: gold, full and incremental, is what one connection builds.
    func testTablesComputedAsideAreWhatOneConnectionBuilds() throws {
        let warehouse = try sqliteWarehouse()
        let history = try History(into: warehouse)
        try history.load(days: 5)
        let beside = try compactor(warehouse)
        let alone = try Compactor(warehouse: warehouse, sql: beside.sql, computesAside: false)
        let full = try beside.compact()
        XCTAssertTrue(full.plan.fullRefresh)
        XCTAssertEqual(full.computedAside.map(\.table), ["salesperson_monthly", "payment_daily", "shipping_daily", "inventory_health"])
        let asideFull = try goldSnapshot(warehouse)
        XCTAssertEqual(try alone.compact(fullRefresh: true).computedAside, [])
        XCTAssertEqual(try goldSnapshot(warehouse), asideFull, "a full refresh on one connection builds the same gold")

        try history.load(days: 2)
        // And a renamed product: the stock pairs the new days do not touch are relabelled, after
        // the touched ones computed aside are in.
        let product = try renameAStockedProduct(in: warehouse)
        let incremental = try beside.compact()
        XCTAssertFalse(incremental.plan.fullRefresh)
        XCTAssertTrue(incremental.plan.relabel.contains(.inventoryHealth), "new products: stock labels set after its rows are in")
        XCTAssertEqual(
            incremental.computedAside.map(\.table), ["salesperson_monthly", "payment_daily", "shipping_daily", "inventory_health"])
        XCTAssertEqual(
            try warehouse.query("SELECT DISTINCT model_name FROM gold.inventory_health WHERE product_id = '\(product)'").rows,
            [["Renamed Charger"]])
        let asideIncremental = try goldSnapshot(warehouse)
        XCTAssertNotEqual(asideIncremental, asideFull, "the new days are in")
        try alone.compact(fullRefresh: true)
        let fullAlone = try goldSnapshot(warehouse)
        // product_daily keeps the old name on the days not rebuilt: only a full refresh re-labels its
        // history (sql/gold's header); inventory_health is relabelled by every pass.
        for table in GoldTable.allCases where table != .productDaily {
            XCTAssertEqual(
                fullAlone[table], asideIncremental[table], "\(table.rawValue): an incremental pass aside equals a full one alone")
        }
    }

    func testAPassLeavesNoStagedTableBehind() throws {
        let warehouse = try sqliteWarehouse()
        let history = try History(into: warehouse)
        try history.load(days: 2)
        let compactor = try compactor(warehouse)
        XCTAssertTrue(try compactor.compact().plan.fullRefresh)
        try history.load(days: 1)
        XCTAssertFalse(try compactor.compact().plan.fullRefresh)
        XCTAssertEqual(
            try warehouse.query("SELECT name FROM temp.sqlite_master").rows, [], "sales_once lives only inside a pass, on either kind")
    }

    func testDuplicateRowsInSilverNeverDoubleGold() throws {
        let warehouse = try sqliteWarehouse()
        let events = try History(into: warehouse).load(days: 4)
        let compactor = try compactor(warehouse)
        try compactor.compact()
        let once = try goldSnapshot(warehouse)

        // At least once: the same events again, at other coordinates (a replay after a crash).
        let replay = try SilverBackfill(warehouse: warehouse, catalog: catalog)
        let sink = replay
        for event in events.filter({ [.sales, .payments, .shipping].contains($0.entity) }) {
            _ = event.key.withUnsafeBytes { key in
                event.value.withUnsafeBytes { value in
                    try! sink.emit(event.entity, key: key, value: value, timestampMs: event.timestampMs)
                }
            }
        }
        XCTAssertEqual(replay.finish().failedRows, 0)
        let report = try compactor.compact()
        XCTAssertFalse(report.plan.isUpToDate, "the copies changed the counts, so their dates are rebuilt")
        XCTAssertEqual(try goldSnapshot(warehouse), once, "and gold is what it was")
    }

    func testRowsLandingDuringAPassArePickedUpByTheNextNeverHalfCounted() throws {
        let warehouse = try sqliteWarehouse()
        // The compactor on a connection of its own, as `shopstream compact` beside a running sink.
        let reader = try makeWarehouse(url: warehouse.url)
        let history = try History(into: warehouse)
        try history.load(days: 3)
        let compactor = try compactor(reader)
        try compactor.compact()

        let finished = DispatchSemaphore(value: 0)
        let loader = Thread {
            for _ in 0..<6 { try! history.load(days: 1) }
            finished.signal()
        }
        loader.start()
        var passes = 0
        while finished.wait(timeout: .now()) == .timedOut {
            try compactor.compact()
            passes += 1
        }
        try compactor.compact()
        let caughtUp = try goldSnapshot(reader)
        try compactor.compact(fullRefresh: true)
        XCTAssertEqual(
            caughtUp, try goldSnapshot(reader), "after \(passes) passes during the writes and one after, gold equals a full rebuild")
        XCTAssertGreaterThan(passes, 1, "the passes overlapped the writes")
    }
}

import ShopStreamGold
import ShopStreamWarehouse

extension CheckSuite {
    /// Gold's checks: every table's grain (and its ledger's) is unique and never NULL,
    /// gold.daily_sales agrees with silver on every date the compactor says it has built, and
    /// customer_totals equals the sums of the ledger it is kept from by difference. While gold
    /// was never built, each is a warning that says so.
    public static func gold() -> [Check] {
        var checks: [Check] = []
        for table in GoldTable.allCases {
            var grains = [(table.tableName, table.grain)]
            if let ledger = table.ledger { grains.append(ledger) }
            for (name, grain) in grains {
                let missing = neverBuilt(name)
                var unique = Check.unique(table: name, columns: grain)
                unique.requires = [missing]
                var notNull = Check.notNull(table: name, columns: grain)
                notNull.requires = [missing]
                checks += [unique, notNull]
            }
        }
        checks.append(goldAgreesWithSilver())
        checks.append(customerTotalsAgreeWithTheirLedger())
        return checks
    }

    private static func neverBuilt(_ table: TableName) -> Check.Requirement {
        Check.Requirement(
            table: table, whenMissing: "gold was never built; run shopstream compact (there is no table \(table))", severity: .warn)
    }

    /// gold.customer_totals is kept by difference (a pass takes a day's old counts away and adds
    /// the new ones), so an error in one pass would stay in it for good: each customer's row must
    /// equal the sums over gold.customer_spend_daily, and every customer there must have a row.
    static func customerTotalsAgreeWithTheirLedger() -> Check {
        let totals = GoldTable.customerTotals.tableName
        let ledger = GoldTable.customerTotals.ledger!.table
        return Check(
            name: "reconcile(gold.customer_totals = sums of gold.customer_spend_daily)", kind: .reconcile,
            expectation:
                "each customer's orders, units, net revenue and first and last purchase in gold.customer_totals equal the sums over gold.customer_spend_daily",
            requires: [neverBuilt(totals), neverBuilt(ledger)],
            sql: CheckSQL { sql in
                """
                WITH summed AS (
                  SELECT customer_id, SUM(orders) AS orders, SUM(units) AS units,
                    SUM(\(sql.exactMoney("net_revenue"))) AS net_revenue,
                    MIN(sale_date) AS first_purchase, MAX(sale_date) AS last_purchase
                  FROM \(sql.table(ledger)) GROUP BY customer_id
                ),
                kept AS (
                  SELECT customer_id, orders, units, \(sql.exactMoney("net_revenue")) AS net_revenue,
                    first_purchase, last_purchase
                  FROM \(sql.table(totals))
                )
                SELECT COALESCE(k.customer_id, s.customer_id) AS customer_id,
                  k.orders AS kept_orders, s.orders AS summed_orders,
                  k.net_revenue AS kept_net_revenue, s.net_revenue AS summed_net_revenue,
                  k.last_purchase AS kept_last_purchase, s.last_purchase AS summed_last_purchase
                FROM kept AS k
                FULL OUTER JOIN summed AS s ON s.customer_id = k.customer_id
                WHERE k.customer_id IS NULL OR s.customer_id IS NULL
                  OR k.orders <> s.orders OR k.units <> s.units OR k.net_revenue <> s.net_revenue
                  OR k.first_purchase <> s.first_purchase OR k.last_purchase <> s.last_purchase
                """
            })
    }

    /// Orders per day in gold.daily_sales = distinct sale events in silver.sales, on every date
    /// whose silver row count is the one gold._state recorded (dates with rows newer than the
    /// last compaction are freshness's business, not this check's).
    static func goldAgreesWithSilver() -> Check {
        let state = TableName(GoldTable.dataset, "_state")
        let daily = GoldTable.dailySales.tableName
        return Check(
            name: "reconcile(gold.daily_sales: orders = sale events per compacted date)", kind: .reconcile,
            expectation: "on every date gold has compacted, gold.daily_sales counts each sale event in silver.sales exactly once",
            requires: [
                Check.Requirement(
                    table: state, whenMissing: "gold never compacted; run shopstream compact (there is no table \(state))", severity: .warn),
                Check.Requirement(
                    table: daily, whenMissing: "gold was never built; run shopstream compact (there is no table \(daily))", severity: .warn),
            ],
            sql: CheckSQL { sql in
                """
                WITH now_in_silver AS (
                  SELECT sale_date, COUNT(*) AS row_count, COUNT(DISTINCT event_id) AS sale_events
                  FROM \(sql.table(TableName("silver", "sales"))) GROUP BY sale_date
                ),
                compacted AS (
                  SELECT business_date, row_count FROM \(sql.table(state)) WHERE source = 'sales'
                ),
                in_gold AS (
                  SELECT sale_date, SUM(orders) AS orders FROM \(sql.table(daily)) GROUP BY sale_date
                )
                SELECT s.sale_date, s.sale_events AS silver_sale_events, COALESCE(g.orders, 0) AS gold_orders
                FROM now_in_silver AS s
                JOIN compacted AS c ON c.business_date = s.sale_date AND c.row_count = s.row_count
                LEFT JOIN in_gold AS g ON g.sale_date = s.sale_date
                WHERE COALESCE(g.orders, 0) <> s.sale_events
                """
            })
    }
}

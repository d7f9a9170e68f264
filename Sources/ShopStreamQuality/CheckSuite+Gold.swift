import ShopStreamGold
import ShopStreamWarehouse

extension CheckSuite {
    /// Gold's checks: every table's grain is unique and never NULL, and gold.daily_sales
    /// agrees with silver on every date the compactor says it has built. While gold was never
    /// built, each is a warning that says so.
    public static func gold() -> [Check] {
        var checks: [Check] = []
        for table in GoldTable.allCases {
            let name = table.tableName
            let missing = Check.Requirement(table: name, whenMissing: "gold was never built; run shopstream compact (there is no table \(name))", severity: .warn)
            var unique = Check.unique(table: name, columns: table.grain)
            unique.requires = [missing]
            var notNull = Check.notNull(table: name, columns: table.grain)
            notNull.requires = [missing]
            checks += [unique, notNull]
        }
        checks.append(goldAgreesWithSilver())
        return checks
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
                Check.Requirement(table: state, whenMissing: "gold never compacted; run shopstream compact (there is no table \(state))", severity: .warn),
                Check.Requirement(table: daily, whenMissing: "gold was never built; run shopstream compact (there is no table \(daily))", severity: .warn),
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

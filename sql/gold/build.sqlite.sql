-- How `shopstream compact` builds gold on SQLite: the same blocks as build.bigquery.sql (read
-- its header), in SQLite's words. Money is exact: NUMERIC columns hold decimal text, so sums
-- go through integer paisa (the warehouse's paisa() and money() functions), never floats.
-- A Pakistan date is date(substr(event_time, 1, 19), '+5 hours'): whole seconds, because
-- SQLite rounds fractions to milliseconds; silver indexes that very expression.
-- De-duplication: copies of one event in silver are the same record sent again (the sink
-- refuses an event_id that comes back at other coordinates), so which copy counts changes
-- nothing; SQLite keeps the first stored (lowest rowid) per event_id: it leaves out the later
-- copies of the events stored more than once, found by sorting the rebuilt dates' event ids
-- (silver keeps no index on random event ids: it cost the sink more than it saved here). Copies
-- are rare, so that list is short: the rebuilt dates' rows are read once and each looked up in it
-- (CROSS JOIN keeps silver the outer loop: the other way round SQLite indexed every row of the
-- table for each list, ~1 s for a year's payments). Keeping MIN(rowid) per event instead looked
-- every row up by its rowid: twice the time.
--
-- Four kinds of block, each introduced by a `-- @` line:
--
--   -- @detect SOURCE     a query giving (business_date, row_count) of one silver table; the
--                         compactor keeps the counts of its last run in gold._state, and a date
--                         whose count changed is "touched". business_date NULL: a whole-table count.
--   -- @build TABLE       the statements that rebuild some keys of one gold table: first delete
--                         them, then insert them again from silver. The compactor replaces
--                           {dates: EXPR}        with EXPR IN (the touched business dates)
--                           {months: EXPR}       with EXPR IN (the touched months' first days)
--                           {month_dates: EXPR}  with EXPR IN (every sale date in those months)
--                         or with TRUE when it rebuilds the whole table (--full-refresh),
--                         and runs every block of one pass, plus the state update, as one
--                         transaction: a reader never sees half a pass. A block that is only
--                         DELETEs and one INSERT INTO gold.TABLE (columns) whose query reads
--                         neither a stage nor gold has that query run on a second connection
--                         while the transaction runs the others, its rows inserted into the
--                         transaction after them (salespeople, payments, shipping, stock: both cores busy).
--   -- @relabel TABLE     for a table that copies store or product labels onto rows built from
--                         facts (inventory_health): sets them again from the current dimensions,
--                         run when only stores or products changed (no placeholders).
--   -- @stage NAME        a query the compactor makes into the temporary table NAME before the
--                         builds and drops after them, when a block that reads NAME (FROM NAME)
--                         is rebuilt: so those blocks share one scan and one de-duplication of
--                         silver. {dates: EXPR} (or {month_dates: EXPR}) here stands for every
--                         date its readers rebuild in that pass, the superset: each reader still
--                         filters its own dates. SQLite only (BigQuery's blocks de-duplicate each).
--
-- Silver is at least once: every fact is de-duplicated by event_id (the first copy in source
-- order, Kafka's or Pub/Sub's, as the silver views do) AFTER the date filter, so a rebuild reads only the
-- touched dates and not the whole history (copies of one event share its business date).
-- Dimension attributes (store names, categories, tiers) are the current ones from the
-- silver views, at the time of the build; --full-refresh re-labels history.

-- @detect sales
SELECT sale_date AS business_date, COUNT(*) AS row_count FROM silver.sales GROUP BY sale_date;

-- @detect payments
SELECT date(substr(event_time, 1, 19), '+5 hours') AS business_date, COUNT(*) AS row_count
FROM silver.payments GROUP BY business_date;

-- @detect shipping
SELECT shipped_date AS business_date, COUNT(*) AS row_count FROM silver.shipping GROUP BY shipped_date;

-- @detect signups
-- Distinct customers per sign-up date: a loyalty-tier rise adds a row but no customer.
SELECT signup_date AS business_date, COUNT(DISTINCT customer_id) AS row_count
FROM silver.customers GROUP BY signup_date;

-- @detect customers
SELECT CAST(NULL AS DATE) AS business_date, COUNT(*) AS row_count FROM silver.customers;

-- @detect inventory
SELECT date(substr(event_time, 1, 19), '+5 hours') AS business_date, COUNT(*) AS row_count
FROM silver.inventory GROUP BY business_date;

-- @detect products
SELECT CAST(NULL AS DATE) AS business_date, COUNT(*) AS row_count FROM silver.products;

-- @detect stores
SELECT CAST(NULL AS DATE) AS business_date, COUNT(*) AS row_count FROM silver.stores;

-- @stage sales_once
-- The touched sales, each event once, with only what the sales blocks read: the month, and
-- the amounts in paisa, computed here once and not again by every block.
SELECT
  sale_date, strftime('%Y-%m-01', sale_date) AS month, customer_id, product_id, store_id, salesperson, quantity,
  quantity * paisa(unit_price) AS gross_paisa, paisa(discount) AS discount_paisa, paisa(total_price) AS net_paisa
FROM silver.sales
WHERE {dates: sale_date} AND rowid NOT IN (
  SELECT c.rowid FROM silver.sales AS c
  CROSS JOIN (
    SELECT event_id, MIN(rowid) AS first FROM silver.sales WHERE {dates: sale_date}
    GROUP BY event_id HAVING COUNT(*) > 1
  ) AS d ON c.event_id = d.event_id AND c.rowid > d.first
  WHERE {dates: c.sale_date}
);

-- @build daily_sales
DELETE FROM gold.daily_sales WHERE {dates: sale_date};
INSERT INTO gold.daily_sales (sale_date, store_id, store_name, city, region, orders, units,
  gross_revenue, discounts, net_revenue, avg_order_value)
SELECT
  d.sale_date, d.store_id,
  COALESCE(st.store_name, 'unknown'), COALESCE(st.city, 'unknown'), COALESCE(st.region, 'unknown'),
  d.orders, d.units, money(d.gross_paisa), money(d.discount_paisa), money(d.net_paisa),
  ROUND(d.net_paisa / 100.0 / d.orders, 2)
FROM (
  -- Labels joined after the sums (one store a row in stores_current): the sort is by two keys.
  SELECT sale_date, store_id, COUNT(*) AS orders, SUM(quantity) AS units, SUM(gross_paisa) AS gross_paisa,
    SUM(discount_paisa) AS discount_paisa, SUM(net_paisa) AS net_paisa
  FROM sales_once WHERE {dates: sale_date} GROUP BY sale_date, store_id
) AS d
LEFT JOIN silver.stores_current AS st ON st.store_id = d.store_id;

-- @build product_daily
DELETE FROM gold.product_daily WHERE {dates: sale_date};
INSERT INTO gold.product_daily (sale_date, product_id, model_name, category, orders, units,
  net_revenue, rank_in_category)
SELECT
  sale_date, product_id, model_name, category, orders, units, money(net_paisa),
  ROW_NUMBER() OVER (PARTITION BY sale_date, category ORDER BY net_paisa DESC, units DESC, product_id)
FROM (
  SELECT
    d.sale_date, d.product_id,
    COALESCE(p.model_name, 'unknown') AS model_name, COALESCE(p.category, 'unknown') AS category,
    d.orders, d.units, d.net_paisa
  FROM (
    SELECT sale_date, product_id, COUNT(*) AS orders, SUM(quantity) AS units, SUM(net_paisa) AS net_paisa
    FROM sales_once WHERE {dates: sale_date} GROUP BY sale_date, product_id
  ) AS d
  LEFT JOIN silver.products_current AS p ON p.product_id = d.product_id
) AS daily;

-- @build salesperson_monthly
-- From silver, not from sales_once: so its query runs on the second connection while the pass runs
-- the sales blocks (a year's full refresh was 2.2-2.7 s on the pass's connection against 1.3 s
-- beside it), at the cost of its own scan and de-duplication of the months' sales.
DELETE FROM gold.salesperson_monthly WHERE {months: month};
INSERT INTO gold.salesperson_monthly (month, store_id, store_name, salesperson, orders, units,
  customers, gross_revenue, discounts, net_revenue, discount_rate)
SELECT
  m.month, m.store_id, COALESCE(st.store_name, 'unknown'), m.salesperson,
  m.orders, m.units, m.customers, money(m.gross_paisa), money(m.discount_paisa), money(m.net_paisa),
  ROUND(COALESCE(CAST(m.discount_paisa AS REAL) / NULLIF(m.gross_paisa, 0), 0), 4)
FROM (
  SELECT strftime('%Y-%m-01', sale_date) AS month, store_id, salesperson, COUNT(*) AS orders, SUM(quantity) AS units,
    COUNT(DISTINCT customer_id) AS customers, SUM(quantity * paisa(unit_price)) AS gross_paisa,
    SUM(paisa(discount)) AS discount_paisa, SUM(paisa(total_price)) AS net_paisa
  FROM silver.sales
  WHERE {month_dates: sale_date} AND rowid NOT IN (
    SELECT c.rowid FROM silver.sales AS c
    CROSS JOIN (
      SELECT event_id, MIN(rowid) AS first FROM silver.sales WHERE {month_dates: sale_date}
      GROUP BY event_id HAVING COUNT(*) > 1
    ) AS d ON c.event_id = d.event_id AND c.rowid > d.first
    WHERE {month_dates: c.sale_date}
  )
  GROUP BY month, store_id, salesperson
) AS m
LEFT JOIN silver.stores_current AS st ON st.store_id = m.store_id;

-- @build payment_daily
DELETE FROM gold.payment_daily WHERE {dates: payment_date};
INSERT INTO gold.payment_daily (payment_date, payment_method, attempts, completed, failed, pending,
  refunded, amount, completed_amount, refunded_amount, failed_share, refunded_share)
SELECT
  payment_date, payment_method, COUNT(*),
  SUM(CASE WHEN status = 'Completed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN status = 'Failed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN status = 'Pending' THEN 1 ELSE 0 END),
  SUM(CASE WHEN status = 'Refunded' THEN 1 ELSE 0 END),
  money(SUM(paisa(amount))),
  money(SUM(CASE WHEN status = 'Completed' THEN paisa(amount) ELSE 0 END)),
  money(SUM(CASE WHEN status = 'Refunded' THEN paisa(amount) ELSE 0 END)),
  ROUND(CAST(SUM(CASE WHEN status = 'Failed' THEN 1 ELSE 0 END) AS REAL) / COUNT(*), 4),
  ROUND(CAST(SUM(CASE WHEN status = 'Refunded' THEN 1 ELSE 0 END) AS REAL) / COUNT(*), 4)
FROM (
  SELECT *, date(substr(event_time, 1, 19), '+5 hours') AS payment_date FROM silver.payments
  WHERE {dates: date(substr(event_time, 1, 19), '+5 hours')} AND rowid NOT IN (
    SELECT c.rowid FROM silver.payments AS c
    CROSS JOIN (
      SELECT event_id, MIN(rowid) AS first FROM silver.payments WHERE {dates: date(substr(event_time, 1, 19), '+5 hours')}
      GROUP BY event_id HAVING COUNT(*) > 1
    ) AS d ON c.event_id = d.event_id AND c.rowid > d.first
    WHERE {dates: date(substr(c.event_time, 1, 19), '+5 hours')}
  )
) AS p
GROUP BY payment_date, payment_method;

-- @build shipping_daily
DELETE FROM gold.shipping_daily WHERE {dates: shipped_date};
INSERT INTO gold.shipping_daily (shipped_date, carrier, shipments, delivered, delayed, returned, lost,
  damaged, on_time_share, avg_delay_days, delay_days)
SELECT
  shipped_date, carrier, COUNT(*),
  SUM(CASE WHEN delivery_status = 'Delivered' THEN 1 ELSE 0 END),
  SUM(CASE WHEN delivery_status = 'Delayed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN delivery_status = 'Returned' THEN 1 ELSE 0 END),
  SUM(CASE WHEN delivery_status = 'Lost' THEN 1 ELSE 0 END),
  SUM(CASE WHEN damaged THEN 1 ELSE 0 END),
  ROUND(CAST(SUM(CASE WHEN delivery_status = 'Delivered' THEN 1 ELSE 0 END) AS REAL) / COUNT(*), 4),
  ROUND(COALESCE(
    CAST(SUM(CASE WHEN delivery_status IN ('Delivered', 'Delayed') THEN delay_days ELSE 0 END) AS REAL)
    / NULLIF(SUM(CASE WHEN delivery_status IN ('Delivered', 'Delayed') THEN 1 ELSE 0 END), 0), 0), 2),
  SUM(delay_days)
FROM (
  SELECT * FROM silver.shipping
  WHERE {dates: shipped_date} AND rowid NOT IN (
    SELECT c.rowid FROM silver.shipping AS c
    CROSS JOIN (
      SELECT event_id, MIN(rowid) AS first FROM silver.shipping WHERE {dates: shipped_date}
      GROUP BY event_id HAVING COUNT(*) > 1
    ) AS d ON c.event_id = d.event_id AND c.rowid > d.first
    WHERE {dates: c.shipped_date}
  )
) AS sh
GROUP BY shipped_date, carrier;

-- @build customer_daily
-- The dates rebuilt here: the touched sale dates, and every known date from the earliest touched
-- sign-up date on (a sign-up moves every later cumulative count).
DELETE FROM gold.customer_daily WHERE {dates: day};
INSERT INTO gold.customer_daily (day, new_customers, cumulative_customers, active_customers)
WITH signups AS (
  SELECT signup_date AS day, COUNT(DISTINCT customer_id) AS n FROM silver.customers GROUP BY signup_date
),
active AS (
  SELECT sale_date AS day, COUNT(DISTINCT customer_id) AS n FROM sales_once
  WHERE {dates: sale_date} GROUP BY sale_date
),
days AS (
  SELECT day FROM signups
  UNION
  SELECT day FROM active
),
series AS (
  SELECT
    d.day, COALESCE(g.n, 0) AS new_customers,
    SUM(COALESCE(g.n, 0)) OVER (ORDER BY d.day) AS cumulative_customers,
    COALESCE(a.n, 0) AS active_customers
  FROM days AS d
  LEFT JOIN signups AS g ON g.day = d.day
  LEFT JOIN active AS a ON a.day = d.day
)
SELECT day, new_customers, cumulative_customers, active_customers
FROM series
WHERE {dates: day};

-- @build executive_monthly
DELETE FROM gold.executive_monthly WHERE {months: month};
INSERT INTO gold.executive_monthly (month, orders, units, gross_revenue, discounts, net_revenue,
  active_customers, new_customers, cumulative_customers)
WITH monthly AS (
  SELECT
    month, COUNT(*) AS orders, SUM(quantity) AS units,
    money(SUM(gross_paisa)) AS gross_revenue, money(SUM(discount_paisa)) AS discounts,
    money(SUM(net_paisa)) AS net_revenue, COUNT(DISTINCT customer_id) AS active_customers
  FROM sales_once WHERE {month_dates: sale_date} GROUP BY month
),
signups AS (
  SELECT signup_date, COUNT(DISTINCT customer_id) AS n FROM silver.customers GROUP BY signup_date
)
SELECT
  m.month, m.orders, m.units, m.gross_revenue, m.discounts, m.net_revenue, m.active_customers,
  SUM(CASE WHEN g.signup_date >= m.month AND g.signup_date < date(m.month, '+1 month') THEN g.n ELSE 0 END),
  SUM(CASE WHEN g.signup_date < date(m.month, '+1 month') THEN g.n ELSE 0 END)
FROM monthly AS m
CROSS JOIN signups AS g
GROUP BY m.month, m.orders, m.units, m.gross_revenue, m.discounts, m.net_revenue, m.active_customers;

-- @build customer_totals
-- Kept by difference, so a pass costs the touched days and not the customers' histories:
-- take away what the ledger gold.customer_spend_daily counted for those days, drop customers
-- left with nothing, count the days again from silver, add them back.
UPDATE gold.customer_totals
SET orders = customer_totals.orders - d.orders, units = customer_totals.units - d.units,
  net_revenue = money(paisa(customer_totals.net_revenue) - d.net_paisa)
FROM (
  SELECT customer_id, SUM(orders) AS orders, SUM(units) AS units, SUM(paisa(net_revenue)) AS net_paisa
  FROM gold.customer_spend_daily WHERE {dates: sale_date} GROUP BY customer_id
) AS d
WHERE customer_totals.customer_id = d.customer_id;
DELETE FROM gold.customer_totals WHERE orders = 0;
DELETE FROM gold.customer_spend_daily WHERE {dates: sale_date};
INSERT INTO gold.customer_spend_daily (sale_date, customer_id, orders, units, net_revenue)
SELECT sale_date, customer_id, COUNT(*), SUM(quantity), money(SUM(net_paisa))
FROM sales_once WHERE {dates: sale_date}
GROUP BY sale_date, customer_id;
INSERT INTO gold.customer_totals (customer_id, orders, units, net_revenue, first_purchase, last_purchase)
SELECT customer_id, SUM(orders), SUM(units), money(SUM(paisa(net_revenue))), MIN(sale_date), MAX(sale_date)
FROM gold.customer_spend_daily WHERE {dates: sale_date} GROUP BY customer_id
ON CONFLICT (customer_id) DO UPDATE SET
  orders = customer_totals.orders + excluded.orders, units = customer_totals.units + excluded.units,
  net_revenue = money(paisa(customer_totals.net_revenue) + paisa(excluded.net_revenue)),
  first_purchase = MIN(customer_totals.first_purchase, excluded.first_purchase),
  last_purchase = MAX(customer_totals.last_purchase, excluded.last_purchase);

-- @build customer_segments
DELETE FROM gold.customer_segments WHERE TRUE;
INSERT INTO gold.customer_segments (loyalty_tier, gender, age_band, province, customers, buyers,
  orders, net_revenue, purchase_frequency, revenue_per_customer)
SELECT
  c.loyalty_tier, c.gender,
  CASE WHEN c.age < 18 THEN 'under 18' WHEN c.age < 25 THEN '18-24' WHEN c.age < 35 THEN '25-34'
       WHEN c.age < 45 THEN '35-44' WHEN c.age < 55 THEN '45-54' ELSE '55+' END AS age_band,
  c.province,
  COUNT(*), SUM(CASE WHEN t.orders > 0 THEN 1 ELSE 0 END),
  COALESCE(SUM(t.orders), 0), money(COALESCE(SUM(paisa(t.net_revenue)), 0)),
  ROUND(CAST(COALESCE(SUM(t.orders), 0) AS REAL) / COUNT(*), 4),
  ROUND(COALESCE(SUM(paisa(t.net_revenue)), 0) / 100.0 / COUNT(*), 2)
FROM silver.customers_current AS c
LEFT JOIN gold.customer_totals AS t ON t.customer_id = c.customer_id
GROUP BY c.loyalty_tier, c.gender, age_band, c.province;

-- @build inventory_health
-- The pairs the touched days' snapshots name: their latest snapshot (on or after the earliest
-- touched day, where it must be) and their restocks in the 90 days up to it — read through
-- the pair's own rows (index inventory_by_id), so a pass costs the touched pairs' recent days.
DELETE FROM gold.inventory_health
WHERE inventory_id IN (SELECT inventory_id FROM silver.inventory WHERE {dates: date(substr(event_time, 1, 19), '+5 hours')});
INSERT INTO gold.inventory_health (inventory_id, store_id, store_name, product_id, model_name, category,
  snapshot_date, stock_level, reorder_level, below_reorder, damaged_units, last_restock_date, restocks,
  avg_restock_cycle_days)
WITH touched AS (
  SELECT inventory_id, MIN(event_time) AS since
  FROM silver.inventory WHERE {dates: date(substr(event_time, 1, 19), '+5 hours')} GROUP BY inventory_id
),
-- The newest snapshot time first, from the index alone; then only the rows at that time are
-- read and ranked (ranking every row since the touched day read and sorted all of them).
newest AS (
  SELECT i.inventory_id, MAX(i.event_time) AS event_time
  FROM touched AS t JOIN silver.inventory AS i ON i.inventory_id = t.inventory_id AND i.event_time >= t.since
  GROUP BY i.inventory_id
),
latest AS (
  SELECT * FROM (
    SELECT i.*, ROW_NUMBER() OVER (PARTITION BY i.inventory_id ORDER BY i.event_time DESC, i._source_partition DESC, i._source_offset DESC, i._source_publish_time DESC, i._source_message_id DESC) AS _rn
    FROM newest AS n JOIN silver.inventory AS i ON i.inventory_id = n.inventory_id AND i.event_time = n.event_time
  ) AS ranked
  WHERE _rn = 1
),
restocks AS (
  SELECT i.inventory_id, COUNT(DISTINCT i.last_restock_date) AS n,
    MIN(i.last_restock_date) AS first_day, MAX(i.last_restock_date) AS last_day
  FROM latest AS l JOIN silver.inventory AS i ON i.inventory_id = l.inventory_id
  WHERE i.event_time > strftime('%Y-%m-%dT%H:%M:%fZ', l.event_time, '-90 days') AND i.event_time <= l.event_time
    -- A snapshot in the window can still report a restock from before it: not one of its restocks.
    AND i.last_restock_date > date(substr(l.event_time, 1, 19), '+5 hours', '-90 days')
  GROUP BY i.inventory_id
)
SELECT
  i.inventory_id, i.store_id, COALESCE(st.store_name, 'unknown'), i.product_id,
  COALESCE(p.model_name, 'unknown'), COALESCE(p.category, 'unknown'),
  date(substr(i.event_time, 1, 19), '+5 hours'), i.stock_level, i.reorder_level, i.stock_level < i.reorder_level,
  i.damaged_units, i.last_restock_date, COALESCE(r.n, 0),
  CASE WHEN r.n > 1 THEN ROUND((julianday(r.last_day) - julianday(r.first_day)) / (r.n - 1), 2) END
FROM latest AS i
LEFT JOIN restocks AS r ON r.inventory_id = i.inventory_id
LEFT JOIN silver.stores_current AS st ON st.store_id = i.store_id
LEFT JOIN silver.products_current AS p ON p.product_id = i.product_id;

-- @relabel inventory_health
-- A launch, rename or price change touches no stock snapshot: set the pairs' labels from the
-- current products and stores (what a rebuild would read) instead of rebuilding every pair.
UPDATE gold.inventory_health SET model_name = p.model_name, category = p.category
FROM silver.products_current AS p
WHERE p.product_id = inventory_health.product_id
  AND (inventory_health.model_name IS NOT p.model_name OR inventory_health.category IS NOT p.category);
UPDATE gold.inventory_health SET store_name = st.store_name
FROM silver.stores_current AS st
WHERE st.store_id = inventory_health.store_id AND inventory_health.store_name IS NOT st.store_name;

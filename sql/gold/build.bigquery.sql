-- How `shopstream compact` builds gold on BigQuery. build.sqlite.sql says the same in SQLite.
--
-- Three kinds of block, each introduced by a `-- @` line:
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
--                         transaction: a reader never sees half a pass.
--   -- @relabel TABLE     for a table that copies store or product labels onto rows built from
--                         facts (inventory_health): sets them again from the current dimensions,
--                         run when only stores or products changed (no placeholders).
--
-- Silver is at least once: every fact is de-duplicated by event_id (the first copy in source
-- order, Kafka's or Pub/Sub's, as the silver views do) AFTER the date filter, so a rebuild reads only the
-- touched dates and not the whole history (copies of one event share its business date).
-- Dimension attributes (store names, categories, tiers) are the current ones from the
-- silver views, at the time of the build; --full-refresh re-labels history.

-- @detect sales
SELECT sale_date AS business_date, COUNT(*) AS row_count FROM silver.sales GROUP BY sale_date;

-- @detect payments
SELECT DATE(event_time, 'Asia/Karachi') AS business_date, COUNT(*) AS row_count
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
SELECT DATE(event_time, 'Asia/Karachi') AS business_date, COUNT(*) AS row_count
FROM silver.inventory GROUP BY business_date;

-- @detect products
SELECT CAST(NULL AS DATE) AS business_date, COUNT(*) AS row_count FROM silver.products;

-- @detect stores
SELECT CAST(NULL AS DATE) AS business_date, COUNT(*) AS row_count FROM silver.stores;

-- @build daily_sales
DELETE FROM gold.daily_sales WHERE {dates: sale_date};
INSERT INTO gold.daily_sales (sale_date, store_id, store_name, city, region, orders, units,
  gross_revenue, discounts, net_revenue, avg_order_value)
SELECT
  s.sale_date, s.store_id,
  COALESCE(st.store_name, 'unknown'), COALESCE(st.city, 'unknown'), COALESCE(st.region, 'unknown'),
  COUNT(*), SUM(s.quantity),
  SUM(s.quantity * s.unit_price), SUM(s.discount), SUM(s.total_price),
  ROUND(CAST(SUM(s.total_price) AS FLOAT64) / COUNT(*), 2)
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM silver.sales WHERE {dates: sale_date}
) AS s
LEFT JOIN silver.stores_current AS st ON st.store_id = s.store_id
WHERE s._rn = 1
GROUP BY s.sale_date, s.store_id, st.store_name, st.city, st.region;

-- @build product_daily
DELETE FROM gold.product_daily WHERE {dates: sale_date};
INSERT INTO gold.product_daily (sale_date, product_id, model_name, category, orders, units,
  net_revenue, rank_in_category)
SELECT
  sale_date, product_id, model_name, category, orders, units, net_revenue,
  ROW_NUMBER() OVER (PARTITION BY sale_date, category ORDER BY net_revenue DESC, units DESC, product_id)
FROM (
  SELECT
    s.sale_date, s.product_id,
    COALESCE(p.model_name, 'unknown') AS model_name, COALESCE(p.category, 'unknown') AS category,
    COUNT(*) AS orders, SUM(s.quantity) AS units, SUM(s.total_price) AS net_revenue
  FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
    FROM silver.sales WHERE {dates: sale_date}
  ) AS s
  LEFT JOIN silver.products_current AS p ON p.product_id = s.product_id
  WHERE s._rn = 1
  GROUP BY s.sale_date, s.product_id, p.model_name, p.category
) AS daily;

-- @build salesperson_monthly
DELETE FROM gold.salesperson_monthly WHERE {months: month};
INSERT INTO gold.salesperson_monthly (month, store_id, store_name, salesperson, orders, units,
  customers, gross_revenue, discounts, net_revenue, discount_rate)
SELECT
  DATE_TRUNC(s.sale_date, MONTH), s.store_id, COALESCE(st.store_name, 'unknown'), s.salesperson,
  COUNT(*), SUM(s.quantity), COUNT(DISTINCT s.customer_id),
  SUM(s.quantity * s.unit_price), SUM(s.discount), SUM(s.total_price),
  ROUND(COALESCE(SAFE_DIVIDE(CAST(SUM(s.discount) AS FLOAT64), CAST(SUM(s.quantity * s.unit_price) AS FLOAT64)), 0), 4)
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM silver.sales WHERE {month_dates: sale_date}
) AS s
LEFT JOIN silver.stores_current AS st ON st.store_id = s.store_id
WHERE s._rn = 1
GROUP BY DATE_TRUNC(s.sale_date, MONTH), s.store_id, st.store_name, s.salesperson;

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
  SUM(amount),
  SUM(CASE WHEN status = 'Completed' THEN amount ELSE 0 END),
  SUM(CASE WHEN status = 'Refunded' THEN amount ELSE 0 END),
  ROUND(SUM(CASE WHEN status = 'Failed' THEN 1 ELSE 0 END) / COUNT(*), 4),
  ROUND(SUM(CASE WHEN status = 'Refunded' THEN 1 ELSE 0 END) / COUNT(*), 4)
FROM (
  SELECT *, DATE(event_time, 'Asia/Karachi') AS payment_date,
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM silver.payments WHERE {dates: DATE(event_time, 'Asia/Karachi')}
) AS p
WHERE _rn = 1
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
  ROUND(SUM(CASE WHEN delivery_status = 'Delivered' THEN 1 ELSE 0 END) / COUNT(*), 4),
  ROUND(COALESCE(SAFE_DIVIDE(
    SUM(CASE WHEN delivery_status IN ('Delivered', 'Delayed') THEN delay_days ELSE 0 END),
    SUM(CASE WHEN delivery_status IN ('Delivered', 'Delayed') THEN 1 ELSE 0 END)), 0), 2),
  SUM(delay_days)
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM silver.shipping WHERE {dates: shipped_date}
) AS sh
WHERE _rn = 1
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
  SELECT sale_date AS day, COUNT(DISTINCT customer_id) AS n FROM silver.sales
  WHERE {dates: sale_date} GROUP BY sale_date
),
days AS (
  SELECT day FROM signups
  UNION DISTINCT
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
    DATE_TRUNC(sale_date, MONTH) AS month, COUNT(*) AS orders, SUM(quantity) AS units,
    SUM(quantity * unit_price) AS gross_revenue, SUM(discount) AS discounts,
    SUM(total_price) AS net_revenue, COUNT(DISTINCT customer_id) AS active_customers
  FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
    FROM silver.sales WHERE {month_dates: sale_date}
  ) AS s
  WHERE _rn = 1
  GROUP BY DATE_TRUNC(sale_date, MONTH)
),
signups AS (
  SELECT signup_date, COUNT(DISTINCT customer_id) AS n FROM silver.customers GROUP BY signup_date
)
SELECT
  m.month, m.orders, m.units, m.gross_revenue, m.discounts, m.net_revenue, m.active_customers,
  SUM(CASE WHEN g.signup_date >= m.month AND g.signup_date < DATE_ADD(m.month, INTERVAL 1 MONTH) THEN g.n ELSE 0 END),
  SUM(CASE WHEN g.signup_date < DATE_ADD(m.month, INTERVAL 1 MONTH) THEN g.n ELSE 0 END)
FROM monthly AS m
CROSS JOIN signups AS g
GROUP BY m.month, m.orders, m.units, m.gross_revenue, m.discounts, m.net_revenue, m.active_customers;

-- @build customer_totals
-- Kept by difference, so a pass costs the touched days and not the customers' histories:
-- take away what the ledger gold.customer_spend_daily counted for those days, drop customers
-- left with nothing, count the days again from silver, add them back.
UPDATE gold.customer_totals AS t
SET orders = t.orders - d.orders, units = t.units - d.units, net_revenue = t.net_revenue - d.net_revenue
FROM (
  SELECT customer_id, SUM(orders) AS orders, SUM(units) AS units, SUM(net_revenue) AS net_revenue
  FROM gold.customer_spend_daily WHERE {dates: sale_date} GROUP BY customer_id
) AS d
WHERE t.customer_id = d.customer_id;
DELETE FROM gold.customer_totals WHERE orders = 0;
DELETE FROM gold.customer_spend_daily WHERE {dates: sale_date};
INSERT INTO gold.customer_spend_daily (sale_date, customer_id, orders, units, net_revenue)
SELECT sale_date, customer_id, COUNT(*), SUM(quantity), SUM(total_price)
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM silver.sales WHERE {dates: sale_date}
) AS s
WHERE _rn = 1
GROUP BY sale_date, customer_id;
MERGE gold.customer_totals AS t
USING (
  SELECT customer_id, SUM(orders) AS orders, SUM(units) AS units, SUM(net_revenue) AS net_revenue,
    MIN(sale_date) AS first_purchase, MAX(sale_date) AS last_purchase
  FROM gold.customer_spend_daily WHERE {dates: sale_date} GROUP BY customer_id
) AS d
ON t.customer_id = d.customer_id
WHEN MATCHED THEN UPDATE SET
  orders = t.orders + d.orders, units = t.units + d.units, net_revenue = t.net_revenue + d.net_revenue,
  first_purchase = LEAST(t.first_purchase, d.first_purchase), last_purchase = GREATEST(t.last_purchase, d.last_purchase)
WHEN NOT MATCHED THEN INSERT (customer_id, orders, units, net_revenue, first_purchase, last_purchase)
  VALUES (d.customer_id, d.orders, d.units, d.net_revenue, d.first_purchase, d.last_purchase);

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
  COALESCE(SUM(t.orders), 0), COALESCE(SUM(t.net_revenue), 0),
  ROUND(COALESCE(SUM(t.orders), 0) / COUNT(*), 4),
  ROUND(CAST(COALESCE(SUM(t.net_revenue), 0) AS FLOAT64) / COUNT(*), 2)
FROM silver.customers_current AS c
LEFT JOIN gold.customer_totals AS t ON t.customer_id = c.customer_id
GROUP BY c.loyalty_tier, c.gender, age_band, c.province;

-- @build inventory_health
-- The pairs the touched days' snapshots name: their latest snapshot (on or after the earliest
-- touched day, where it must be) and their restocks in the 90 days up to it — read through
-- the pair's own rows, so a pass costs the touched pairs' recent days, not their histories.
DELETE FROM gold.inventory_health
WHERE inventory_id IN (SELECT inventory_id FROM silver.inventory WHERE {dates: DATE(event_time, 'Asia/Karachi')});
INSERT INTO gold.inventory_health (inventory_id, store_id, store_name, product_id, model_name, category,
  snapshot_date, stock_level, reorder_level, below_reorder, damaged_units, last_restock_date, restocks,
  avg_restock_cycle_days)
WITH touched AS (
  SELECT inventory_id, MIN(event_time) AS since
  FROM silver.inventory WHERE {dates: DATE(event_time, 'Asia/Karachi')} GROUP BY inventory_id
),
latest AS (
  SELECT * FROM (
    SELECT i.*, ROW_NUMBER() OVER (PARTITION BY i.inventory_id ORDER BY i.event_time DESC, i._source_partition DESC, i._source_offset DESC, i._source_publish_time DESC, i._source_message_id DESC) AS _rn
    FROM silver.inventory AS i JOIN touched AS t ON t.inventory_id = i.inventory_id AND i.event_time >= t.since
  ) AS ranked
  WHERE _rn = 1
),
restocks AS (
  SELECT i.inventory_id, COUNT(DISTINCT i.last_restock_date) AS n,
    MIN(i.last_restock_date) AS first_day, MAX(i.last_restock_date) AS last_day
  FROM silver.inventory AS i JOIN latest AS l ON l.inventory_id = i.inventory_id
  WHERE i.event_time > TIMESTAMP_SUB(l.event_time, INTERVAL 90 DAY) AND i.event_time <= l.event_time
    -- A snapshot in the window can still report a restock from before it: not one of its restocks.
    AND i.last_restock_date > DATE_SUB(DATE(l.event_time, 'Asia/Karachi'), INTERVAL 90 DAY)
  GROUP BY i.inventory_id
)
SELECT
  i.inventory_id, i.store_id, COALESCE(st.store_name, 'unknown'), i.product_id,
  COALESCE(p.model_name, 'unknown'), COALESCE(p.category, 'unknown'),
  DATE(i.event_time, 'Asia/Karachi'), i.stock_level, i.reorder_level, i.stock_level < i.reorder_level,
  i.damaged_units, i.last_restock_date, COALESCE(r.n, 0),
  CASE WHEN r.n > 1 THEN ROUND(DATE_DIFF(r.last_day, r.first_day, DAY) / (r.n - 1), 2) END
FROM latest AS i
LEFT JOIN restocks AS r ON r.inventory_id = i.inventory_id
LEFT JOIN silver.stores_current AS st ON st.store_id = i.store_id
LEFT JOIN silver.products_current AS p ON p.product_id = i.product_id;

-- @relabel inventory_health
-- A launch, rename or price change touches no stock snapshot: set the pairs' labels from the
-- current products and stores (what a rebuild would read) instead of rebuilding every pair.
UPDATE gold.inventory_health AS h SET model_name = p.model_name, category = p.category
FROM silver.products_current AS p
WHERE p.product_id = h.product_id AND (h.model_name != p.model_name OR h.category != p.category);
UPDATE gold.inventory_health AS h SET store_name = st.store_name
FROM silver.stores_current AS st
WHERE st.store_id = h.store_id AND h.store_name != st.store_name;

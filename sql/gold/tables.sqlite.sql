-- Gold tables for the embedded SQLite warehouse: the same tables, columns and grains as
-- tables.bigquery.sql (read the comments there). Applied by `shopstream compact` after the
-- warehouse has attached the database `gold`. Type names as in sql/silver/sqlite.sql: TEXT for
-- STRING, NUMERIC_TEXT for NUMERIC (exact decimal text), BOOL as 0/1. An index on each grain.
-- Every statement ends with a semicolon at the end of a line.

-- Grain: sale_date × store_id. Sales of one store on one day.
CREATE TABLE IF NOT EXISTS gold.daily_sales (
  sale_date       DATE NOT NULL,
  store_id        TEXT NOT NULL,
  store_name      TEXT NOT NULL,
  city            TEXT NOT NULL,
  region          TEXT NOT NULL,
  orders          INT64 NOT NULL,     -- sale lines (one sale_id each)
  units           INT64 NOT NULL,
  gross_revenue   NUMERIC_TEXT NOT NULL,   -- SUM(quantity * unit_price)
  discounts       NUMERIC_TEXT NOT NULL,   -- SUM(discount)
  net_revenue     NUMERIC_TEXT NOT NULL,   -- SUM(total_price) = gross - discounts
  avg_order_value FLOAT64 NOT NULL    -- net_revenue / orders, rounded to the paisa
);

-- Grain: sale_date × product_id. How each product sold on one day, ranked in its category.
CREATE TABLE IF NOT EXISTS gold.product_daily (
  sale_date        DATE NOT NULL,
  product_id       TEXT NOT NULL,
  model_name       TEXT NOT NULL,
  category         TEXT NOT NULL,
  orders           INT64 NOT NULL,
  units            INT64 NOT NULL,
  net_revenue      NUMERIC_TEXT NOT NULL,
  rank_in_category INT64 NOT NULL     -- 1 = most net revenue in its category that day (ties: more units, then product_id)
);

-- Grain: month × store_id × salesperson. month is the first day of the month.
CREATE TABLE IF NOT EXISTS gold.salesperson_monthly (
  month          DATE NOT NULL,
  store_id       TEXT NOT NULL,
  store_name     TEXT NOT NULL,
  salesperson    TEXT NOT NULL,
  orders         INT64 NOT NULL,
  units          INT64 NOT NULL,
  customers      INT64 NOT NULL,      -- distinct customers served
  gross_revenue  NUMERIC_TEXT NOT NULL,
  discounts      NUMERIC_TEXT NOT NULL,
  net_revenue    NUMERIC_TEXT NOT NULL,
  discount_rate  FLOAT64 NOT NULL     -- discounts / gross_revenue, 4 decimals
);

-- Grain: payment_date × payment_method. Every payment event (attempt, settlement, refund)
-- on the Pakistan date of its event_time.
CREATE TABLE IF NOT EXISTS gold.payment_daily (
  payment_date     DATE NOT NULL,
  payment_method   TEXT NOT NULL,
  attempts         INT64 NOT NULL,    -- payment events
  completed        INT64 NOT NULL,
  failed           INT64 NOT NULL,
  pending          INT64 NOT NULL,
  refunded         INT64 NOT NULL,
  amount           NUMERIC_TEXT NOT NULL,   -- SUM(amount) over every event
  completed_amount NUMERIC_TEXT NOT NULL,
  refunded_amount  NUMERIC_TEXT NOT NULL,
  failed_share     FLOAT64 NOT NULL,  -- failed / attempts, 4 decimals
  refunded_share   FLOAT64 NOT NULL   -- refunded / attempts, 4 decimals
);

-- Grain: day. Customers who signed up that day, all signed up by then, and those who bought.
CREATE TABLE IF NOT EXISTS gold.customer_daily (
  day                  DATE NOT NULL,
  new_customers        INT64 NOT NULL,
  cumulative_customers INT64 NOT NULL,
  active_customers     INT64 NOT NULL
);

-- Grain: sale_date × customer_id. What each customer bought each day: the ledger that
-- customer_totals is kept from (a pass takes a day's old rows away and adds its new ones).
CREATE TABLE IF NOT EXISTS gold.customer_spend_daily (
  sale_date   DATE NOT NULL,
  customer_id TEXT NOT NULL,
  orders      INT64 NOT NULL,
  units       INT64 NOT NULL,
  net_revenue NUMERIC_TEXT NOT NULL
);

-- Grain: customer_id. Each customer's purchases over all time, kept by difference from
-- customer_spend_daily (so a pass costs the touched days, not the customers' histories);
-- customer_segments reads it whole.
CREATE TABLE IF NOT EXISTS gold.customer_totals (
  customer_id    TEXT NOT NULL,
  orders         INT64 NOT NULL,
  units          INT64 NOT NULL,
  net_revenue    NUMERIC_TEXT NOT NULL,
  first_purchase DATE NOT NULL,
  last_purchase  DATE NOT NULL
);

-- Grain: loyalty_tier × gender × age_band × province, over every customer's current row
-- and gold.customer_totals. A snapshot, rebuilt whole (it reads customers, not sales) when
-- customers or sales change.
CREATE TABLE IF NOT EXISTS gold.customer_segments (
  loyalty_tier         TEXT NOT NULL,
  gender               TEXT NOT NULL,
  age_band             TEXT NOT NULL,   -- under 18, 18-24, 25-34, 35-44, 45-54, 55+
  province             TEXT NOT NULL,
  customers            INT64 NOT NULL,
  buyers               INT64 NOT NULL,    -- customers with at least one purchase
  orders               INT64 NOT NULL,
  net_revenue          NUMERIC_TEXT NOT NULL,
  purchase_frequency   FLOAT64 NOT NULL,  -- orders per customer, 4 decimals
  revenue_per_customer FLOAT64 NOT NULL   -- net_revenue per customer, 2 decimals
);

-- Grain: store_id × product_id. The latest stock snapshot of each pair and its restock
-- activity of the last 90 days; rebuilt for the pairs the touched days' inventory events
-- name (all of them when the catalogue or the stores change). The view gold.inventory_status
-- adds the days since the last restock, as of the newest snapshot of any pair.
CREATE TABLE IF NOT EXISTS gold.inventory_health (
  inventory_id           TEXT NOT NULL,   -- the pair's key on shop.inventory
  store_id               TEXT NOT NULL,
  store_name             TEXT NOT NULL,
  product_id             TEXT NOT NULL,
  model_name             TEXT NOT NULL,
  category               TEXT NOT NULL,
  snapshot_date          DATE NOT NULL,   -- the business date of the pair's latest snapshot
  stock_level            INT64 NOT NULL,
  reorder_level          INT64 NOT NULL,
  below_reorder          BOOL NOT NULL,   -- stock_level < reorder_level
  damaged_units          INT64 NOT NULL,
  last_restock_date      DATE NOT NULL,
  restocks               INT64 NOT NULL,  -- distinct restock dates in the 90 days up to snapshot_date
  avg_restock_cycle_days FLOAT64          -- over those 90 days: days from the first to the last restock / (restocks - 1); NULL under two
);

-- Grain: shipped_date × carrier. Shipments by the day they left, once their outcome is known.
CREATE TABLE IF NOT EXISTS gold.shipping_daily (
  shipped_date   DATE NOT NULL,
  carrier        TEXT NOT NULL,
  shipments      INT64 NOT NULL,
  delivered      INT64 NOT NULL,   -- on or before the expected date
  delayed        INT64 NOT NULL,
  returned       INT64 NOT NULL,
  lost           INT64 NOT NULL,
  damaged        INT64 NOT NULL,
  on_time_share  FLOAT64 NOT NULL, -- delivered / shipments, 4 decimals
  avg_delay_days FLOAT64 NOT NULL, -- mean delay_days of the shipments that arrived (delivered, delayed), 2 decimals
  delay_days     INT64 NOT NULL    -- SUM(delay_days), for exact roll-ups
);

-- Grain: month. The executive summary's numbers; growth against the previous month is in
-- the view gold.executive_summary.
CREATE TABLE IF NOT EXISTS gold.executive_monthly (
  month                DATE NOT NULL,
  orders               INT64 NOT NULL,
  units                INT64 NOT NULL,
  gross_revenue        NUMERIC_TEXT NOT NULL,
  discounts            NUMERIC_TEXT NOT NULL,
  net_revenue          NUMERIC_TEXT NOT NULL,
  active_customers     INT64 NOT NULL,   -- distinct buyers in the month
  new_customers        INT64 NOT NULL,
  cumulative_customers INT64 NOT NULL    -- signed up by the month's end
);

-- The compactor's memory: per silver source and business date, how many rows the last
-- build saw (business_date NULL: the whole table). A date whose count changed is rebuilt.
CREATE TABLE IF NOT EXISTS gold._state (
  source        TEXT NOT NULL,
  business_date DATE,
  row_count     INT64 NOT NULL,
  compacted_at  TIMESTAMP NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS gold.daily_sales_grain ON daily_sales (sale_date, store_id);
CREATE UNIQUE INDEX IF NOT EXISTS gold.product_daily_grain ON product_daily (sale_date, product_id);
CREATE UNIQUE INDEX IF NOT EXISTS gold.salesperson_monthly_grain ON salesperson_monthly (month, store_id, salesperson);
CREATE UNIQUE INDEX IF NOT EXISTS gold.payment_daily_grain ON payment_daily (payment_date, payment_method);
CREATE UNIQUE INDEX IF NOT EXISTS gold.customer_daily_grain ON customer_daily (day);
CREATE UNIQUE INDEX IF NOT EXISTS gold.shipping_daily_grain ON shipping_daily (shipped_date, carrier);
CREATE UNIQUE INDEX IF NOT EXISTS gold.executive_monthly_grain ON executive_monthly (month);
CREATE UNIQUE INDEX IF NOT EXISTS gold.customer_spend_daily_grain ON customer_spend_daily (sale_date, customer_id);
CREATE UNIQUE INDEX IF NOT EXISTS gold.customer_totals_grain ON customer_totals (customer_id);
CREATE UNIQUE INDEX IF NOT EXISTS gold.inventory_health_grain ON inventory_health (inventory_id);
CREATE INDEX IF NOT EXISTS gold.state_by_source ON _state (source, business_date);

-- Inventory as of the newest snapshot: days since each pair's last restock.
DROP VIEW IF EXISTS gold.inventory_status;
CREATE VIEW gold.inventory_status AS
SELECT
  h.*, a.as_of_date, CAST(julianday(a.as_of_date) - julianday(h.last_restock_date) AS INTEGER) AS days_since_restock
FROM inventory_health AS h
CROSS JOIN (SELECT MAX(snapshot_date) AS as_of_date FROM inventory_health) AS a;

-- Month over month: each month beside the one before it.
DROP VIEW IF EXISTS gold.executive_summary;
CREATE VIEW gold.executive_summary AS
SELECT
  month, orders, units, gross_revenue, discounts, net_revenue, active_customers, new_customers,
  cumulative_customers,
  LAG(net_revenue) OVER (ORDER BY month) AS previous_net_revenue,
  LAG(orders) OVER (ORDER BY month) AS previous_orders,
  ROUND(CAST(net_revenue AS REAL) / NULLIF(CAST(LAG(net_revenue) OVER (ORDER BY month) AS REAL), 0) - 1, 4) AS revenue_growth,
  ROUND(CAST(orders AS REAL) / NULLIF(LAG(orders) OVER (ORDER BY month), 0) - 1, 4) AS orders_growth,
  ROUND(CAST(cumulative_customers AS REAL) / NULLIF(LAG(cumulative_customers) OVER (ORDER BY month), 0) - 1, 4) AS customer_growth
FROM executive_monthly;

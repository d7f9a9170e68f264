-- Gold tables for BigQuery: the aggregates the dashboards read, built from silver by
-- `shopstream compact` (the SQL it runs is build.bigquery.sql). Applied by the compactor
-- itself; safe to apply again. Every table states its grain: one row per that key.
-- Money is NUMERIC(38, 9) (exact; the emulator loses the scale of a bare NUMERIC), shares
-- and averages are FLOAT64 rounded to what a chart shows.
-- Business dates are Pakistan dates (Asia/Karachi, UTC+5, no daylight saving).
-- Every statement ends with a semicolon at the end of a line.

-- Grain: sale_date × store_id. Sales of one store on one day.
CREATE TABLE IF NOT EXISTS gold.daily_sales (
  sale_date       DATE NOT NULL,
  store_id        STRING NOT NULL,
  store_name      STRING NOT NULL,
  city            STRING NOT NULL,
  region          STRING NOT NULL,
  orders          INT64 NOT NULL,     -- sale lines (one sale_id each)
  units           INT64 NOT NULL,
  gross_revenue   NUMERIC(38, 9) NOT NULL,   -- SUM(quantity * unit_price)
  discounts       NUMERIC(38, 9) NOT NULL,   -- SUM(discount)
  net_revenue     NUMERIC(38, 9) NOT NULL,   -- SUM(total_price) = gross - discounts
  avg_order_value FLOAT64 NOT NULL    -- net_revenue / orders, rounded to the paisa
)
PARTITION BY sale_date
CLUSTER BY region, store_id;

-- Grain: sale_date × product_id. How each product sold on one day, ranked in its category.
CREATE TABLE IF NOT EXISTS gold.product_daily (
  sale_date        DATE NOT NULL,
  product_id       STRING NOT NULL,
  model_name       STRING NOT NULL,
  category         STRING NOT NULL,
  orders           INT64 NOT NULL,
  units            INT64 NOT NULL,
  net_revenue      NUMERIC(38, 9) NOT NULL,
  rank_in_category INT64 NOT NULL     -- 1 = most net revenue in its category that day (ties: more units, then product_id)
)
PARTITION BY sale_date
CLUSTER BY category, product_id;

-- Grain: month × store_id × salesperson. month is the first day of the month.
CREATE TABLE IF NOT EXISTS gold.salesperson_monthly (
  month          DATE NOT NULL,
  store_id       STRING NOT NULL,
  store_name     STRING NOT NULL,
  salesperson    STRING NOT NULL,
  orders         INT64 NOT NULL,
  units          INT64 NOT NULL,
  customers      INT64 NOT NULL,      -- distinct customers served
  gross_revenue  NUMERIC(38, 9) NOT NULL,
  discounts      NUMERIC(38, 9) NOT NULL,
  net_revenue    NUMERIC(38, 9) NOT NULL,
  discount_rate  FLOAT64 NOT NULL     -- discounts / gross_revenue, 4 decimals
)
PARTITION BY month
CLUSTER BY store_id, salesperson;

-- Grain: payment_date × payment_method. Every payment event (attempt, settlement, refund)
-- on the Pakistan date of its event_time.
CREATE TABLE IF NOT EXISTS gold.payment_daily (
  payment_date     DATE NOT NULL,
  payment_method   STRING NOT NULL,
  attempts         INT64 NOT NULL,    -- payment events
  completed        INT64 NOT NULL,
  failed           INT64 NOT NULL,
  pending          INT64 NOT NULL,
  refunded         INT64 NOT NULL,
  amount           NUMERIC(38, 9) NOT NULL,   -- SUM(amount) over every event
  completed_amount NUMERIC(38, 9) NOT NULL,
  refunded_amount  NUMERIC(38, 9) NOT NULL,
  failed_share     FLOAT64 NOT NULL,  -- failed / attempts, 4 decimals
  refunded_share   FLOAT64 NOT NULL   -- refunded / attempts, 4 decimals
)
PARTITION BY payment_date
CLUSTER BY payment_method;

-- Grain: day. Customers who signed up that day, all signed up by then, and those who bought.
CREATE TABLE IF NOT EXISTS gold.customer_daily (
  day                  DATE NOT NULL,
  new_customers        INT64 NOT NULL,
  cumulative_customers INT64 NOT NULL,
  active_customers     INT64 NOT NULL
)
PARTITION BY day;

-- Grain: sale_date × customer_id. What each customer bought each day: the ledger that
-- customer_totals is kept from (a pass takes a day's old rows away and adds its new ones).
CREATE TABLE IF NOT EXISTS gold.customer_spend_daily (
  sale_date   DATE NOT NULL,
  customer_id STRING NOT NULL,
  orders      INT64 NOT NULL,
  units       INT64 NOT NULL,
  net_revenue NUMERIC(38, 9) NOT NULL
)
PARTITION BY sale_date
CLUSTER BY customer_id;

-- Grain: customer_id. Each customer's purchases over all time, kept by difference from
-- customer_spend_daily (so a pass costs the touched days, not the customers' histories);
-- customer_segments reads it whole.
CREATE TABLE IF NOT EXISTS gold.customer_totals (
  customer_id    STRING NOT NULL,
  orders         INT64 NOT NULL,
  units          INT64 NOT NULL,
  net_revenue    NUMERIC(38, 9) NOT NULL,
  first_purchase DATE NOT NULL,
  last_purchase  DATE NOT NULL
)
CLUSTER BY customer_id;

-- Grain: loyalty_tier × gender × age_band × province, over every customer's current row
-- and gold.customer_totals. A snapshot, rebuilt whole (it reads customers, not sales) when
-- customers or sales change.
CREATE TABLE IF NOT EXISTS gold.customer_segments (
  loyalty_tier         STRING NOT NULL,
  gender               STRING NOT NULL,
  age_band             STRING NOT NULL,   -- under 18, 18-24, 25-34, 35-44, 45-54, 55+
  province             STRING NOT NULL,
  customers            INT64 NOT NULL,
  buyers               INT64 NOT NULL,    -- customers with at least one purchase
  orders               INT64 NOT NULL,
  net_revenue          NUMERIC(38, 9) NOT NULL,
  purchase_frequency   FLOAT64 NOT NULL,  -- orders per customer, 4 decimals
  revenue_per_customer FLOAT64 NOT NULL   -- net_revenue per customer, 2 decimals
)
CLUSTER BY loyalty_tier, province;

-- Grain: store_id × product_id. The latest stock snapshot of each pair and its restock
-- activity of the last 90 days; rebuilt for the pairs the touched days' inventory events
-- name (all of them when the catalogue or the stores change). The view gold.inventory_status
-- adds the days since the last restock, as of the newest snapshot of any pair.
CREATE TABLE IF NOT EXISTS gold.inventory_health (
  inventory_id           STRING NOT NULL,   -- the pair's key on shop.inventory
  store_id               STRING NOT NULL,
  store_name             STRING NOT NULL,
  product_id             STRING NOT NULL,
  model_name             STRING NOT NULL,
  category               STRING NOT NULL,
  snapshot_date          DATE NOT NULL,   -- the business date of the pair's latest snapshot
  stock_level            INT64 NOT NULL,
  reorder_level          INT64 NOT NULL,
  below_reorder          BOOL NOT NULL,   -- stock_level < reorder_level
  damaged_units          INT64 NOT NULL,
  last_restock_date      DATE NOT NULL,
  restocks               INT64 NOT NULL,  -- distinct restock dates in the 90 days up to snapshot_date
  avg_restock_cycle_days FLOAT64          -- over those 90 days: days from the first to the last restock / (restocks - 1); NULL under two
)
CLUSTER BY store_id, product_id;

-- Grain: shipped_date × carrier. Shipments by the day they left, once their outcome is known.
CREATE TABLE IF NOT EXISTS gold.shipping_daily (
  shipped_date   DATE NOT NULL,
  carrier        STRING NOT NULL,
  shipments      INT64 NOT NULL,
  delivered      INT64 NOT NULL,   -- on or before the expected date
  delayed        INT64 NOT NULL,
  returned       INT64 NOT NULL,
  lost           INT64 NOT NULL,
  damaged        INT64 NOT NULL,
  on_time_share  FLOAT64 NOT NULL, -- delivered / shipments, 4 decimals
  avg_delay_days FLOAT64 NOT NULL, -- mean delay_days of the shipments that arrived (delivered, delayed), 2 decimals
  delay_days     INT64 NOT NULL    -- SUM(delay_days), for exact roll-ups
)
PARTITION BY shipped_date
CLUSTER BY carrier;

-- Grain: month. The executive summary's numbers; growth against the previous month is in
-- the view gold.executive_summary.
CREATE TABLE IF NOT EXISTS gold.executive_monthly (
  month                DATE NOT NULL,
  orders               INT64 NOT NULL,
  units                INT64 NOT NULL,
  gross_revenue        NUMERIC(38, 9) NOT NULL,
  discounts            NUMERIC(38, 9) NOT NULL,
  net_revenue          NUMERIC(38, 9) NOT NULL,
  active_customers     INT64 NOT NULL,   -- distinct buyers in the month
  new_customers        INT64 NOT NULL,
  cumulative_customers INT64 NOT NULL    -- signed up by the month's end
);

-- The compactor's memory: per silver source and business date, how many rows the last
-- build saw (business_date NULL: the whole table). A date whose count changed is rebuilt.
CREATE TABLE IF NOT EXISTS gold._state (
  source        STRING NOT NULL,
  business_date DATE,
  row_count     INT64 NOT NULL,
  compacted_at  TIMESTAMP NOT NULL
);

-- Inventory as of the newest snapshot: days since each pair's last restock.
CREATE OR REPLACE VIEW gold.inventory_status AS
SELECT
  h.*, a.as_of_date, DATE_DIFF(a.as_of_date, h.last_restock_date, DAY) AS days_since_restock
FROM gold.inventory_health AS h
CROSS JOIN (SELECT MAX(snapshot_date) AS as_of_date FROM gold.inventory_health) AS a;

-- Month over month: each month beside the one before it.
CREATE OR REPLACE VIEW gold.executive_summary AS
SELECT
  month, orders, units, gross_revenue, discounts, net_revenue, active_customers, new_customers,
  cumulative_customers,
  LAG(net_revenue) OVER (ORDER BY month) AS previous_net_revenue,
  LAG(orders) OVER (ORDER BY month) AS previous_orders,
  ROUND(SAFE_DIVIDE(CAST(net_revenue AS FLOAT64), CAST(LAG(net_revenue) OVER (ORDER BY month) AS FLOAT64)) - 1, 4) AS revenue_growth,
  ROUND(SAFE_DIVIDE(orders, LAG(orders) OVER (ORDER BY month)) - 1, 4) AS orders_growth,
  ROUND(SAFE_DIVIDE(cumulative_customers, LAG(cumulative_customers) OVER (ORDER BY month)) - 1, 4) AS customer_growth
FROM gold.executive_monthly;

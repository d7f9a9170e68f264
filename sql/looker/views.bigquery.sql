-- Views shaped for Looker Studio (and any BI tool): one per dashboard, over gold only.
-- Applied by `shopstream compact` after the gold tables (BigQuery only: Looker Studio does
-- not read SQLite). Column names are plain snake_case, which Looker Studio turns into titles
-- ("revenue_pkr" shows as "Revenue pkr"; rename fields there as you like); money is FLOAT64
-- rupees (charts want numbers; gold keeps the exact NUMERIC);
-- `*_geo` columns are "City, Pakistan" for geo charts. Connect Looker Studio to the dataset
-- `looker` of your project.
-- Every statement ends with a semicolon at the end of a line.

CREATE SCHEMA IF NOT EXISTS looker;

-- Executive summary: one row per month, with growth against the month before.
CREATE OR REPLACE VIEW looker.executive_summary AS
SELECT
  month,
  CAST(net_revenue AS FLOAT64) AS revenue_pkr,
  CAST(gross_revenue AS FLOAT64) AS gross_revenue_pkr,
  CAST(discounts AS FLOAT64) AS discounts_pkr,
  orders, units,
  active_customers, new_customers,
  cumulative_customers AS customers,
  revenue_growth, orders_growth, customer_growth
FROM gold.executive_summary;

-- Sales analytics and regional store performance: one row per day and store.
CREATE OR REPLACE VIEW looker.store_sales AS
SELECT
  sale_date, region, city, CONCAT(city, ', Pakistan') AS city_geo,
  store_name AS store, store_id,
  orders, units,
  CAST(gross_revenue AS FLOAT64) AS gross_revenue_pkr,
  CAST(discounts AS FLOAT64) AS discounts_pkr,
  CAST(net_revenue AS FLOAT64) AS revenue_pkr,
  avg_order_value AS average_order_pkr
FROM gold.daily_sales;

-- Top products: one row per day and product, with its rank in its category that day.
CREATE OR REPLACE VIEW looker.product_performance AS
SELECT
  sale_date, category, model_name AS product, product_id,
  orders, units, CAST(net_revenue AS FLOAT64) AS revenue_pkr,
  rank_in_category
FROM gold.product_daily;

-- Salesperson performance: one row per month, store and salesperson.
CREATE OR REPLACE VIEW looker.salesperson_performance AS
SELECT
  month, store_name AS store, salesperson,
  orders, units, customers AS customers_served,
  CAST(net_revenue AS FLOAT64) AS revenue_pkr, CAST(discounts AS FLOAT64) AS discounts_pkr,
  discount_rate
FROM gold.salesperson_monthly;

-- Payment-method mix: one row per day and method.
CREATE OR REPLACE VIEW looker.payment_mix AS
SELECT
  payment_date, payment_method,
  attempts AS payments, completed, failed, pending,
  refunded,
  CAST(completed_amount AS FLOAT64) AS collected_pkr, CAST(refunded_amount AS FLOAT64) AS refunded_pkr,
  failed_share, refunded_share
FROM gold.payment_daily;

-- Customer growth: one row per day.
CREATE OR REPLACE VIEW looker.customer_growth AS
SELECT
  day, new_customers, cumulative_customers AS customers,
  active_customers
FROM gold.customer_daily;

-- Customer insights: one row per tier, gender, age band and province.
CREATE OR REPLACE VIEW looker.customer_segments AS
SELECT
  loyalty_tier, gender, age_band, province,
  CONCAT(province, ', Pakistan') AS province_geo,
  customers, buyers, orders,
  CAST(net_revenue AS FLOAT64) AS revenue_pkr,
  purchase_frequency AS orders_per_customer, revenue_per_customer AS revenue_per_customer_pkr
FROM gold.customer_segments;

-- Inventory: one row per store and product, as of the newest snapshot.
CREATE OR REPLACE VIEW looker.inventory_health AS
SELECT
  as_of_date AS as_of, store_name AS store, category, model_name AS product,
  stock_level AS stock, reorder_level, below_reorder AS below_reorder_level,
  damaged_units, last_restock_date AS last_restock,
  days_since_restock, avg_restock_cycle_days AS restock_cycle_days
FROM gold.inventory_status;

-- Shipping: one row per shipped day and carrier.
CREATE OR REPLACE VIEW looker.shipping_performance AS
SELECT
  shipped_date, carrier, shipments,
  delivered AS on_time, delayed, returned, lost,
  damaged, on_time_share, avg_delay_days AS average_delay_days
FROM gold.shipping_daily;

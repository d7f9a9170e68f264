-- Silver views for SQLite, the same as views.bigquery.sql: a window in a subquery where
-- BigQuery uses QUALIFY. SQLite has no CREATE OR REPLACE VIEW: each view is dropped and
-- created again, so applying the file twice is harmless and picks up changes.
-- Inside a view the tables are named without their dataset: SQLite binds them to the view's
-- own database, so the file also opens on its own (sqlite3 warehouse.silver.db).
-- Every statement ends with a semicolon at the end of a line.

-- customers_current: one row per customer_id, its latest version.
DROP VIEW IF EXISTS silver.customers_current;
CREATE VIEW silver.customers_current AS
SELECT
  event_id, event_time, customer_id, full_name, gender, age, email, phone, city, province,
  loyalty_tier, signup_date, _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) AS _rn
  FROM customers
)
WHERE _rn = 1;

-- products_current: one row per product_id, its latest version.
DROP VIEW IF EXISTS silver.products_current;
CREATE VIEW silver.products_current AS
SELECT
  event_id, event_time, product_id, sku, model_name, category, brand, compatible_with, base_price,
  launch_date, _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) AS _rn
  FROM products
)
WHERE _rn = 1;

-- stores_current: one row per store_id, its latest version.
DROP VIEW IF EXISTS silver.stores_current;
CREATE VIEW silver.stores_current AS
SELECT
  event_id, event_time, store_id, store_name, city, region, address, opened_date, type, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY store_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) AS _rn
  FROM stores
)
WHERE _rn = 1;

-- inventory_current: one row per inventory_id, its latest version.
DROP VIEW IF EXISTS silver.inventory_current;
CREATE VIEW silver.inventory_current AS
SELECT
  event_id, event_time, inventory_id, store_id, product_id, stock_level, reorder_level,
  damaged_units, last_restock_date, _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY inventory_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) AS _rn
  FROM inventory
)
WHERE _rn = 1;

-- sales_dedup: one row per event_id.
DROP VIEW IF EXISTS silver.sales_dedup;
CREATE VIEW silver.sales_dedup AS
SELECT
  event_id, event_time, sale_id, sale_date, customer_id, product_id, store_id, salesperson,
  channel, quantity, unit_price, discount, total_price, promotion, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM sales
)
WHERE _rn = 1;

-- payments_dedup: one row per event_id.
DROP VIEW IF EXISTS silver.payments_dedup;
CREATE VIEW silver.payments_dedup AS
SELECT
  event_id, event_time, payment_id, sale_id, payment_method, amount, currency, status, paid_at,
  _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM payments
)
WHERE _rn = 1;

-- shipping_dedup: one row per event_id.
DROP VIEW IF EXISTS silver.shipping_dedup;
CREATE VIEW silver.shipping_dedup AS
SELECT
  event_id, event_time, shipment_id, sale_id, carrier, origin_city, destination_city, shipped_date,
  expected_delivery_date, delivery_status, delay_days, damaged, delivered_date, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) AS _rn
  FROM shipping
)
WHERE _rn = 1;

-- payments_latest: one row per sale_id, its latest payment event (Completed after Pending, the retry after a decline).
DROP VIEW IF EXISTS silver.payments_latest;
CREATE VIEW silver.payments_latest AS
SELECT
  event_id, event_time, payment_id, sale_id, payment_method, amount, currency, status, paid_at,
  _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY sale_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) AS _rn
  FROM payments
)
WHERE _rn = 1;

-- shipping_latest: one row per sale_id, its latest shipment event.
DROP VIEW IF EXISTS silver.shipping_latest;
CREATE VIEW silver.shipping_latest AS
SELECT
  event_id, event_time, shipment_id, sale_id, carrier, origin_city, destination_city, shipped_date,
  expected_delivery_date, delivery_status, delay_days, damaged, delivered_date, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY sale_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) AS _rn
  FROM shipping
)
WHERE _rn = 1;

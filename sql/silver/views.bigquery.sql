-- Silver views for BigQuery. Applied by `shopstream warehouse init` after bigquery.sql.
-- Silver is at-least-once: a record can be inserted twice (a resend after a crash), and a
-- dimension has many versions of each id. Downstream reads these views, never the tables:
--   <dimension>_current  the latest version of each id (by event_time, then source position)
--   <fact>_dedup         one row per event_id (the first copy in source order)
-- Source order is the same on either bus: Kafka's (partition, offset); on Pub/Sub, where both are
-- NULL (first in ascending order, last in descending, in both dialects), the publish time, then
-- the message id; then, for copies of one message (a redelivery), the time it was ingested.
--   payments_latest      the latest payment event of each sale (its settled state)
--   shipping_latest      the latest shipment event of each sale
-- Every statement ends with a semicolon at the end of a line.

-- customers_current: one row per customer_id, its latest version.
CREATE OR REPLACE VIEW silver.customers_current AS
SELECT
  event_id, event_time, customer_id, full_name, gender, age, email, phone, city, province,
  loyalty_tier, signup_date, _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM silver.customers
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) = 1;

-- products_current: one row per product_id, its latest version.
CREATE OR REPLACE VIEW silver.products_current AS
SELECT
  event_id, event_time, product_id, sku, model_name, category, brand, compatible_with, base_price,
  launch_date, _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM silver.products
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) = 1;

-- stores_current: one row per store_id, its latest version.
CREATE OR REPLACE VIEW silver.stores_current AS
SELECT
  event_id, event_time, store_id, store_name, city, region, address, opened_date, type, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM silver.stores
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY store_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) = 1;

-- inventory_current: one row per inventory_id, its latest version.
CREATE OR REPLACE VIEW silver.inventory_current AS
SELECT
  event_id, event_time, inventory_id, store_id, product_id, stock_level, reorder_level,
  damaged_units, last_restock_date, _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM silver.inventory
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY inventory_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) = 1;

-- sales_dedup: one row per event_id.
CREATE OR REPLACE VIEW silver.sales_dedup AS
SELECT
  event_id, event_time, sale_id, sale_date, customer_id, product_id, store_id, salesperson,
  channel, quantity, unit_price, discount, total_price, promotion, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM silver.sales
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) = 1;

-- payments_dedup: one row per event_id.
CREATE OR REPLACE VIEW silver.payments_dedup AS
SELECT
  event_id, event_time, payment_id, sale_id, payment_method, amount, currency, status, paid_at,
  _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM silver.payments
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) = 1;

-- shipping_dedup: one row per event_id.
CREATE OR REPLACE VIEW silver.shipping_dedup AS
SELECT
  event_id, event_time, shipment_id, sale_id, carrier, origin_city, destination_city, shipped_date,
  expected_delivery_date, delivery_status, delay_days, damaged, delivered_date, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM silver.shipping
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _source_partition, _source_offset, _source_publish_time, _source_message_id, _ingested_at) = 1;

-- payments_latest: one row per sale_id, its latest payment event (Completed after Pending, the retry after a decline).
CREATE OR REPLACE VIEW silver.payments_latest AS
SELECT
  event_id, event_time, payment_id, sale_id, payment_method, amount, currency, status, paid_at,
  _source_topic, _source_partition, _source_offset, _source_message_id, _source_publish_time,
  _source_delivery_attempt, _insert_id, _ingested_at
FROM silver.payments
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY sale_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) = 1;

-- shipping_latest: one row per sale_id, its latest shipment event.
CREATE OR REPLACE VIEW silver.shipping_latest AS
SELECT
  event_id, event_time, shipment_id, sale_id, carrier, origin_city, destination_city, shipped_date,
  expected_delivery_date, delivery_status, delay_days, damaged, delivered_date, _source_topic,
  _source_partition, _source_offset, _source_message_id, _source_publish_time, _source_delivery_attempt,
  _insert_id, _ingested_at
FROM silver.shipping
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY sale_id ORDER BY event_time DESC, _source_partition DESC, _source_offset DESC, _source_publish_time DESC, _source_message_id DESC) = 1;

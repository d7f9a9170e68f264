-- Silver tables for BigQuery (GoogleSQL). Applied by `shopstream warehouse init`.
-- Source of truth for the silver schema: SilverSchema (Sources/ShopStreamSilver) derives the
-- same columns from topics/*.json, and SilverTests checks that the two agree.
-- Types: money is NUMERIC (exact), times are TIMESTAMP (UTC), days are DATE. NUMERIC is
-- written NUMERIC(38, 9), the same type in BigQuery, because the emulator turns a bare NUMERIC
-- into DuckDB's DECIMAL(18,3).
-- Every statement ends with a semicolon at the end of a line.

CREATE SCHEMA IF NOT EXISTS silver;

-- Customers: one row per customer event (sign-up, then each loyalty-tier rise).
-- Grain: one message read. Current state: silver.customers_current.
-- Small and read whole by the current view: not partitioned, clustered by id.
CREATE TABLE IF NOT EXISTS silver.customers (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  customer_id              STRING NOT NULL,
  full_name                STRING NOT NULL,
  gender                   STRING NOT NULL,
  age                      INT64 NOT NULL,
  email                    STRING NOT NULL,
  phone                    STRING NOT NULL,
  city                     STRING NOT NULL,
  province                 STRING NOT NULL,
  loyalty_tier             STRING NOT NULL,
  signup_date              DATE NOT NULL,
  _source_topic            STRING NOT NULL,    -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,    -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,    -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
)
CLUSTER BY customer_id;

-- Products: the catalogue, a launch, or a price change.
-- Grain: one message read. Current state: silver.products_current.
CREATE TABLE IF NOT EXISTS silver.products (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  product_id               STRING NOT NULL,
  sku                      STRING NOT NULL,
  model_name               STRING NOT NULL,
  category                 STRING NOT NULL,
  brand                    STRING NOT NULL,
  compatible_with          STRING NOT NULL,
  base_price               NUMERIC(38, 9) NOT NULL,
  launch_date              DATE NOT NULL,
  _source_topic            STRING NOT NULL,         -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,                   -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,                   -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,         -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,               -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,                   -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,         -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL       -- when the silver sink read it (UTC)
)
CLUSTER BY product_id;

-- Stores: every store, published on the first day.
-- Grain: one message read. Current state: silver.stores_current.
CREATE TABLE IF NOT EXISTS silver.stores (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  store_id                 STRING NOT NULL,
  store_name               STRING NOT NULL,
  city                     STRING NOT NULL,
  region                   STRING NOT NULL,
  address                  STRING NOT NULL,
  opened_date              DATE NOT NULL,
  type                     STRING NOT NULL,
  _source_topic            STRING NOT NULL,    -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,    -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,    -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
)
CLUSTER BY store_id;

-- Inventory: an end-of-day stock snapshot of one store-product pair.
-- Grain: one message read. Current state: silver.inventory_current.
-- Grows daily: partitioned by the snapshot day (UTC), clustered by store and product.
CREATE TABLE IF NOT EXISTS silver.inventory (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  inventory_id             STRING NOT NULL,
  store_id                 STRING NOT NULL,
  product_id               STRING NOT NULL,
  stock_level              INT64 NOT NULL,
  reorder_level            INT64 NOT NULL,
  damaged_units            INT64 NOT NULL,
  last_restock_date        DATE NOT NULL,
  _source_topic            STRING NOT NULL,    -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,    -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,    -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
)
PARTITION BY DATE(event_time)
CLUSTER BY store_id, product_id;

-- Sales: one sale line. total_price = quantity * unit_price - discount, exactly.
-- Grain: one message read. One row per event: silver.sales_dedup.
-- Partitioned by the business day, clustered by what the dashboards filter on.
CREATE TABLE IF NOT EXISTS silver.sales (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  sale_id                  STRING NOT NULL,
  sale_date                DATE NOT NULL,
  customer_id              STRING NOT NULL,
  product_id               STRING NOT NULL,
  store_id                 STRING NOT NULL,
  salesperson              STRING NOT NULL,
  channel                  STRING NOT NULL,
  quantity                 INT64 NOT NULL,
  unit_price               NUMERIC(38, 9) NOT NULL,
  discount                 NUMERIC(38, 9) NOT NULL,
  total_price              NUMERIC(38, 9) NOT NULL,
  promotion                STRING,
  _source_topic            STRING NOT NULL,         -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,                   -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,                   -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,         -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,               -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,                   -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,         -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL       -- when the silver sink read it (UTC)
)
PARTITION BY sale_date
CLUSTER BY store_id, product_id, customer_id;

-- Payments: every attempt and settlement of a sale (Failed, Pending, Completed, Refunded).
-- Grain: one message read. One row per event: silver.payments_dedup. Latest per sale: silver.payments_latest.
-- Partitioned by the attempt day (UTC date of event_time): paid_at is NULL for Pending and Failed.
CREATE TABLE IF NOT EXISTS silver.payments (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  payment_id               STRING NOT NULL,
  sale_id                  STRING NOT NULL,
  payment_method           STRING NOT NULL,
  amount                   NUMERIC(38, 9) NOT NULL,
  currency                 STRING NOT NULL,
  status                   STRING NOT NULL,
  paid_at                  TIMESTAMP,
  _source_topic            STRING NOT NULL,         -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,                   -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,                   -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,         -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,               -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,                   -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,         -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL       -- when the silver sink read it (UTC)
)
PARTITION BY DATE(event_time)
CLUSTER BY payment_method, status, sale_id;

-- Shipping: one shipment of an Online or WhatsApp sale, published when its outcome is known.
-- Grain: one message read. One row per event: silver.shipping_dedup. Latest per sale: silver.shipping_latest.
-- Partitioned by the day handed to the carrier, clustered by carrier and outcome.
CREATE TABLE IF NOT EXISTS silver.shipping (
  event_id                 STRING NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  shipment_id              STRING NOT NULL,
  sale_id                  STRING NOT NULL,
  carrier                  STRING NOT NULL,
  origin_city              STRING NOT NULL,
  destination_city         STRING NOT NULL,
  shipped_date             DATE NOT NULL,
  expected_delivery_date   DATE NOT NULL,
  delivery_status          STRING NOT NULL,
  delay_days               INT64 NOT NULL,
  damaged                  BOOL NOT NULL,
  delivered_date           DATE,
  _source_topic            STRING NOT NULL,    -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       STRING NOT NULL,    -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               STRING NOT NULL,    -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
)
PARTITION BY shipped_date
CLUSTER BY carrier, delivery_status, sale_id;

-- Rejects: every record the silver sink refused (also on the topic shop.dlq), with the reason.
-- Grain: one rejected Kafka record. payload is the original value, as text when it is UTF-8, else base64.
CREATE TABLE IF NOT EXISTS silver.rejects (
  source_topic            STRING NOT NULL,
  source_partition        INT64,              -- Kafka partition; NULL on Pub/Sub
  source_offset           INT64,              -- Kafka offset; NULL on Pub/Sub
  source_message_id       STRING NOT NULL,    -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  source_delivery_attempt INT64,              -- Pub/Sub delivery attempt; NULL on Kafka
  reason                  STRING NOT NULL,
  field                   STRING,
  payload                 STRING NOT NULL,
  payload_encoding        STRING NOT NULL,
  rejected_at             TIMESTAMP NOT NULL,
  _insert_id              STRING NOT NULL     -- <topic>:<message id>, the insertAll insertId
)
PARTITION BY DATE(rejected_at)
CLUSTER BY source_topic, field;

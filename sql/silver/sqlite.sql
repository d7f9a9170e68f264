-- Silver tables for the embedded SQLite warehouse. Applied by `shopstream warehouse init`
-- after the warehouse has attached the database `silver` (ATTACH ... AS silver).
-- Same tables and columns as bigquery.sql. Types are the ColumnType names except two, and
-- the warehouse maps them back (ColumnType(sqliteDeclaredType:)): STRING is TEXT and NUMERIC
-- is NUMERIC_TEXT. SQLite picks a column's affinity from the declared name, and STRING or
-- NUMERIC would get NUMERIC affinity, which stores the text '+923001234567' as the integer
-- 923001234567 and '3499.50' as the float 3499.5. A name containing TEXT keeps the text as
-- written. (INT64 gets INTEGER affinity, FLOAT64 REAL, BOOL DATE TIMESTAMP keep 0/1 and ISO text.)
-- No partitioning or clustering: an index on each view's window key instead.
-- Every statement ends with a semicolon at the end of a line.

-- Customers: one row per customer event (sign-up, then each loyalty-tier rise).
CREATE TABLE IF NOT EXISTS silver.customers (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  customer_id              TEXT NOT NULL,
  full_name                TEXT NOT NULL,
  gender                   TEXT NOT NULL,
  age                      INT64 NOT NULL,
  email                    TEXT NOT NULL,
  phone                    TEXT NOT NULL,
  city                     TEXT NOT NULL,
  province                 TEXT NOT NULL,
  loyalty_tier             TEXT NOT NULL,
  signup_date              DATE NOT NULL,
  _source_topic            TEXT NOT NULL,      -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,      -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,      -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
);
CREATE INDEX IF NOT EXISTS silver.customers_by_id ON customers (customer_id, event_time, _source_offset);
CREATE INDEX IF NOT EXISTS silver.customers_by_signup ON customers (signup_date, customer_id);

-- Products: the catalogue, a launch, or a price change.
CREATE TABLE IF NOT EXISTS silver.products (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  product_id               TEXT NOT NULL,
  sku                      TEXT NOT NULL,
  model_name               TEXT NOT NULL,
  category                 TEXT NOT NULL,
  brand                    TEXT NOT NULL,
  compatible_with          TEXT NOT NULL,
  base_price               NUMERIC_TEXT NOT NULL,
  launch_date              DATE NOT NULL,
  _source_topic            TEXT NOT NULL,         -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,                 -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,                 -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,         -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,             -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,                 -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,         -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL     -- when the silver sink read it (UTC)
);
CREATE INDEX IF NOT EXISTS silver.products_by_id ON products (product_id, event_time, _source_offset);

-- Stores: every store, published on the first day.
CREATE TABLE IF NOT EXISTS silver.stores (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  store_id                 TEXT NOT NULL,
  store_name               TEXT NOT NULL,
  city                     TEXT NOT NULL,
  region                   TEXT NOT NULL,
  address                  TEXT NOT NULL,
  opened_date              DATE NOT NULL,
  type                     TEXT NOT NULL,
  _source_topic            TEXT NOT NULL,      -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,      -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,      -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
);
CREATE INDEX IF NOT EXISTS silver.stores_by_id ON stores (store_id, event_time, _source_offset);

-- Inventory: an end-of-day stock snapshot of one store-product pair.
CREATE TABLE IF NOT EXISTS silver.inventory (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  inventory_id             TEXT NOT NULL,
  store_id                 TEXT NOT NULL,
  product_id               TEXT NOT NULL,
  stock_level              INT64 NOT NULL,
  reorder_level            INT64 NOT NULL,
  damaged_units            INT64 NOT NULL,
  last_restock_date        DATE NOT NULL,
  _source_topic            TEXT NOT NULL,      -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,      -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,      -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
);
CREATE INDEX IF NOT EXISTS silver.inventory_by_id ON inventory (inventory_id, event_time, _source_offset);
CREATE INDEX IF NOT EXISTS silver.inventory_by_date ON inventory (date(substr(event_time, 1, 19), '+5 hours'));

-- Sales: one sale line. total_price = quantity * unit_price - discount, exactly.
CREATE TABLE IF NOT EXISTS silver.sales (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  sale_id                  TEXT NOT NULL,
  sale_date                DATE NOT NULL,
  customer_id              TEXT NOT NULL,
  product_id               TEXT NOT NULL,
  store_id                 TEXT NOT NULL,
  salesperson              TEXT NOT NULL,
  channel                  TEXT NOT NULL,
  quantity                 INT64 NOT NULL,
  unit_price               NUMERIC_TEXT NOT NULL,
  discount                 NUMERIC_TEXT NOT NULL,
  total_price              NUMERIC_TEXT NOT NULL,
  promotion                TEXT,
  _source_topic            TEXT NOT NULL,         -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,                 -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,                 -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,         -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,             -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,                 -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,         -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL     -- when the silver sink read it (UTC)
);
-- No index on event_id, here or on payments and shipping: event ids are random, so every insert
-- dirtied a leaf page anywhere in it, and each 10,000-row commit wrote most of the index to the
-- log again (~12 % of the sink's time on a 700,000-event backlog, issue 11). Gold sorts the touched
-- dates' rows to find copies (build.sqlite.sql); the _dedup views sort whole tables either way.
-- A warehouse made before loses them here.
DROP INDEX IF EXISTS silver.sales_by_event;
-- The silver sink looks sale ids up here (a sale older than its dedup window, or read by
-- another member): without it each look-up scans the table.
CREATE INDEX IF NOT EXISTS silver.sales_by_id ON sales (sale_id);
-- Gold rebuilds read the touched business dates only (sql/gold/build.sqlite.sql).
CREATE INDEX IF NOT EXISTS silver.sales_by_date ON sales (sale_date);
CREATE INDEX IF NOT EXISTS silver.sales_by_customer ON sales (customer_id);

-- Payments: every attempt and settlement of a sale (Failed, Pending, Completed, Refunded).
CREATE TABLE IF NOT EXISTS silver.payments (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  payment_id               TEXT NOT NULL,
  sale_id                  TEXT NOT NULL,
  payment_method           TEXT NOT NULL,
  amount                   NUMERIC_TEXT NOT NULL,
  currency                 TEXT NOT NULL,
  status                   TEXT NOT NULL,
  paid_at                  TIMESTAMP,
  _source_topic            TEXT NOT NULL,         -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,                 -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,                 -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,         -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,             -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,                 -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,         -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL     -- when the silver sink read it (UTC)
);
DROP INDEX IF EXISTS silver.payments_by_event;
CREATE INDEX IF NOT EXISTS silver.payments_by_sale ON payments (sale_id, event_time, _source_offset);
-- The Pakistan date of event_time, spelled exactly as gold's queries spell it.
CREATE INDEX IF NOT EXISTS silver.payments_by_date ON payments (date(substr(event_time, 1, 19), '+5 hours'));

-- Shipping: one shipment of an Online or WhatsApp sale, published when its outcome is known.
CREATE TABLE IF NOT EXISTS silver.shipping (
  event_id                 TEXT NOT NULL,
  event_time               TIMESTAMP NOT NULL,
  shipment_id              TEXT NOT NULL,
  sale_id                  TEXT NOT NULL,
  carrier                  TEXT NOT NULL,
  origin_city              TEXT NOT NULL,
  destination_city         TEXT NOT NULL,
  shipped_date             DATE NOT NULL,
  expected_delivery_date   DATE NOT NULL,
  delivery_status          TEXT NOT NULL,
  delay_days               INT64 NOT NULL,
  damaged                  BOOL NOT NULL,
  delivered_date           DATE,
  _source_topic            TEXT NOT NULL,      -- the topic the row was read from (Kafka or Pub/Sub)
  _source_partition        INT64,              -- its Kafka partition; NULL on Pub/Sub
  _source_offset           INT64,              -- its Kafka offset; NULL on Pub/Sub
  _source_message_id       TEXT NOT NULL,      -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  _source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  _source_delivery_attempt INT64,              -- Pub/Sub delivery attempt (dead-letter policy); NULL on Kafka
  _insert_id               TEXT NOT NULL,      -- <topic>:<message id>, the insertAll insertId
  _ingested_at             TIMESTAMP NOT NULL  -- when the silver sink read it (UTC)
);
DROP INDEX IF EXISTS silver.shipping_by_event;
CREATE INDEX IF NOT EXISTS silver.shipping_by_sale ON shipping (sale_id, event_time, _source_offset);
CREATE INDEX IF NOT EXISTS silver.shipping_by_date ON shipping (shipped_date);

-- Rejects: every record the silver sink refused (also on the topic shop.dlq), with the reason.
CREATE TABLE IF NOT EXISTS silver.rejects (
  source_topic            TEXT NOT NULL,
  source_partition        INT64,              -- Kafka partition; NULL on Pub/Sub
  source_offset           INT64,              -- Kafka offset; NULL on Pub/Sub
  source_message_id       TEXT NOT NULL,      -- Kafka: <partition>:<offset>; Pub/Sub: the message id
  source_publish_time     TIMESTAMP,          -- Kafka record timestamp or Pub/Sub publishTime
  source_delivery_attempt INT64,              -- Pub/Sub delivery attempt; NULL on Kafka
  reason                  TEXT NOT NULL,
  field                   TEXT,
  payload                 TEXT NOT NULL,
  payload_encoding        TEXT NOT NULL,
  rejected_at             TIMESTAMP NOT NULL,
  _insert_id              TEXT NOT NULL       -- <topic>:<message id>, the insertAll insertId
);
CREATE INDEX IF NOT EXISTS silver.rejects_by_source ON rejects (source_topic, source_message_id);

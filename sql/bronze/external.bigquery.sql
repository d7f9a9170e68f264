-- Bronze as BigQuery external tables: the lake's raw JSON Lines, queryable in place.
-- Not applied by any command (the lake may be a folder, and the emulator has no external
-- tables): run it yourself once the lake is in GCS, after replacing gs://YOUR_BUCKET (and the
-- prefix, if you gave the lake one), e.g.
--   sed 's#gs://YOUR_BUCKET#gs://shop-lake#g' sql/bronze/external.bigquery.sql | bq query --use_legacy_sql=false
--
-- Layout (README, "Bronze"): gs://BUCKET/bronze/<entity>/dt=YYYY-MM-DD/<topic>+<partition>+<offset>.jsonl
-- dt is a hive partition (the record's UTC date), so WHERE dt = '2025-01-01' reads one folder.
-- Columns are the published fields as silver types them; timestamps keep their +05:00 offset
-- in the files and BigQuery reads them as instants. A record that was not JSON is stored
-- base64 in an envelope line without these fields: ignore_unknown_values keeps such lines
-- as NULLs instead of failing the query. If the bronze sink ran with --gzip, add
-- compression = 'GZIP' (one table cannot mix plain and gzipped objects).
-- Every statement ends with a semicolon at the end of a line.

CREATE SCHEMA IF NOT EXISTS bronze;

-- bronze.customers: one row per event published to shop.customers (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.customers (
  event_id     STRING,
  event_time   TIMESTAMP,
  customer_id  STRING,
  full_name    STRING,
  gender       STRING,
  age          INT64,
  email        STRING,
  phone        STRING,
  city         STRING,
  province     STRING,
  loyalty_tier STRING,
  signup_date  DATE
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/customers/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/customers',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

-- bronze.products: one row per event published to shop.products (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.products (
  event_id        STRING,
  event_time      TIMESTAMP,
  product_id      STRING,
  sku             STRING,
  model_name      STRING,
  category        STRING,
  brand           STRING,
  compatible_with STRING,
  base_price      NUMERIC(38, 9),
  launch_date     DATE
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/products/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/products',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

-- bronze.stores: one row per event published to shop.stores (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.stores (
  event_id    STRING,
  event_time  TIMESTAMP,
  store_id    STRING,
  store_name  STRING,
  city        STRING,
  region      STRING,
  address     STRING,
  opened_date DATE,
  type        STRING
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/stores/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/stores',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

-- bronze.inventory: one row per event published to shop.inventory (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.inventory (
  event_id          STRING,
  event_time        TIMESTAMP,
  inventory_id      STRING,
  store_id          STRING,
  product_id        STRING,
  stock_level       INT64,
  reorder_level     INT64,
  damaged_units     INT64,
  last_restock_date DATE
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/inventory/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/inventory',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

-- bronze.sales: one row per event published to shop.sales (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.sales (
  event_id    STRING,
  event_time  TIMESTAMP,
  sale_id     STRING,
  sale_date   DATE,
  customer_id STRING,
  product_id  STRING,
  store_id    STRING,
  salesperson STRING,
  channel     STRING,
  quantity    INT64,
  unit_price  NUMERIC(38, 9),
  discount    NUMERIC(38, 9),
  total_price NUMERIC(38, 9),
  promotion   STRING
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/sales/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/sales',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

-- bronze.payments: one row per event published to shop.payments (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.payments (
  event_id       STRING,
  event_time     TIMESTAMP,
  payment_id     STRING,
  sale_id        STRING,
  payment_method STRING,
  amount         NUMERIC(38, 9),
  currency       STRING,
  status         STRING,
  paid_at        TIMESTAMP
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/payments/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/payments',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

-- bronze.shipping: one row per event published to shop.shipping (bronze holds each exactly once).
CREATE OR REPLACE EXTERNAL TABLE bronze.shipping (
  event_id               STRING,
  event_time             TIMESTAMP,
  shipment_id            STRING,
  sale_id                STRING,
  carrier                STRING,
  origin_city            STRING,
  destination_city       STRING,
  shipped_date           DATE,
  expected_delivery_date DATE,
  delivery_status        STRING,
  delay_days             INT64,
  damaged                BOOL,
  delivered_date         DATE
)
WITH PARTITION COLUMNS (dt DATE)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ['gs://YOUR_BUCKET/bronze/shipping/*'],
  hive_partition_uri_prefix = 'gs://YOUR_BUCKET/bronze/shipping',
  require_hive_partition_filter = false,
  ignore_unknown_values = true
);

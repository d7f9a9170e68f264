-- The seed's star join, run on silver. Valid as is in BigQuery and in SQLite.
--
-- Unchanged from the seed apart from the names: each table is read through its view,
-- so every sale appears exactly once, with its customer's, product's and store's
-- current version, and its payment's and shipment's latest state (a sale can have
-- several payment events: a declined attempt and the retry, Pending then Completed).
-- Sales without a shipment (in-store) get a NULL delivery_status.
SELECT s.sale_id, s.sale_date, s.quantity, s.total_price,
       c.full_name AS customer_name, c.city, c.loyalty_tier,
       p.model_name AS product, p.base_price, st.store_name, st.region,
       pay.payment_method, sh.delivery_status
FROM silver.sales_dedup s
LEFT JOIN silver.customers_current c ON s.customer_id = c.customer_id
LEFT JOIN silver.products_current p ON s.product_id = p.product_id
LEFT JOIN silver.stores_current st ON s.store_id = st.store_id
LEFT JOIN silver.payments_latest pay ON s.sale_id = pay.sale_id
LEFT JOIN silver.shipping_latest sh ON s.sale_id = sh.sale_id;

import ShopStreamCore

/// Events exactly as `shopstream generate --days 90` published them (default seed),
/// chosen to cover every shape: promotions and none, discounts, several units,
/// every payment status (paid_at set or null) and every delivery outcome.
enum Samples {
    static let customers: [String] = [
        #"{"event_id":"a0e90eab-cf8e-436e-a303-6833f72bcb61","event_time":"2025-01-01T00:00:00.000+05:00","customer_id":"CUS-00000001","full_name":"Umar Siddiqui","gender":"Male","age":31,"email":"umarsiddiqui1@gmail.com","phone":"+923172128195","city":"Faisalabad","province":"Punjab","loyalty_tier":"Bronze","signup_date":"2024-12-10"}"#,
        #"{"event_id":"568de39a-d66e-41ba-b1b6-964a49b65fca","event_time":"2025-01-01T00:00:00.000+05:00","customer_id":"CUS-00000700","full_name":"Danish Hussain","gender":"Male","age":24,"email":"danish.hussain700@hotmail.com","phone":"+923454078655","city":"Lahore","province":"Punjab","loyalty_tier":"Bronze","signup_date":"2024-06-06"}"#,
        #"{"event_id":"9b815b82-f553-48ed-b32d-7d118fbc26aa","event_time":"2025-03-25T23:43:30.261+05:00","customer_id":"CUS-00002725","full_name":"Shahid Naqvi","gender":"Male","age":63,"email":"shahidnaqvi2725@yahoo.com","phone":"+923138601616","city":"Lahore","province":"Punjab","loyalty_tier":"Bronze","signup_date":"2025-03-25"}"#,
    ]

    static let products: [String] = [
        #"{"event_id":"914a9aaf-00ab-4413-85e7-d41cc9317aab","event_time":"2025-01-01T00:00:00.000+05:00","product_id":"PRD-0001","sku":"APL-AUD-001","model_name":"AirPods Pro 2 (USB-C)","category":"Audio","brand":"Apple","compatible_with":"iPhone, iPad, Mac","base_price":74999.00,"launch_date":"2023-09-22"}"#,
        #"{"event_id":"55673add-f87b-463b-a9a8-cff08955c8ab","event_time":"2025-01-01T00:00:00.000+05:00","product_id":"PRD-0064","sku":"APL-BND-002","model_name":"Sport Loop (46 mm)","category":"Watch Bands","brand":"Apple","compatible_with":"Apple Watch 44/45/46 mm","base_price":14999.00,"launch_date":"2024-09-20"}"#,
        #"{"event_id":"4e6494b0-21b6-41ec-9519-69fd656cf4d9","event_time":"2025-03-22T00:01:00.000+05:00","product_id":"PRD-0072","sku":"APL-TRK-001","model_name":"AirTag","category":"Trackers","brand":"Apple","compatible_with":"iPhone, iPad","base_price":12599.00,"launch_date":"2021-04-30"}"#,
    ]

    static let stores: [String] = [
        #"{"event_id":"64637e56-88eb-4f54-8a31-afb53f58e3da","event_time":"2025-01-01T00:00:00.000+05:00","store_id":"STR-01","store_name":"ShopStream Dolmen Mall Clifton","city":"Karachi","region":"South","address":"Shop 114, Dolmen Mall, Block 4, Clifton, Karachi","opened_date":"2017-03-18","type":"Mall"}"#,
        #"{"event_id":"e93d42cc-d298-4fbb-89a4-9265a12b2c1d","event_time":"2025-01-01T00:00:00.000+05:00","store_id":"STR-09","store_name":"ShopStream Saddar Rawalpindi","city":"Rawalpindi","region":"North","address":"Kiosk 7, Bank Road, Saddar, Rawalpindi","opened_date":"2020-01-15","type":"Kiosk"}"#,
        #"{"event_id":"fc323d34-642c-41a1-8666-ad4115fbf8d6","event_time":"2025-01-01T00:00:00.000+05:00","store_id":"STR-17","store_name":"ShopStream Online Store","city":"Lahore","region":"Central","address":"Warehouse 12, Sundar Industrial Estate, Raiwind Road, Lahore","opened_date":"2019-01-01","type":"Online"}"#,
    ]

    static let inventory: [String] = [
        #"{"event_id":"6719def0-adb1-4ed2-adf0-79185f76711f","event_time":"2025-01-01T00:00:00.000+05:00","inventory_id":"STR-01:PRD-0001","store_id":"STR-01","product_id":"PRD-0001","stock_level":4,"reorder_level":2,"damaged_units":0,"last_restock_date":"2024-12-30"}"#,
        #"{"event_id":"3ee84657-56d9-46aa-97c1-6eab580c916a","event_time":"2025-02-25T23:59:59.000+05:00","inventory_id":"STR-17:PRD-0016","store_id":"STR-17","product_id":"PRD-0016","stock_level":28,"reorder_level":9,"damaged_units":0,"last_restock_date":"2025-02-21"}"#,
        #"{"event_id":"4869f394-e671-4601-9a7b-8d9d7fe23833","event_time":"2025-03-31T23:59:59.000+05:00","inventory_id":"STR-17:PRD-0063","store_id":"STR-17","product_id":"PRD-0063","stock_level":17,"reorder_level":5,"damaged_units":0,"last_restock_date":"2025-03-30"}"#,
    ]

    static let sales: [String] = [
        #"{"event_id":"c13daa42-3921-4776-af06-ac81984a63a3","event_time":"2025-03-21T00:01:38.974+05:00","sale_id":"SAL-0000037339","sale_date":"2025-03-21","customer_id":"CUS-00000568","product_id":"PRD-0035","store_id":"STR-17","salesperson":"Umar Anwar","channel":"WhatsApp","quantity":1,"unit_price":2299.00,"discount":340.00,"promotion":"Ramadan Offer","total_price":1959.00}"#,
        #"{"event_id":"6a3c970a-15bf-4105-8128-48f1f8dec773","event_time":"2025-01-01T02:00:08.014+05:00","sale_id":"SAL-0000000006","sale_date":"2025-01-01","customer_id":"CUS-00000572","product_id":"PRD-0022","store_id":"STR-17","salesperson":"Umar Anwar","channel":"Online","quantity":1,"unit_price":24999.00,"discount":1740.00,"promotion":null,"total_price":23259.00}"#,
        #"{"event_id":"bb4e99c4-76ae-4528-8b71-7152b4c56cba","event_time":"2025-01-01T00:33:50.932+05:00","sale_id":"SAL-0000000003","sale_date":"2025-01-01","customer_id":"CUS-00001492","product_id":"PRD-0058","store_id":"STR-17","salesperson":"Umar Anwar","channel":"Online","quantity":2,"unit_price":1499.00,"discount":0.00,"promotion":null,"total_price":2998.00}"#,
        #"{"event_id":"b2b50067-23df-4d12-9757-05052e325ea6","event_time":"2025-01-01T10:00:02.768+05:00","sale_id":"SAL-0000000038","sale_date":"2025-01-01","customer_id":"CUS-00000339","product_id":"PRD-0028","store_id":"STR-03","salesperson":"Naila Sethi","channel":"In-Store","quantity":3,"unit_price":4999.00,"discount":0.00,"promotion":null,"total_price":14997.00}"#,
    ]

    static let payments: [String] = [
        #"{"event_id":"765d0c68-c6a0-4e7b-b53d-2e272246ca22","event_time":"2025-01-01T00:22:21.696+05:00","payment_id":"PAY-0000000001","sale_id":"SAL-0000000001","payment_method":"Bank Transfer","amount":3499.00,"currency":"PKR","status":"Completed","paid_at":"2025-01-01T00:22:21.696+05:00"}"#,
        #"{"event_id":"09d233c8-ecdf-4193-9373-799f8a74c9c7","event_time":"2025-01-01T00:24:58.255+05:00","payment_id":"PAY-0000000002","sale_id":"SAL-0000000002","payment_method":"Cash on Delivery","amount":52999.00,"currency":"PKR","status":"Pending","paid_at":null}"#,
        #"{"event_id":"7be086b5-022d-4189-86d6-5bc3f98dceca","event_time":"2025-01-01T07:29:26.739+05:00","payment_id":"PAY-0000000015","sale_id":"SAL-0000000015","payment_method":"Debit Card","amount":7999.00,"currency":"PKR","status":"Failed","paid_at":null}"#,
        #"{"event_id":"33d8303f-49d2-4743-b10c-2990015a9a69","event_time":"2025-01-06T11:28:54.168+05:00","payment_id":"PAY-0000003110","sale_id":"SAL-0000000570","payment_method":"Credit Card","amount":2998.00,"currency":"PKR","status":"Refunded","paid_at":"2025-01-06T11:28:54.168+05:00"}"#,
    ]

    static let shipping: [String] = [
        #"{"event_id":"d1c92ceb-204e-48a6-bfba-3df8f370371b","event_time":"2025-01-02T10:07:18.122+05:00","shipment_id":"SHP-0000000029","sale_id":"SAL-0000000029","carrier":"TCS","origin_city":"Lahore","destination_city":"Lahore","shipped_date":"2025-01-01","expected_delivery_date":"2025-01-02","delivered_date":"2025-01-02","delivery_status":"Delivered","delay_days":0,"damaged":false}"#,
        #"{"event_id":"1c483b29-cac3-4ebb-bc74-932577c40f9a","event_time":"2025-01-03T11:19:22.057+05:00","shipment_id":"SHP-0000000098","sale_id":"SAL-0000000175","carrier":"M&P","origin_city":"Lahore","destination_city":"Lahore","shipped_date":"2025-01-01","expected_delivery_date":"2025-01-02","delivered_date":"2025-01-03","delivery_status":"Delayed","delay_days":1,"damaged":false}"#,
        #"{"event_id":"c54055d8-1c1c-4cb0-944a-abe2443e1035","event_time":"2025-01-06T11:19:03.112+05:00","shipment_id":"SHP-0000000284","sale_id":"SAL-0000000570","carrier":"M&P","origin_city":"Lahore","destination_city":"Lahore","shipped_date":"2025-01-02","expected_delivery_date":"2025-01-04","delivered_date":null,"delivery_status":"Returned","delay_days":0,"damaged":false}"#,
        #"{"event_id":"a07b2dc8-c14c-4f12-9c61-6eb7ef42b996","event_time":"2025-01-16T14:17:21.521+05:00","shipment_id":"SHP-0000000706","sale_id":"SAL-0000001497","carrier":"M&P","origin_city":"Lahore","destination_city":"Karachi","shipped_date":"2025-01-04","expected_delivery_date":"2025-01-06","delivered_date":null,"delivery_status":"Lost","delay_days":10,"damaged":false}"#,
    ]

    static func events(_ entity: Entity) -> [String] {
        switch entity {
        case .customers: return customers
        case .products: return products
        case .stores: return stores
        case .inventory: return inventory
        case .sales: return sales
        case .payments: return payments
        case .shipping: return shipping
        }
    }

    /// A typical event of each entity, the base of the broken ones.
    static func first(_ entity: Entity) -> String { events(entity)[0] }
}

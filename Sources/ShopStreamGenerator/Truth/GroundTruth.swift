import ShopStreamCore

/// What the generator published, totalled on its own: the figures the gold
/// tables must reproduce.
///
/// `TruthRecorder` builds it from the events a sink accepted, reading each
/// event's JSON as published rather than the simulator's state, so a test can
/// hold the gold tables against it. Money is integer paisa, exact; a day is a
/// business date in Pakistan (`YYYY-MM-DD`, UTC+05:00, no daylight saving).
/// Rows are sorted by their keys and the file has sorted keys, so the same
/// seed and days always give the same file.
public struct GroundTruth: Codable, Equatable, Sendable {
    /// The simulation's seed.
    public var seed: UInt64
    /// The first simulated day, `YYYY-MM-DD`.
    public var startDate: String
    /// Days fully simulated. A run stopped mid-day counts that day's published
    /// events everywhere else, but not the day here.
    public var days: Int
    /// Events published per entity.
    public var events: EventCounts
    public var totals: Totals
    /// Sales per `sale_date` and `store_id`, sorted by both.
    public var dailySales: [DailySalesRow]
    /// Payment events per business date of their `event_time` and `payment_method`, sorted by both.
    public var paymentsDaily: [PaymentsDailyRow]
    /// Shipping events per `shipped_date` and `carrier`, sorted by both.
    public var shippingDaily: [ShippingDailyRow]
    /// Distinct customers per current `loyalty_tier` (that of their latest
    /// published event); a tier nobody holds is absent.
    public var customersByTier: [String: Int]
    /// Distinct customers per `signup_date`, sorted; customers published on the
    /// first day signed up in the years before it.
    public var newCustomersDaily: [NewCustomersDailyRow]

    public init(
        seed: UInt64, startDate: String, days: Int, events: EventCounts, totals: Totals,
        dailySales: [DailySalesRow], paymentsDaily: [PaymentsDailyRow], shippingDaily: [ShippingDailyRow],
        customersByTier: [String: Int], newCustomersDaily: [NewCustomersDailyRow]
    ) {
        self.seed = seed
        self.startDate = startDate
        self.days = days
        self.events = events
        self.totals = totals
        self.dailySales = dailySales
        self.paymentsDaily = paymentsDaily
        self.shippingDaily = shippingDaily
        self.customersByTier = customersByTier
        self.newCustomersDaily = newCustomersDaily
    }

    enum CodingKeys: String, CodingKey {
        case seed, days, events, totals
        case startDate = "start_date"
        case dailySales = "daily_sales"
        case paymentsDaily = "payments_daily"
        case shippingDaily = "shipping_daily"
        case customersByTier = "customers_by_tier"
        case newCustomersDaily = "new_customers_daily"
    }

    /// Events published per entity (`"customers"`, `"products"`, … in the file).
    public struct EventCounts: Codable, Equatable, Sendable {
        public var customers = 0
        public var products = 0
        public var stores = 0
        public var inventory = 0
        public var sales = 0
        public var payments = 0
        public var shipping = 0

        public init() {}

        /// Events published for `entity`.
        public subscript(entity: Entity) -> Int {
            get {
                switch entity {
                case .customers: customers
                case .products: products
                case .stores: stores
                case .inventory: inventory
                case .sales: sales
                case .payments: payments
                case .shipping: shipping
                }
            }
            set {
                switch entity {
                case .customers: customers = newValue
                case .products: products = newValue
                case .stores: stores = newValue
                case .inventory: inventory = newValue
                case .sales: sales = newValue
                case .payments: payments = newValue
                case .shipping: shipping = newValue
                }
            }
        }

        /// Events published in all.
        public var total: Int { Entity.allCases.reduce(0) { $0 + self[$1] } }
    }

    /// The whole run's figures.
    public struct Totals: Codable, Equatable, Sendable {
        /// Sale events (one per `sale_id`).
        public var orders: Int
        /// Sum of `quantity`.
        public var units: Int
        /// Sum of `quantity × unit_price`, in paisa.
        public var grossRevenuePaisa: Int64
        /// Sum of `discount`, in paisa.
        public var discountsPaisa: Int64
        /// Sum of `total_price`, in paisa.
        public var netRevenuePaisa: Int64
        /// Distinct `customer_id`s, `product_id`s and `store_id`s of their own topics.
        public var customers: Int
        public var products: Int
        public var stores: Int

        public init(
            orders: Int, units: Int, grossRevenuePaisa: Int64, discountsPaisa: Int64, netRevenuePaisa: Int64,
            customers: Int, products: Int, stores: Int
        ) {
            self.orders = orders
            self.units = units
            self.grossRevenuePaisa = grossRevenuePaisa
            self.discountsPaisa = discountsPaisa
            self.netRevenuePaisa = netRevenuePaisa
            self.customers = customers
            self.products = products
            self.stores = stores
        }

        enum CodingKeys: String, CodingKey {
            case orders, units, customers, products, stores
            case grossRevenuePaisa = "gross_revenue_paisa"
            case discountsPaisa = "discounts_paisa"
            case netRevenuePaisa = "net_revenue_paisa"
        }
    }

    /// The sales of one store on one `sale_date`.
    public struct DailySalesRow: Codable, Equatable, Sendable {
        public var saleDate: String
        public var storeId: String
        public var orders: Int
        public var units: Int
        public var grossRevenuePaisa: Int64
        public var discountsPaisa: Int64
        public var netRevenuePaisa: Int64

        public init(
            saleDate: String, storeId: String, orders: Int = 0, units: Int = 0,
            grossRevenuePaisa: Int64 = 0, discountsPaisa: Int64 = 0, netRevenuePaisa: Int64 = 0
        ) {
            self.saleDate = saleDate
            self.storeId = storeId
            self.orders = orders
            self.units = units
            self.grossRevenuePaisa = grossRevenuePaisa
            self.discountsPaisa = discountsPaisa
            self.netRevenuePaisa = netRevenuePaisa
        }

        enum CodingKeys: String, CodingKey {
            case orders, units
            case saleDate = "sale_date"
            case storeId = "store_id"
            case grossRevenuePaisa = "gross_revenue_paisa"
            case discountsPaisa = "discounts_paisa"
            case netRevenuePaisa = "net_revenue_paisa"
        }
    }

    /// The payment events of one method on one business date (Pakistan date of `event_time`).
    public struct PaymentsDailyRow: Codable, Equatable, Sendable {
        public var paymentDate: String
        public var paymentMethod: String
        /// Payment events, whatever their status.
        public var attempts: Int
        public var completed: Int
        public var failed: Int
        public var pending: Int
        public var refunded: Int
        /// Sum of `amount` over all the events, in paisa.
        public var amountPaisa: Int64
        /// Sum of `amount` over the Completed events, in paisa.
        public var completedAmountPaisa: Int64
        /// Sum of `amount` over the Refunded events, in paisa.
        public var refundedAmountPaisa: Int64

        public init(
            paymentDate: String, paymentMethod: String, attempts: Int = 0, completed: Int = 0, failed: Int = 0,
            pending: Int = 0, refunded: Int = 0, amountPaisa: Int64 = 0, completedAmountPaisa: Int64 = 0,
            refundedAmountPaisa: Int64 = 0
        ) {
            self.paymentDate = paymentDate
            self.paymentMethod = paymentMethod
            self.attempts = attempts
            self.completed = completed
            self.failed = failed
            self.pending = pending
            self.refunded = refunded
            self.amountPaisa = amountPaisa
            self.completedAmountPaisa = completedAmountPaisa
            self.refundedAmountPaisa = refundedAmountPaisa
        }

        enum CodingKeys: String, CodingKey {
            case attempts, completed, failed, pending, refunded
            case paymentDate = "payment_date"
            case paymentMethod = "payment_method"
            case amountPaisa = "amount_paisa"
            case completedAmountPaisa = "completed_amount_paisa"
            case refundedAmountPaisa = "refunded_amount_paisa"
        }
    }

    /// The shipping events of one carrier with one `shipped_date`.
    public struct ShippingDailyRow: Codable, Equatable, Sendable {
        public var shippedDate: String
        public var carrier: String
        /// Shipping events, whatever their status.
        public var shipments: Int
        public var delivered: Int
        public var delayed: Int
        public var returned: Int
        public var lost: Int
        /// Events with `damaged` true.
        public var damaged: Int
        /// Sum of `delay_days`.
        public var delayDays: Int

        public init(
            shippedDate: String, carrier: String, shipments: Int = 0, delivered: Int = 0, delayed: Int = 0,
            returned: Int = 0, lost: Int = 0, damaged: Int = 0, delayDays: Int = 0
        ) {
            self.shippedDate = shippedDate
            self.carrier = carrier
            self.shipments = shipments
            self.delivered = delivered
            self.delayed = delayed
            self.returned = returned
            self.lost = lost
            self.damaged = damaged
            self.delayDays = delayDays
        }

        enum CodingKeys: String, CodingKey {
            case carrier, shipments, delivered, delayed, returned, lost, damaged
            case shippedDate = "shipped_date"
            case delayDays = "delay_days"
        }
    }

    /// Distinct customers who signed up on one day.
    public struct NewCustomersDailyRow: Codable, Equatable, Sendable {
        public var signupDate: String
        public var newCustomers: Int

        public init(signupDate: String, newCustomers: Int) {
            self.signupDate = signupDate
            self.newCustomers = newCustomers
        }

        enum CodingKeys: String, CodingKey {
            case signupDate = "signup_date"
            case newCustomers = "new_customers"
        }
    }
}

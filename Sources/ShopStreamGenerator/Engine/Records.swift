/// Plain-data records of the simulated business: no strings, no references,
/// so arrays of them are copied and read without reference counting.

struct CustomerRecord {
    var firstName: Int16
    var surname: Int16
    var gender: UInt8  // 0 male, 1 female
    var age: UInt8
    var city: UInt8
    var tier: UInt8
    var emailStyle: UInt8
    var emailDomain: UInt8
    /// How often this customer shops, 1…4; with the tier it sets their visit weight.
    var activity: UInt8
    /// The ten digits after +92, e.g. 3001234567.
    var phone: Int64
    var signupDay: Int32
    /// Lifetime spend in paisa; crossing a tier threshold republishes the customer.
    var spend: Int64
}

struct ProductRecord {
    var sku: TextRef
    var model: TextRef
    var categoryName: TextRef
    var brand: TextRef
    var compatibleWith: TextRef
    var category: ProductCategory
    /// Current price and list price, whole rupees.
    var price: Int
    var listPrice: Int
    var launchDay: Int
    var launched = false
    /// Popularity weight (Zipf-like: 1 / (rank + 4)).
    var popularity: Double
}

struct StoreRecord {
    var name: TextRef
    var address: TextRef
    var type: StoreType
    var city: Int
    var openedDay: Int
    var staffStart: Int
    var staffCount: Int
}

struct StockRecord {
    var stock: Int32
    var reorderLevel: Int32
    var damaged: Int32
    var lastRestockDay: Int32
    /// Day a restock arrives, or -1.
    var arrivalDay: Int32 = -1
    var arrivalQuantity: Int32 = 0
    /// Last day this pair changed, so it is snapshotted once at the end of that day.
    var changedOn: Int32 = -1
}

/// A shipment between its sale and the day its outcome is known.
struct PendingShipment {
    var shipmentId: Int
    var saleId: Int
    var amountPaisa: Int64
    var pair: Int32
    var quantity: Int32
    var shippedDay: Int32
    var expectedDay: Int32
    var deliveredDay: Int32  // -1 when not delivered
    var outcomeMs: Int32
    var delayDays: Int16
    var carrier: UInt8
    var originCity: UInt8
    var destinationCity: UInt8
    var status: DeliveryStatus
    var method: PaymentMethod
    var damaged: Bool

    /// Events its outcome publishes: the shipment, and a payment when cash on delivery
    /// settles (or fails) or a prepaid order that did not arrive is refunded.
    var eventCount: Int {
        method == .cashOnDelivery || !(status == .delivered || status == .delayed) ? 2 : 1
    }
}

/// The fixed words the encoder writes, as `TextTable` slices.
struct Vocabulary {
    var firstNames: [TextRef] = []
    var firstNamesLower: [TextRef] = []
    var maleCount = 0
    var surnames: [TextRef] = []
    var surnamesLower: [TextRef] = []
    var commonSurnames = 0
    /// Per province, the range of its regional surnames in `surnames`.
    var regionalSurnames: [Range<Int>] = []
    var domains: [TextRef] = []
    var genders: [TextRef] = []
    var cities: [TextRef] = []
    var cityProvinces: [TextRef] = []
    var cityRegions: [TextRef] = []
    var tiers: [TextRef] = []
    var storeTypes: [TextRef] = []
    var channels: [TextRef] = []
    var methods: [TextRef] = []
    var paymentStatuses: [TextRef] = []
    var deliveryStatuses: [TextRef] = []
    var carriers: [TextRef] = []
    var promotions: [TextRef] = []
}

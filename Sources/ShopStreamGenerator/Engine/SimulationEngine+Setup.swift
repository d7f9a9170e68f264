extension SimulationEngine {
    /// Builds the catalogue, the stores and their stock, and the fixed text.
    /// Everything random here comes from the config's seed, except the names of
    /// store staff, which are the same whatever the seed (a fixed cast).
    init(config: SimulationConfig) {
        self.config = config
        var rng = Xoshiro256(seed: config.seed)
        var b = TextTable.Builder()
        var v = Vocabulary()

        for n in PakistaniNames.male + PakistaniNames.female {
            v.firstNames.append(b.add(n))
            v.firstNamesLower.append(b.add(n.lowercased()))
        }
        v.maleCount = PakistaniNames.male.count
        for n in PakistaniNames.surnames {
            v.surnames.append(b.add(n))
            v.surnamesLower.append(b.add(n.lowercased()))
        }
        v.commonSurnames = PakistaniNames.surnames.count
        for province in Province.allCases {
            let start = v.surnames.count
            for n in PakistaniNames.regionalSurnames(province) {
                v.surnames.append(b.add(n))
                v.surnamesLower.append(b.add(n.lowercased()))
            }
            v.regionalSurnames.append(start..<v.surnames.count)
        }
        v.domains = PakistaniNames.emailDomains.map { b.add($0) }
        v.genders = ["Male", "Female"].map { b.add($0) }
        v.cities = Geography.cities.map { b.add($0.name) }
        v.cityProvinces = Geography.cities.map { b.add($0.province.name) }
        v.cityRegions = Geography.cities.map { b.add($0.region.name) }
        v.tiers = LoyaltyTier.allCases.map { b.add($0.name) }
        v.storeTypes = [StoreType.flagship, .mall, .kiosk, .online].map { b.add($0.name) }
        v.channels = [Channel.inStore, .online, .whatsApp].map { b.add($0.name) }
        v.methods = PaymentMethod.allCases.map { b.add($0.name) }
        v.paymentStatuses = [PaymentStatus.completed, .failed, .refunded, .pending].map { b.add($0.name) }
        v.deliveryStatuses = [DeliveryStatus.delivered, .delayed, .returned, .lost].map { b.add($0.name) }
        v.carriers = Carriers.all.map { b.add($0.name) }
        v.promotions = Promotion.Kind.allCases.map { b.add($0.name) }

        // Products: popularity is Zipf-like, 1/(rank+4) (Zipf–Mandelbrot), over a seeded
        // ranking that favours cheap, everyday items.
        let items = ProductCatalog.items
        var score: [(Double, Int)] = []
        for (i, item) in items.enumerated() {
            let jitter = 0.6 + 0.8 * rng.unit()
            score.append((item.category.demand * jitter / (1 + Double(item.price) / 20_000), i))
        }
        score.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var rank = [Int](repeating: 0, count: items.count)
        for (r, s) in score.enumerated() { rank[s.1] = r + 1 }
        var skuNumber = [String: Int]()
        products = items.enumerated().map { i, item in
            let prefix = "\(item.brandCode)-\(item.category.skuCode)"
            skuNumber[prefix, default: 0] += 1
            let number = String(skuNumber[prefix]!)
            let sku = prefix + "-" + String(repeating: "0", count: 3 - number.count) + number
            let model = item.brand == "Apple" || item.model.hasPrefix(item.brand) ? item.model : item.brand + " " + item.model
            return ProductRecord(
                sku: b.add(sku), model: b.add(model), categoryName: b.add(item.category.name), brand: b.add(item.brand),
                compatibleWith: b.add(item.compatibleWith), category: item.category, price: item.price, listPrice: item.price,
                launchDay: SimDate(item.launch)!.daysSinceEpoch, popularity: 1 / Double(rank[i] + 4))
        }

        // Stores and their staff.
        var cast = Xoshiro256(seed: 0x5EED_5A1E_5F0C)
        var staff: [TextRef] = []
        var staffPicker: [SmallWeights] = []
        stores = StoreDirectory.sites.map { site in
            let start = staff.count
            var weights: [Int] = []
            for _ in 0..<site.type.staffCount {
                let female = cast.below(100) < 35
                let first =
                    female
                    ? PakistaniNames.female[cast.below(PakistaniNames.female.count)]
                    : PakistaniNames.male[cast.below(PakistaniNames.male.count)]
                let last = PakistaniNames.surnames[cast.below(PakistaniNames.surnames.count)]
                staff.append(b.add(first + " " + last))
                weights.append(1 + cast.below(4))  // some sell far more than others
            }
            staffPicker.append(SmallWeights(weights))
            return StoreRecord(
                name: b.add(site.name), address: b.add(site.address), type: site.type,
                city: Geography.index(of: site.city), openedDay: SimDate(site.opened)!.daysSinceEpoch,
                staffStart: start, staffCount: site.type.staffCount)
        }
        self.staff = staff
        self.staffPicker = staffPicker
        onlineStore = stores.firstIndex { $0.type == .online }!
        var cityStores = [[Int]](repeating: [], count: Geography.cities.count)
        for (i, s) in stores.enumerated() where s.type != .online { cityStores[s.city].append(i) }
        self.cityStores = cityStores
        cityStorePicker = cityStores.map { list in
            list.isEmpty ? nil : SmallWeights(list.map { StoreDirectory.sites[$0].type.footfall })
        }
        cityPicker = AliasTable(weights: Geography.cities.map(\.customerWeight))
        carrierPicker = SmallWeights(Carriers.all.map(\.share))
        paymentPicker = [Channel.inStore, .online, .whatsApp].map { SmallWeights(PaymentMethod.mix(for: $0)) }

        textTable = TextTable(b)
        text = textTable.base
        vocabulary = v

        // Expected daily units of each store×product, from the same channel mix the orders use.
        let cityTotal = Geography.cities.reduce(0) { $0 + $1.customerWeight }
        var storeShare = [Double](repeating: 0, count: stores.count)
        for (c, city) in Geography.cities.enumerated() {
            let w = city.customerWeight / cityTotal
            guard let picker = cityStorePicker[c] else { storeShare[onlineStore] += w; continue }
            storeShare[onlineStore] += w * OrderMix.online
            for (k, s) in cityStores[c].enumerated() {
                storeShare[s] += w * (1 - OrderMix.online) * Double(picker.weight(k)) / Double(picker.total)
            }
        }
        let popularityTotal = products.reduce(0) { $0 + $1.popularity }
        let start = config.startDate.daysSinceEpoch
        for s in stores.indices {
            for p in products.indices {
                let d = Double(config.ordersPerDay) * 1.2 * storeShare[s] * products[p].popularity / popularityTotal
                pairDemand.append(d)
                let reorder = max(2, Int((d * 6).rounded(.up)))
                let target = max(reorder + Int((d * 14).rounded(.up)), stores[s].type.minimumStock)
                stock.append(
                    StockRecord(
                        stock: Int32(target - rng.below(reorder + 1)), reorderLevel: Int32(reorder), damaged: 0,
                        lastRestockDay: Int32(start - 1 - rng.below(14))))
            }
        }

        productPicker = AliasTable(weights: [1])
        shipmentsDue = Array(repeating: [], count: SimulationEngine.horizonDays)
        restocksDue = Array(repeating: [], count: SimulationEngine.horizonDays)
        carrierModels = Carriers.all.map(CarrierModel.init)
        declineChances = PaymentMethod.allCases.map { Chance($0.declineRate) }
        cityRemote = Geography.cities.map(\.remote)
        // With few customers for the orders (the defaults: a customer buys ~5 times a
        // month) fixed thresholds would make everyone Platinum within weeks, so the
        // thresholds scale with orders per customer, keeping a realistic spread of tiers.
        let ordersPerCustomerYear = 365 * Double(config.ordersPerDay) / Double(config.initialCustomers)
        let scale = max(1, ordersPerCustomerYear / 7)
        tierThresholds = LoyaltyTier.allCases.map { Int64((Double($0.baseThreshold) * scale).rounded()) / 100 * 100 }
        liveDay = config.live?.day.daysSinceEpoch ?? Int.max
        today = start
        dayText = DayText(day: start)
        dayEpochMs = Int64(start) * 86_400_000
        profile = BusinessCalendar.profile(for: config.startDate)
        hourPicker = normalHours
        self.rng = rng
        customers.reserveCapacity(config.initialCustomers + 365 * config.signupsPerDay * 2)
    }
}

/// Shares of the order channels on an ordinary day, for customers in a city with a store.
enum OrderMix {
    static let online = 0.25
    static let whatsApp = 0.10
    /// Customers in a city without a store order on WhatsApp this often (else online).
    static let whatsAppWithoutStore = 0.20
}

/// A carrier's rates as thresholds, for the hot path.
struct CarrierModel {
    var sameCityDays: ClosedRange<Int>
    var interCityDays: ClosedRange<Int>
    var delay: Chance
    var damage: Chance
    var loss: Chance

    init(_ c: Carrier) {
        sameCityDays = c.sameCityDays
        interCityDays = c.interCityDays
        delay = Chance(c.delayRate)
        damage = Chance(c.damageRate)
        loss = Chance(c.lossRate)
    }
}

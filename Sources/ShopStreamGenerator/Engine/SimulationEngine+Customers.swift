import ShopStreamCore

extension SimulationEngine {
    /// A customer who signed up before the simulation began, with a lifetime
    /// spend (and so a tier) already behind them.
    mutating func createInitialCustomer() -> Int {
        let start = config.startDate.daysSinceEpoch
        let daysBefore = 1 + min(rng.below(6 * 365), rng.below(6 * 365))  // recent sign-ups are more common
        var c = newCustomerRecord(signupDay: start - daysBefore)
        let r = rng.below(100)
        let tier: LoyaltyTier = r < 58 ? .bronze : r < 84 ? .silver : r < 96 ? .gold : .platinum
        let floor = tierThresholds[tier.rawValue]
        let ceiling = tier == .platinum ? 3 * floor : tierThresholds[tier.rawValue + 1]
        c.spend = floor + Int64(rng.below(Int(ceiling - floor)))
        c.tier = UInt8(tier.rawValue)
        customers.append(c)
        return customers.count - 1
    }

    /// Someone signing up today.
    mutating func createNewCustomer() -> Int {
        customers.append(newCustomerRecord(signupDay: today))
        return customers.count - 1
    }

    private mutating func newCustomerRecord(signupDay: Int) -> CustomerRecord {
        let female = rng.below(100) < 36
        let first =
            female
            ? vocabulary.maleCount + rng.below(vocabulary.firstNames.count - vocabulary.maleCount)
            : rng.below(vocabulary.maleCount)
        let city = cityPicker.pick(&rng)
        let regional = vocabulary.regionalSurnames[Geography.cities[city].province.rawValue]
        let surname =
            rng.below(100) < 35 && !regional.isEmpty
            ? regional.lowerBound + rng.below(regional.count)
            : rng.below(vocabulary.commonSurnames)
        let a = rng.below(100)
        let age =
            a < 3
            ? rng.int(in: 16...17)
            : a < 31
                ? rng.int(in: 18...24)
                : a < 65
                    ? rng.int(in: 25...34)
                    : a < 85
                        ? rng.int(in: 35...44)
                        : a < 94
                            ? rng.int(in: 45...54)
                            : a < 98 ? rng.int(in: 55...64) : rng.int(in: 65...90)
        let v = rng.below(100)
        let activity = v < 50 ? 1 : v < 75 ? 2 : v < 90 ? 3 : 4
        let prefix = PakistaniNames.mobilePrefixes[rng.below(PakistaniNames.mobilePrefixes.count)]
        return CustomerRecord(
            firstName: Int16(first), surname: Int16(surname), gender: female ? 1 : 0, age: UInt8(age),
            city: UInt8(city), tier: 0, emailStyle: UInt8(rng.below(3)),
            emailDomain: UInt8(rng.below(vocabulary.domains.count)), activity: UInt8(activity),
            phone: Int64(prefix) * 10_000_000 + Int64(rng.below(10_000_000)),
            signupDay: Int32(signupDay), spend: 0)
    }

    /// A customer for the next order: uniform over everyone, kept with
    /// probability activity × tier weight / 24, so loyal customers come back more often.
    @inline(__always)
    mutating func pickCustomer() -> Int {
        while true {
            let i = rng.below(customers.count)
            let c = customers[i]
            if rng.below(24) < Int(c.activity) * SimulationEngine.visitWeight(c.tier) { return i }
        }
    }

    @inline(__always)
    static func visitWeight(_ tier: UInt8) -> Int {
        switch tier {
        case 0: return 2
        case 1: return 3
        case 2: return 4
        default: return 6
        }
    }

    /// Adds a purchase to the customer's lifetime spend; a new tier republishes them.
    @inline(__always)
    mutating func addSpend(customer i: Int, paisa: Int64, msOfDay: Int) {
        customers[i].spend += paisa
        let next = Int(customers[i].tier) + 1
        if next < tierThresholds.count && customers[i].spend >= tierThresholds[next] {
            var tier = next
            while tier + 1 < tierThresholds.count && customers[i].spend >= tierThresholds[tier + 1] { tier += 1 }
            customers[i].tier = UInt8(tier)
            emitCustomer(i, msOfDay: msOfDay)
        }
    }

    mutating func emitCustomer(_ i: Int, msOfDay: Int) {
        let c = customers[i]
        let v = vocabulary
        beginEvent(msOfDay: msOfDay)
        out.raw(",\"customer_id\":\"")
        out.markKeyStart()
        out.raw("CUS-")
        out.padded(i + 1, width: 8)
        out.markKeyEnd()
        out.raw("\",\"full_name\":\"")
        out.text(v.firstNames[Int(c.firstName)], text)
        out.byte(0x20)
        out.text(v.surnames[Int(c.surname)], text)
        out.raw("\",\"gender\":\"")
        out.text(v.genders[Int(c.gender)], text)
        out.raw("\",\"age\":")
        out.uint(Int(c.age))
        out.raw(",\"email\":\"")
        switch c.emailStyle {
        case 0:
            out.text(v.firstNamesLower[Int(c.firstName)], text)
            out.byte(0x2E)
            out.text(v.surnamesLower[Int(c.surname)], text)
        case 1:
            out.text(v.firstNamesLower[Int(c.firstName)], text)
            out.text(v.surnamesLower[Int(c.surname)], text)
        default:
            out.text(v.firstNamesLower[Int(c.firstName)], text)
            out.byte(0x5F)
            out.text(v.surnamesLower[Int(c.surname)], text)
        }
        out.uint(i + 1)  // the customer number keeps every address unique
        out.byte(0x40)
        out.text(v.domains[Int(c.emailDomain)], text)
        out.raw("\",\"phone\":\"+92")
        out.uint(Int(c.phone))
        out.raw("\",\"city\":\"")
        out.text(v.cities[Int(c.city)], text)
        out.raw("\",\"province\":\"")
        out.text(v.cityProvinces[Int(c.city)], text)
        out.raw("\",\"loyalty_tier\":\"")
        out.text(v.tiers[Int(c.tier)], text)
        out.raw("\",\"signup_date\":\"")
        out.date(Int(c.signupDay))
        out.byte(0x22)
        endEvent(.customers)
        stats.customers = customers.count
    }
}

import ShopStreamCore

extension SimulationEngine {
    /// One order: a customer, a channel and store, a product line served from
    /// stock, then the sale, its payment attempts and (off-store) a shipment.
    mutating func processOrder(msOfDay t: Int) {
        let customer = pickCustomer()
        let city = Int(customers[customer].city)

        // Shops open 10:00–midnight; earlier, a would-be store visit becomes an online order.
        var channel: Channel
        var store: Int
        let r = rng.next()
        if let local = cityStorePicker[city] {
            if r < onlineChance.threshold {
                channel = .online
                store = onlineStore
            } else {
                channel = r - onlineChance.threshold < whatsAppChance.threshold ? .whatsApp : .inStore
                store = cityStores[city][local.pick(&rng)]
                if channel == .inStore && t < SimulationEngine.opening {
                    channel = .online
                    store = onlineStore
                }
            }
        } else {
            channel = r < SimulationEngine.whatsAppWithoutStore.threshold ? .whatsApp : .online
            store = onlineStore
        }

        // A product the shelf still has; a customer facing empty shelves twice more walks away.
        var product = -1
        var quantity = 0
        for _ in 0..<3 {
            let p = launchedProducts[productPicker.pick(&rng)]
            let available = Int(stock[store * products.count + p].stock)
            if available > 0 {
                product = p
                quantity = min(drawQuantity(p), available)
                break
            }
        }
        guard product >= 0 else {
            stats.lostSales += 1
            return
        }
        let pair = store * products.count + product

        let unitPrice = products[product].price
        let line = quantity * unitPrice
        var discount = 0
        var promotion = -1
        if let promo = profile.promotion, rng.happens(promotionChance) {
            discount = line * rng.int(in: promo.percent) / 100 / 10 * 10
            promotion = promo.kind.rawValue
        } else if rng.happens(customers[customer].tier >= 2 ? SimulationEngine.loyalDiscount : SimulationEngine.casualDiscount) {
            discount = line * rng.int(in: 3...10) / 100 / 10 * 10
        }
        let total = line - discount
        let totalPaisa = Int64(total) * 100

        let saleId = nextSaleId
        nextSaleId += 1
        let seller = stores[store].staffStart + staffPicker[store].pick(&rng)

        beginEvent(msOfDay: t)
        out.raw(",\"sale_id\":\"")
        writeSaleKey(saleId)
        out.raw("\",\"sale_date\":\"")
        out.dayDate(dayText)
        out.raw("\",\"customer_id\":\"CUS-")
        out.padded(customer + 1, width: 8)
        out.raw("\",\"product_id\":\"PRD-")
        out.padded(product + 1, width: 4)
        out.raw("\",\"store_id\":\"STR-")
        out.padded(store + 1, width: 2)
        out.raw("\",\"salesperson\":\"")
        out.text(staff[seller], text)
        out.raw("\",\"channel\":\"")
        out.text(vocabulary.channels[channel.rawValue], text)
        out.raw("\",\"quantity\":")
        out.uint(quantity)
        out.raw(",\"unit_price\":")
        out.money(paisa: Int64(unitPrice) * 100)
        out.raw(",\"discount\":")
        out.money(paisa: Int64(discount) * 100)
        if promotion >= 0 {
            out.raw(",\"promotion\":\"")
            out.text(vocabulary.promotions[promotion], text)
            out.raw("\",\"total_price\":")
        } else {
            out.raw(",\"promotion\":null,\"total_price\":")
        }
        out.money(paisa: totalPaisa)
        endEvent(.sales)

        stats.sales += 1
        stats.unitsSold += quantity
        stats.revenuePaisa += totalPaisa
        stats.discountPaisa += Int64(discount) * 100

        stock[pair].stock -= Int32(quantity)
        noteStockChange(pair)
        addSpend(customer: customer, paisa: totalPaisa, msOfDay: later(t, 1000))

        // Payment: a card or wallet may be declined once; the customer then retries
        // or falls back to cash (in store) or cash on delivery.
        var method = PaymentMethod(rawValue: paymentPicker[channel.rawValue].pick(&rng))!
        var tPay = later(t, 20_000 + rng.below(160_000))
        if rng.happens(declineChances[method.rawValue]) {
            emitPayment(saleId: saleId, method: method, paisa: totalPaisa, status: .failed, msOfDay: tPay)
            tPay = later(tPay, 60_000 + rng.below(240_000))
            if rng.below(10) >= 7 { method = channel == .inStore ? .cash : .cashOnDelivery }
        }
        emitPayment(
            saleId: saleId, method: method, paisa: totalPaisa,
            status: method == .cashOnDelivery ? .pending : .completed, msOfDay: tPay)

        if channel != .inStore {
            scheduleShipment(
                saleId: saleId, msOfDay: t, pair: pair, quantity: quantity,
                destinationCity: city, method: method, paisa: totalPaisa)
        }
    }

    static let opening = 10 * 3_600_000
    static let loyalDiscount = Chance(0.15)
    static let casualDiscount = Chance(0.06)
    static let whatsAppWithoutStore = Chance(OrderMix.whatsAppWithoutStore)

    /// Units on one sale line: mostly one; cables, chargers and screen guards in
    /// twos and threes; now and then an office buys a box of cheap items.
    @inline(__always)
    mutating func drawQuantity(_ p: Int) -> Int {
        let r = rng.below(1000)
        if r < 3 && products[p].price < 10_000 { return rng.int(in: 10...40) }
        if products[p].category.boughtInMultiples {
            return r < 700 ? 1 : r < 900 ? 2 : r < 970 ? 3 : rng.int(in: 4...5)
        }
        return r < 920 ? 1 : r < 990 ? 2 : 3
    }

    /// `SAL-0000000042`, marked as the message key.
    @inline(__always)
    mutating func writeSaleKey(_ saleId: Int) {
        out.markKeyStart()
        out.raw("SAL-")
        out.padded(saleId, width: 10)
        out.markKeyEnd()
    }

    /// A payment event. `paid_at` is set when money moved (completed, refunded), else null.
    mutating func emitPayment(saleId: Int, method: PaymentMethod, paisa: Int64, status: PaymentStatus, msOfDay: Int) {
        beginEvent(msOfDay: msOfDay)
        out.raw(",\"payment_id\":\"PAY-")
        out.padded(nextPaymentId, width: 10)
        nextPaymentId += 1
        out.raw("\",\"sale_id\":\"")
        writeSaleKey(saleId)
        out.raw("\",\"payment_method\":\"")
        out.text(vocabulary.methods[method.rawValue], text)
        out.raw("\",\"amount\":")
        out.money(paisa: paisa)
        out.raw(",\"currency\":\"PKR\",\"status\":\"")
        out.text(vocabulary.paymentStatuses[status.rawValue], text)
        if status == .completed || status == .refunded {
            out.raw("\",\"paid_at\":\"")
            out.timestamp(dayText: dayText, msOfDay: eventMs)
            out.byte(0x22)
        } else {
            out.raw("\",\"paid_at\":null")
        }
        endEvent(.payments)
    }
}

extension EventBuffer {
    /// The day's `YYYY-MM-DD`.
    @inline(__always)
    mutating func dayDate(_ day: DayText) {
        day.write(to: base + count)
        count += 10
    }
}

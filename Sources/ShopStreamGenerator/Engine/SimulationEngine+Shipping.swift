import ShopStreamCore

extension SimulationEngine {
    static let codRefusal = Chance(0.06)
    static let prepaidReturn = Chance(0.015)

    /// Decides a shipment's whole story now (carrier, dates, outcome) and queues
    /// it for the day its outcome is known; only then is it published.
    mutating func scheduleShipment(
        saleId: Int, msOfDay t: Int, pair: Int, quantity: Int,
        destinationCity: Int, method: PaymentMethod, paisa: Int64
    ) {
        let carrier = carrierPicker.pick(&rng)
        let model = carrierModels[carrier]
        let origin = stores[pair / products.count].city
        let remote = cityRemote[origin] || cityRemote[destinationCity]
        let shipped = today + (t < 16 * 3_600_000 ? 0 : 1)  // afternoon orders leave tomorrow
        var transit = rng.int(in: origin == destinationCity ? model.sameCityDays : model.interCityDays)
        if remote { transit += 2 }
        let expected = shipped + transit

        var status = DeliveryStatus.delivered
        var delivered = -1
        var outcome: Int
        var damaged = false
        if rng.happens(model.loss) {
            status = .lost
            outcome = expected + rng.int(in: 7...12)
        } else {
            damaged = rng.happens(model.damage)
            let refused =
                damaged
                ? rng.below(10) < 7
                : rng.happens(method == .cashOnDelivery ? SimulationEngine.codRefusal : SimulationEngine.prepaidReturn)
            if refused {
                status = .returned
                outcome = expected + rng.int(in: 2...5)
            } else if rng.happens(model.delay) {
                status = .delayed
                delivered = expected + rng.int(in: 1...4) + (remote ? rng.below(3) : 0)
                outcome = delivered
            } else {
                delivered = max(shipped + 1, expected - (rng.below(100) < 15 ? 1 : 0))
                outcome = delivered
            }
        }
        let delay = status == .returned ? 0 : max(0, outcome - expected)  // early is not late
        // Live days spread everything evenly over the day (see `LiveClock`), outcomes too.
        let outcomeMs =
            isLive
            ? rng.below(86_400_000)
            : delivered >= 0 ? 10 * 3_600_000 + rng.below(10 * 3_600_000) : 11 * 3_600_000 + rng.below(8 * 3_600_000)
        precondition(outcome > today && outcome - today < SimulationEngine.horizonDays)

        let shipment = PendingShipment(
            shipmentId: nextShipmentId, saleId: saleId, amountPaisa: paisa, pair: Int32(pair), quantity: Int32(quantity),
            shippedDay: Int32(shipped), expectedDay: Int32(expected), deliveredDay: Int32(delivered),
            outcomeMs: Int32(outcomeMs), delayDays: Int16(delay), carrier: UInt8(carrier), originCity: UInt8(origin),
            destinationCity: UInt8(destinationCity), status: status, method: method, damaged: damaged)
        nextShipmentId += 1
        shipmentsDue[outcome & (SimulationEngine.horizonDays - 1)].append(shipment)
    }

    /// The day a shipment's outcome is known: publish it, settle cash on
    /// delivery or refund a prepaid order, and put returned goods back on the shelf.
    mutating func completeShipment(_ s: PendingShipment) {
        let t = Int(s.outcomeMs)
        emitShipping(s, msOfDay: t)
        let tPay = later(t, 60_000 + rng.below(600_000))
        let arrived = s.status == .delivered || s.status == .delayed
        if s.method == .cashOnDelivery {
            emitPayment(
                saleId: s.saleId, method: s.method, paisa: s.amountPaisa,
                status: arrived ? .completed : .failed, msOfDay: tPay)
        } else if !arrived {
            emitPayment(saleId: s.saleId, method: s.method, paisa: s.amountPaisa, status: .refunded, msOfDay: tPay)
            stats.refundedPaisa += s.amountPaisa
        }
        if s.status == .returned {
            let pair = Int(s.pair)
            if s.damaged { stock[pair].damaged += s.quantity } else { stock[pair].stock += s.quantity }
            noteStockChange(pair)
        }
    }

    mutating func emitShipping(_ s: PendingShipment, msOfDay: Int) {
        beginEvent(msOfDay: msOfDay)
        out.raw(",\"shipment_id\":\"SHP-")
        out.padded(s.shipmentId, width: 10)
        out.raw("\",\"sale_id\":\"")
        writeSaleKey(s.saleId)
        out.raw("\",\"carrier\":\"")
        out.text(vocabulary.carriers[Int(s.carrier)], text)
        out.raw("\",\"origin_city\":\"")
        out.text(vocabulary.cities[Int(s.originCity)], text)
        out.raw("\",\"destination_city\":\"")
        out.text(vocabulary.cities[Int(s.destinationCity)], text)
        out.raw("\",\"shipped_date\":\"")
        out.date(Int(s.shippedDay))
        out.raw("\",\"expected_delivery_date\":\"")
        out.date(Int(s.expectedDay))
        out.raw("\",\"delivered_date\":")
        out.quotedDateOrNull(Int(s.deliveredDay))
        out.raw(",\"delivery_status\":\"")
        out.text(vocabulary.deliveryStatuses[s.status.rawValue], text)
        out.raw("\",\"delay_days\":")
        out.uint(Int(s.delayDays))
        out.raw(s.damaged ? ",\"damaged\":true" : ",\"damaged\":false")
        endEvent(.shipping)
    }
}

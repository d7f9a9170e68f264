import ShopStreamCore

extension SimulationEngine {
    static let breakage = Chance(0.10)

    /// Records that a store×product changed today (one snapshot at closing) and
    /// orders a restock when it falls below its reorder level.
    @inline(__always)
    mutating func noteStockChange(_ pair: Int) {
        if stock[pair].changedOn != Int32(today) {
            stock[pair].changedOn = Int32(today)
            changedPairs.append(Int32(pair))
        }
        if stock[pair].stock < stock[pair].reorderLevel && stock[pair].arrivalDay < 0 {
            orderRestock(pair)
        }
    }

    /// Orders enough for the next three weeks of expected demand (the calendar
    /// is known, so stock is built up ahead of Eid or White Friday), delivered
    /// after a lead time: 1–3 days to the warehouse, 2–5 days to a store.
    mutating func orderRestock(_ pair: Int) {
        let s = stock[pair]
        let demand = pairDemand[pair] * stockVolume * forwardDemand
        let store = pair / products.count
        let target = max(Int(s.reorderLevel) + Int(demand.rounded(.up)), stores[store].type.minimumStock)
        let quantity = max(Int(s.reorderLevel), target - Int(s.stock))
        let lead = store == onlineStore ? rng.int(in: 1...3) : rng.int(in: 2...5)
        stock[pair].arrivalDay = Int32(today + lead)
        stock[pair].arrivalQuantity = Int32(quantity)
        restocksDue[(today + lead) & (SimulationEngine.horizonDays - 1)].append(Int32(pair))
    }

    /// Deliveries due today. Damaged units go back to the supplier on the same
    /// truck, and the reorder level follows the grown demand.
    mutating func receiveRestocks() {
        let bucket = today & (SimulationEngine.horizonDays - 1)
        for i in restocksDue[bucket].indices {
            let pair = Int(restocksDue[bucket][i])
            stock[pair].stock += stock[pair].arrivalQuantity
            stock[pair].lastRestockDay = Int32(today)
            stock[pair].damaged = 0
            stock[pair].arrivalDay = -1
            stock[pair].arrivalQuantity = 0
            stock[pair].reorderLevel = Int32(max(2, Int((pairDemand[pair] * stockVolume * 6).rounded(.up))))
            noteStockChange(pair)
        }
    }

    /// On the live day's opening (and a launch on a live day), the shelf is stocked for
    /// live volume at once, as a delivery: without it the k-fold orders would empty
    /// ordinary shelves within minutes and the rate would collapse into lost sales for
    /// the days a restock takes. Levels as `orderRestock` and `receiveRestocks` set them.
    mutating func stockForLive(_ pair: Int) {
        let reorder = max(2, Int((pairDemand[pair] * liveScale * 6).rounded(.up)))
        let target = max(
            reorder + Int((pairDemand[pair] * liveScale * forwardDemand).rounded(.up)),
            stores[pair / products.count].type.minimumStock)
        stock[pair].reorderLevel = Int32(reorder)
        guard Int(stock[pair].stock) < target else { return }
        stock[pair].stock = Int32(target)
        stock[pair].lastRestockDay = Int32(today)
        noteStockChange(pair)
    }

    /// Now and then a unit is found broken in a store.
    mutating func breakSomeStock() {
        for s in stores.indices where rng.happens(SimulationEngine.breakage) {
            let pair = s * products.count + launchedProducts[rng.below(launchedProducts.count)]
            guard stock[pair].stock > 0 else { continue }
            stock[pair].stock -= 1
            stock[pair].damaged += 1
            noteStockChange(pair)
        }
    }

    mutating func emitInventory(_ pair: Int, msOfDay: Int) {
        let s = pair / products.count
        let p = pair % products.count
        let st = stock[pair]
        beginEvent(msOfDay: msOfDay)
        out.raw(",\"inventory_id\":\"")
        out.markKeyStart()
        out.raw("STR-")
        out.padded(s + 1, width: 2)
        out.raw(":PRD-")
        out.padded(p + 1, width: 4)
        out.markKeyEnd()
        out.raw("\",\"store_id\":\"STR-")
        out.padded(s + 1, width: 2)
        out.raw("\",\"product_id\":\"PRD-")
        out.padded(p + 1, width: 4)
        out.raw("\",\"stock_level\":")
        out.uint(Int(st.stock))
        out.raw(",\"reorder_level\":")
        out.uint(Int(st.reorderLevel))
        out.raw(",\"damaged_units\":")
        out.uint(Int(st.damaged))
        out.raw(",\"last_restock_date\":\"")
        out.date(Int(st.lastRestockDay))
        out.byte(0x22)
        endEvent(.inventory)
    }
}

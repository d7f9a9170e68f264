import ShopStreamCore

extension SimulationEngine {
    mutating func emitStore(_ s: Int) {
        let st = stores[s]
        beginEvent(msOfDay: 0)
        out.raw(",\"store_id\":\"")
        out.markKeyStart()
        out.raw("STR-")
        out.padded(s + 1, width: 2)
        out.markKeyEnd()
        out.raw("\",\"store_name\":\"")
        out.text(st.name, text)
        out.raw("\",\"city\":\"")
        out.text(vocabulary.cities[st.city], text)
        out.raw("\",\"region\":\"")
        out.text(vocabulary.cityRegions[st.city], text)
        out.raw("\",\"address\":\"")
        out.text(st.address, text)
        out.raw("\",\"opened_date\":\"")
        out.date(st.openedDay)
        out.raw("\",\"type\":\"")
        out.text(vocabulary.storeTypes[st.type.rawValue], text)
        out.byte(0x22)
        endEvent(.stores)
    }

    /// Puts a product on sale: published, and drawn by orders from now on.
    mutating func launch(_ p: Int) {
        products[p].launched = true
        launchedProducts.append(p)
        emitProduct(p, msOfDay: 0)
    }

    mutating func rebuildProductPicker() {
        productPicker = AliasTable(weights: launchedProducts.map { products[$0].popularity })
    }

    /// Now and then a price moves (a new shipment at a new exchange rate, a
    /// clearance): within −12 %…+10 % of list, ending in 99 as shelf prices do.
    mutating func maybeChangePrice() {
        guard rng.below(4) == 0 else { return }
        let p = launchedProducts[rng.below(launchedProducts.count)]
        let raw = products[p].listPrice * rng.int(in: 88...110) / 100
        let price = max(99, (raw + 50) / 100 * 100 - 1)
        guard price != products[p].price else { return }
        products[p].price = price
        emitProduct(p, msOfDay: 60_000)
    }

    mutating func emitProduct(_ p: Int, msOfDay: Int) {
        let pr = products[p]
        beginEvent(msOfDay: msOfDay)
        out.raw(",\"product_id\":\"")
        out.markKeyStart()
        out.raw("PRD-")
        out.padded(p + 1, width: 4)
        out.markKeyEnd()
        out.raw("\",\"sku\":\"")
        out.text(pr.sku, text)
        out.raw("\",\"model_name\":\"")
        out.text(pr.model, text)
        out.raw("\",\"category\":\"")
        out.text(pr.categoryName, text)
        out.raw("\",\"brand\":\"")
        out.text(pr.brand, text)
        out.raw("\",\"compatible_with\":\"")
        out.text(pr.compatibleWith, text)
        out.raw("\",\"base_price\":")
        out.money(paisa: Int64(pr.price) * 100)
        out.raw(",\"launch_date\":\"")
        out.date(pr.launchDay)
        out.byte(0x22)
        endEvent(.products)
    }
}

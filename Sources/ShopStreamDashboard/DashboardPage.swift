import Foundation
import ShopStreamCore

/// The dashboard as one self-contained HTML file: no script, no fonts or images to fetch, so
/// it opens from disk, from a bucket or as a mail attachment. Four sections, as the design's
/// dashboards: the executive summary, sales analytics, customer insights, inventory and
/// shipping. Every number comes from `DashboardData` (gold); every text is escaped.
///
/// Served (`live` set), the same page also reloads itself (a meta refresh: it keeps the URL, so
/// the period, and needs no script) and offers the periods as plain links (`?period=7`).
public struct DashboardPage: Sendable {
    public var data: DashboardData
    /// Where the numbers come from (the warehouse URL), shown in the header.
    public var source: String
    /// When gold was read (ISO 8601), shown in the header.
    public var generatedAt: String
    /// What only the served page has.
    public var live: Live?

    public struct Live: Sendable {
        /// The page reloads itself after this many seconds.
        public var refreshSeconds: Int
        /// How far gold is behind silver, in seconds, when a compactor runs in the serving
        /// process; nil otherwise (the page then says when gold was last compacted).
        public var goldLagSeconds: Double?

        public init(refreshSeconds: Int, goldLagSeconds: Double? = nil) {
            self.refreshSeconds = refreshSeconds
            self.goldLagSeconds = goldLagSeconds
        }
    }

    public init(data: DashboardData, source: String, generatedAt: String, live: Live? = nil) {
        self.data = data
        self.source = source
        self.generatedAt = generatedAt
        self.live = live
    }

    public var html: String {
        let k = data.kpis
        var meta =
            "<span id=\"period\">\(Format.html(period))</span> · from <code>\(Format.html(source))</code> (gold) · read <span id=\"read-at\">\(Format.html(generatedAt))</span>"
        if let freshness { meta += " · <span id=\"gold-freshness\">\(Format.html(freshness))</span>" }
        var body = """
            <header><h1>ShopStream — Apple accessories across Pakistan</h1>
            <p class="meta">\(meta)</p>\(live == nil ? "" : periodLinks)</header>

            """
        guard k.firstDay != nil else {
            body += """
                <section><h2>No sales in gold yet</h2><p>Gold has no sales to show. Land some events with the
                sinks (or <code>shopstream run</code>), then build gold with <code>shopstream compact</code>.</p></section>

                """
            return Self.document(body, refreshSeconds: live?.refreshSeconds)
        }
        body += executiveSummary() + salesAnalytics() + customerInsights() + inventoryAndShipping()
        return Self.document(body, refreshSeconds: live?.refreshSeconds)
    }

    private var period: String {
        let span = data.period == .all ? "all of gold" : "last \(data.period.label)"
        guard let first = data.kpis.firstDay, let last = data.kpis.lastDay else { return "\(span): no sales yet" }
        return "\(span): \(first) … \(last), \(data.days.count) days with sales"
    }

    /// The selector: a link per period (the current one plain), so no script is needed.
    private var periodLinks: String {
        let items = DashboardPeriod.allCases.map { p in
            p == data.period
                ? "<strong aria-current=\"page\">\(p.label)</strong>"
                : "<a href=\"?period=\(p.rawValue)\" id=\"period-\(p.rawValue)\">\(p.label)</a>"
        }
        return "\n<nav class=\"periods\" id=\"periods\">period: \(items.joined(separator: " "))</nav>"
    }

    /// How old gold is: its lag behind silver when known, else its last compaction's age at
    /// the time of reading.
    private var freshness: String? {
        if let lag = live?.goldLagSeconds { return "gold \(Int(lag.rounded())) s behind silver" }
        guard let compacted = data.lastCompaction else { return nil }
        guard let then = Format.instant(compacted), let now = Format.instant(generatedAt) else { return "gold compacted \(compacted)" }
        return "gold compacted \(Format.age(now.timeIntervalSince(then))) before this read"
    }

    // MARK: Sections

    private func executiveSummary() -> String {
        let k = data.kpis
        var cards = [
            card(
                "Net revenue", NumberText.pkr(k.netRevenuePaisa),
                "gross \(NumberText.pkr(k.grossRevenuePaisa)), discounts \(NumberText.pkr(k.discountsPaisa))", id: "net-revenue"),
            card("Orders", NumberText.grouped(k.orders), "\(NumberText.grouped(k.units)) units", id: "orders"),
            card("Average order", NumberText.pkr(k.averageOrderPaisa), "net revenue per order", id: "average-order"),
            card("Customers", NumberText.grouped(k.customers), "\(NumberText.grouped(k.newCustomers)) new in the period", id: "customers"),
        ]
        if let growth = k.weeklyGrowth {
            cards.append(
                card(
                    "Last 7 days", NumberText.pkr(k.lastWeekPaisa), "\(NumberText.percent(growth, signed: true)) on the 7 days before",
                    id: "last-week"))
        }
        if let declined = k.paymentFailureShare {
            cards.append(
                card(
                    "Payments declined", NumberText.percent(declined), "refunded \(NumberText.percent(k.refundShare ?? 0))", id: "declined")
            )
        }
        if let onTime = k.onTimeShare {
            cards.append(card("On-time deliveries", NumberText.percent(onTime), "of shipments", id: "on-time"))
        }
        var monthly: [[String]] = []
        for (i, m) in data.months.enumerated() {
            let previous = i > 0 ? data.months[i - 1].netPaisa : 0
            let growth = previous > 0 ? NumberText.percent(Double(m.netPaisa) / Double(previous) - 1, signed: true) : "–"
            monthly.append([
                m.month, NumberText.grouped(m.orders), NumberText.pkr(m.netPaisa), growth, NumberText.grouped(m.activeCustomers),
                NumberText.grouped(m.newCustomers), NumberText.grouped(m.cumulativeCustomers),
            ])
        }
        let allAttempts = data.payments.reduce(0) { $0 + $1.attempts }
        let payments = data.payments.map {
            [
                $0.method, NumberText.grouped($0.attempts), Format.percent($0.attempts, of: allAttempts), NumberText.pkr($0.completedPaisa),
                Format.percent($0.failed, of: $0.attempts), Format.percent($0.refunded, of: $0.attempts),
            ]
        }
        return """
            <section id="executive"><h2>Executive summary</h2>
            <div class="cards">\(cards.joined())</div>
            <h3>Net revenue per day</h3>
            \(lineChart(data.days.map { ($0.day, Double($0.netPaisa)) }, label: { Format.shortPKR(Int64($0)) }, id: "daily-revenue"))
            <div class="columns">
            <div><h3>Revenue by region</h3>\(bars(data.regions.map { ($0.label, $0.paisa, NumberText.pkr($0.paisa)) }, id: "regions"))</div>
            <div><h3>Payment methods</h3>\(table(["method", "payments", "share", "completed", "declined", "refunded"], payments, numeric: 1..., id: "payments"))</div>
            </div>
            <h3>Month by month\(wholeMonths)</h3>
            \(table(["month", "orders", "net revenue", "growth", "active customers", "new", "customers"], monthly, numeric: 1..., id: "months"))
            </section>

            """
    }

    private func salesAnalytics() -> String {
        let products = data.topProducts.enumerated().map { i, p in
            ["\(i + 1)", p.name, p.category, NumberText.grouped(p.units), NumberText.pkr(p.netPaisa)]
        }
        let people = data.topSalespeople.map {
            [
                $0.name, $0.store, NumberText.grouped($0.orders), NumberText.pkr($0.netPaisa),
                Format.percent($0.discountsPaisa, of: $0.grossPaisa),
            ]
        }
        let stores = data.stores.map {
            [
                $0.name, $0.city, $0.region, NumberText.grouped($0.orders), NumberText.pkr($0.netPaisa),
                Format.percent($0.discountsPaisa, of: $0.grossPaisa),
            ]
        }
        return """
            <section id="sales"><h2>Sales analytics</h2>
            <div class="columns">
            <div><h3>Top products</h3>\(table(["#", "product", "category", "units", "net revenue"], products, numeric: 3..., id: "products"))</div>
            <div><h3>Revenue by category</h3>\(bars(data.categories.map { ($0.label, $0.paisa, NumberText.pkr($0.paisa)) }, id: "categories"))</div>
            </div>
            <h3>Top salespeople\(wholeMonths)</h3>
            \(table(["salesperson", "store", "orders", "net revenue", "discount rate"], people, numeric: 2..., id: "salespeople"))
            <h3>Stores</h3>
            \(table(["store", "city", "region", "orders", "net revenue", "discount rate"], stores, numeric: 3..., id: "stores"))
            </section>

            """
    }

    private func customerInsights() -> String {
        var segmentTables = ""
        for (dimension, rows) in data.segments {
            let cells = rows.map {
                [
                    $0.label, NumberText.grouped($0.customers), NumberText.grouped($0.buyers),
                    Format.decimal($0.customers == 0 ? nil : Double($0.orders) / Double($0.customers)),
                    NumberText.pkr($0.customers == 0 ? 0 : $0.netPaisa / Int64($0.customers)),
                ]
            }
            segmentTables +=
                "<div><h3>By \(Format.html(dimension))</h3>"
                + table(
                    [dimension, "customers", "buyers", "orders per customer", "revenue per customer"], cells, numeric: 1...,
                    id: "segments-" + dimension.replacingOccurrences(of: " ", with: "-"))
                + "</div>\n"
        }
        return """
            <section id="customers"><h2>Customer insights</h2>
            <h3>Customers signed up by each day</h3>
            \(lineChart(customerGrowth, label: { NumberText.grouped(Int($0)) }, fromZero: false, id: "customer-growth"))
            <div class="columns">
            \(segmentTables)</div>
            <p class="note">Segments count every customer and all their purchases, whatever the period.</p>
            </section>

            """
    }

    /// Customers signed up by each day of the period (the base signed up before it is the
    /// curve's starting height).
    private var customerGrowth: [(String, Double)] {
        guard let first = data.kpis.firstDay, let last = data.kpis.lastDay else { return [] }
        return data.customerDays.filter { $0.day >= first && $0.day <= last }.map { ($0.day, Double($0.cumulativeCustomers)) }
    }

    private func inventoryAndShipping() -> String {
        let i = data.inventory
        let cards = [
            card("Stock pairs", NumberText.grouped(i.pairs), "store × product", id: "pairs"),
            card(
                "Below reorder level", NumberText.grouped(i.belowReorder), Format.percent(i.belowReorder, of: i.pairs) + " of pairs",
                id: "below-reorder"),
            card("Units in stock", NumberText.grouped(i.units), "\(NumberText.grouped(i.damaged)) damaged", id: "units"),
            card(
                "Restock cycle", Format.decimal(i.averageRestockCycleDays, places: 1) + " days", "average, last 90 days",
                id: "restock-cycle"),
        ]
        let low = i.lowest.map {
            [$0.store, $0.product, NumberText.grouped($0.stock), NumberText.grouped($0.reorderLevel), $0.lastRestock]
        }
        let carriers = data.carriers.map {
            [
                $0.carrier, NumberText.grouped($0.shipments), Format.percent($0.onTime, of: $0.shipments),
                Format.decimal(($0.onTime + $0.delayed) == 0 ? nil : Double($0.delayDays) / Double($0.onTime + $0.delayed)),
                NumberText.grouped($0.damaged), NumberText.grouped($0.returned), NumberText.grouped($0.lost),
            ]
        }
        return """
            <section id="operations"><h2>Inventory and shipping</h2>
            <p class="note">Stock as of each pair's latest snapshot, whatever the period; shipments in the period.</p>
            <div class="cards">\(cards.joined())</div>
            <div class="columns">
            <div><h3>Furthest below reorder level</h3>\(table(["store", "product", "stock", "reorder at", "last restock"], low, numeric: 2...4, id: "low-stock"))</div>
            <div><h3>Carriers</h3>\(table(["carrier", "shipments", "on time", "avg delay (days)", "damaged", "returned", "lost"], carriers, numeric: 1..., id: "carriers"))
            \(bars(data.carriers.map { ($0.carrier, Int64($0.onTime * 1000 / max($0.shipments, 1)), Format.percent($0.onTime, of: $0.shipments) + " on time") }, id: "on-time"))</div>
            </div>
            </section>

            """
    }

    // MARK: Pieces

    /// ` (whole months from 2025-03)`: the monthly tables cannot cut a month, so a bounded
    /// period shows every month it touches.
    private var wholeMonths: String {
        guard let since = data.since else { return "" }
        return " <span class=\"note\">(whole months from \(Format.html(String(DashboardPeriod.monthStart(of: since).prefix(7)))))</span>"
    }

    private func card(_ title: String, _ value: String, _ note: String, id: String) -> String {
        "<div class=\"card\" id=\"kpi-\(id)\"><div class=\"title\">\(Format.html(title))</div><div class=\"value\">\(Format.html(value))</div><div class=\"note\">\(Format.html(note))</div></div>"
    }

    /// A table; the columns in `numeric` are right-aligned.
    private func table<R: RangeExpression<Int>>(_ header: [String], _ rows: [[String]], numeric: R, id: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\" id=\"\(id)\">nothing yet</p>" }
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            "<\(tag)\(numeric.contains(column) ? " class=\"n\"" : "")>\(Format.html(text))</\(tag)>"
        }
        var out = "<table id=\"\(id)\"><thead><tr>"
        out += header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead><tbody>\n"
        for row in rows { out += "<tr>" + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>\n" }
        return out + "</tbody></table>"
    }

    /// Horizontal bars, each as long as its value against the largest.
    private func bars(_ items: [(label: String, value: Int64, text: String)], id: String) -> String {
        guard let top = items.map(\.value).max(), top > 0 else { return "<p class=\"empty\" id=\"\(id)\">nothing yet</p>" }
        var out = "<div class=\"bars\" id=\"\(id)\">"
        for item in items {
            let width = Double(max(item.value, 0)) / Double(top) * 100
            out +=
                "<div class=\"bar\"><span class=\"label\">\(Format.html(item.label))</span><span class=\"track\"><span class=\"fill\" style=\"width:\(String(format: "%.1f", width))%\"></span></span><span class=\"text\">\(Format.html(item.text))</span></div>"
        }
        return out + "</div>"
    }

    /// A line over an area, in SVG: the first and last labels under it, the top and bottom
    /// values beside. The axis starts at zero, or with `fromZero: false` at the lowest value
    /// (a cumulative count, whose growth would be a flat line over zero).
    private func lineChart(_ points: [(label: String, value: Double)], label: (Double) -> String, fromZero: Bool = true, id: String)
        -> String
    {
        guard points.count > 1, let top = points.map(\.value).max(), top > 0 else {
            return
                "<p class=\"empty\" id=\"\(id)\">\(points.count == 1 ? "one point: \(Format.html(points[0].label)) \(Format.html(label(points[0].value)))" : "nothing yet")</p>"
        }
        let low = fromZero ? 0 : min(points.map(\.value).min()!, top - 1)
        let width = 900.0, height = 220.0, left = 70.0, bottom = 24.0
        let step = (width - left - 10) / Double(points.count - 1)
        let coordinates = points.enumerated().map { i, p in
            (x: left + Double(i) * step, y: 10 + (height - bottom - 10) * (1 - (p.value - low) / (top - low)))
        }
        let line = coordinates.map { String(format: "%.1f,%.1f", $0.x, $0.y) }.joined(separator: " ")
        let area =
            String(format: "%.1f,%.1f ", left, height - bottom) + line + String(format: " %.1f,%.1f", coordinates.last!.x, height - bottom)
        let title = points.map { "\($0.label): \(label($0.value))" }.joined(separator: "\n")
        return """
            <svg class="chart" id="\(id)" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(Format.html(title.components(separatedBy: "\n").last ?? ""))">
            <title>\(Format.html(title))</title>
            <line x1="\(Int(left))" y1="10" x2="\(Int(width - 10))" y2="10" class="grid"/>
            <line x1="\(Int(left))" y1="\(Int(height - bottom))" x2="\(Int(width - 10))" y2="\(Int(height - bottom))" class="axis"/>
            <polygon points="\(area)" class="area"/>
            <polyline points="\(line)" class="line"/>
            <text x="\(Int(left - 6))" y="14" text-anchor="end">\(Format.html(label(top)))</text>
            <text x="\(Int(left - 6))" y="\(Int(height - bottom))" text-anchor="end">\(Format.html(label(low)))</text>
            <text x="\(Int(left))" y="\(Int(height - 6))">\(Format.html(points.first!.label))</text>
            <text x="\(Int(width - 10))" y="\(Int(height - 6))" text-anchor="end">\(Format.html(points.last!.label))</text>
            </svg>
            """
    }

    /// The page around `body`. Its icon is an empty data: URL, so a browser asks for no
    /// /favicon.ico (the server has none, and the 404 would be logged as a console error).
    private static func document(_ body: String, refreshSeconds: Int?) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">\(refreshSeconds.map { "\n<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>ShopStream dashboard</title>
        <style>
        body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #1d1d1f; background: #f5f5f7; }
        h1 { font-size: 22px; margin: 8px 0 0; } h2 { font-size: 18px; margin: 0 0 12px; } h3 { font-size: 14px; margin: 16px 0 6px; color: #555; }
        .meta { color: #666; margin: 4px 0 16px; } code { font-size: 12px; }
        section { background: #fff; border-radius: 10px; padding: 16px 20px; margin: 0 0 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
        .card { border: 1px solid #e5e5ea; border-radius: 8px; padding: 10px 12px; }
        .card .title { color: #666; font-size: 12px; } .card .value { font-size: 20px; font-weight: 600; } .card .note { color: #888; font-size: 12px; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 24px; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { padding: 4px 8px; border-bottom: 1px solid #eee; text-align: left; } th { color: #666; font-weight: 500; } .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .bars .bar { display: grid; grid-template-columns: 120px 1fr 150px; gap: 8px; align-items: center; margin: 3px 0; }
        .bars .track { background: #eef; border-radius: 3px; height: 12px; } .bars .fill { display: block; background: #0071e3; border-radius: 3px; height: 12px; }
        .bars .text { text-align: right; font-variant-numeric: tabular-nums; }
        .chart { width: 100%; height: auto; } .chart text { font-size: 11px; fill: #666; }
        .chart .line { fill: none; stroke: #0071e3; stroke-width: 2; } .chart .area { fill: #0071e3; opacity: .12; }
        .chart .axis { stroke: #ccc; } .chart .grid { stroke: #eee; stroke-dasharray: 4 4; }
        .empty { color: #888; } .note { color: #888; font-size: 12px; font-weight: normal; }
        .periods { margin: -8px 0 16px; color: #666; } .periods a, .periods strong { margin-left: 8px; } .periods a { color: #0071e3; }
        </style></head>
        <body>
        \(body)</body></html>

        """
    }
}

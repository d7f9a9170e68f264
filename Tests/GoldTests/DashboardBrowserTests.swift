import Foundation
import TestSupport
import XCTest

/// The served dashboard as a reader sees it: `shopstream dashboard --serve` over a warehouse the
/// test builds, loaded in real headless Chromium.
final class DashboardBrowserTests: XCTestCase {
    func testTheServedPageShowsGoldsTotalsOffersPeriodsAndRefreshesItselfInChromium() throws {
        let dir = NSTemporaryDirectory() + "dashboard-browser-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let browser = try HeadlessChromium(directory: dir)
        defer { browser.close() }

        // 40 days of history (more than the default 30-day period shows), built as a user would.
        let warehouse = "sqlite://\(dir)/warehouse.db"
        let history = ["--warehouse", warehouse, "--start", "2025-01-01", "--orders-per-day", "30", "-q"]
        try expectSuccess(["backfill", "--days", "40"] + history)
        try expectSuccess(["compact", "--warehouse", warehouse])

        let server = try Child(
            try shopstreamBinary(), ["dashboard", "--serve", "--http", "127.0.0.1:0", "--warehouse", warehouse],
            directory: dir, label: "serve")
        defer { server.send(SIGINT); server.wait(timeout: 15) }
        let origin = try servedOrigin(server)

        // Gold's own numbers, read with `shopstream warehouse query` (exact money with paisa()).
        func gold(lastDays: Int?) throws -> (orders: String, net: String) {
            let since = lastDays.map { "WHERE sale_date >= date((SELECT MAX(sale_date) FROM gold.daily_sales), '-\($0 - 1) days')" } ?? ""
            let r = try shopstream([
                "warehouse", "query", "--warehouse", warehouse,
                "SELECT SUM(orders), SUM(paisa(net_revenue)) FROM gold.daily_sales \(since)",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
            let cells = r.stdout.split(separator: "\n").last?.split(separator: "\t").map(String.init) ?? []
            guard cells.count == 2, let orders = Int(cells[0]), let paisa = Int64(cells[1]) else {
                XCTFail("unexpected answer: \(r.stdout)")
                throw CommandFailure()
            }
            return (grouped(orders), pkr(paisa))
        }
        func shown() throws -> (orders: String, net: String) {
            (try browser.text("#kpi-orders .value"), try browser.text("#kpi-net-revenue .value"))
        }

        // The default page: the last 30 days, loaded with nothing but the server's own page.
        let first = try browser.load(origin + "/")
        assertOnlyTheServer(first, origin: origin, "the first load")
        // A slow machine may see the page's own refresh already: every load is of this URL.
        XCTAssertEqual(Set(first.loads ?? []), [origin + "/"])
        let month = try gold(lastDays: 30)
        XCTAssertEqual(try shown().orders, month.orders, "the default period's orders are gold's last 30 days'")
        XCTAssertEqual(try shown().net, month.net, "the default period's net revenue is gold's last 30 days'")
        XCTAssertEqual(try browser.text("#period"), "last 30 days: 2025-01-11 … 2025-02-09, 30 days with sales")
        XCTAssertTrue(try browser.text("#gold-freshness").hasPrefix("gold compacted "), "how old gold is")
        XCTAssertEqual(
            try browser.evaluate("(m => m ? m.content : 'none')(document.querySelector('meta[http-equiv=refresh]'))"), "5",
            "it reloads itself")
        XCTAssertEqual(try browser.evaluate("document.scripts.length"), "0", "no script")

        // The period links, clicked as a reader clicks them.
        let week = try browser.click("#period-7")
        assertOnlyTheServer(week, origin: origin, "the 7-day link")
        XCTAssertEqual(week.url, origin + "/?period=7")
        let lastWeek = try gold(lastDays: 7)
        XCTAssertEqual(try shown().orders, lastWeek.orders, "7 days: gold's last 7 days")
        XCTAssertEqual(try shown().net, lastWeek.net)
        XCTAssertNotEqual(lastWeek.orders, month.orders, "the history makes the periods differ")
        let all = try browser.click("#period-all")
        assertOnlyTheServer(all, origin: origin, "the all link")
        let everything = try gold(lastDays: nil)
        XCTAssertEqual(try shown().orders, everything.orders, "all: every order in gold")
        XCTAssertEqual(try shown().net, everything.net)
        XCTAssertNotEqual(everything.orders, month.orders)
        let readBefore = try browser.text("#read-at")

        // Gold changes under the open page (one more day, compacted): its own refresh shows it.
        try expectSuccess(["backfill", "--days", "41", "--skip-days", "40"] + history)
        try expectSuccess(["compact", "--warehouse", warehouse])
        let grown = try gold(lastDays: nil)
        XCTAssertNotEqual(grown.orders, everything.orders, "the new day has sales")
        // A refresh already under way when gold changed may show the old numbers; the next cannot.
        var refreshes = 0
        while try shown().orders != grown.orders && refreshes < 3 {
            let again = try browser.reloadByItself()
            assertOnlyTheServer(again, origin: origin, "a refresh")
            XCTAssertEqual(Set(again.loads ?? []), [origin + "/?period=all"], "the refresh keeps the period")
            refreshes += 1
        }
        XCTAssertEqual(try shown().orders, grown.orders, "after \(refreshes) refreshes the page shows gold's new orders")
        XCTAssertEqual(try shown().net, grown.net, "and its new net revenue")
        XCTAssertNotEqual(try browser.text("#read-at"), readBefore, "read again at each load")
    }

    /// Every request the page made went to the server, and nothing went wrong in the browser.
    private func assertOnlyTheServer(
        _ answer: HeadlessChromium.Answer, origin: String, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(answer.errors ?? [], [], "\(what): console errors or failed loads", file: file, line: line)
        let outside = (answer.requests ?? []).filter { !$0.hasPrefix(origin + "/") }
        XCTAssertEqual(outside, [], "\(what): requests outside \(origin)", file: file, line: line)
        XCTAssertFalse((answer.requests ?? []).isEmpty, "\(what): the page was requested", file: file, line: line)
    }

    /// `http://127.0.0.1:PORT`, from the line the server logs once it listens.
    private func servedOrigin(_ server: Child) throws -> String {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && server.isRunning {
            if let range = server.stderr.range(of: #"at http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                return String(server.stderr[range].dropFirst(3).dropLast())
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("dashboard --serve did not say where it listens: \(server.stderr)")
        throw CommandFailure()
    }

    private func expectSuccess(_ arguments: [String]) throws {
        let r = try shopstream(arguments, timeout: 300)
        XCTAssertEqual(r.status, 0, "shopstream \(arguments.joined(separator: " ")): \(r.stderr)")
    }
}

import Foundation
import ShopStreamGold
import ShopStreamWarehouse

/// The served dashboard (`run --live`, `dashboard --serve`): the page `shopstream dashboard`
/// writes, read from gold at each request over the period the query asks for, reloading itself.
public enum LiveDashboard {
    /// The page reloads itself this often.
    public static let refreshSeconds = 5
    /// The period without `?period=`: a month, so a page that reloads every few seconds does not
    /// read a long history each time.
    public static let defaultPeriod = DashboardPeriod.days30

    /// The page for a request's query: `?period=7|30|90|all` (anything else: the default).
    /// `goldLag` is gold's lag behind silver in seconds when a compactor runs in this process.
    public static func page(from warehouse: any Warehouse, query: [String: String], goldLag: Double?, now: Date = Date()) throws -> String {
        guard try warehouse.columns(of: GoldTable.dailySales.tableName) != nil else {
            return
                "<!doctype html><html lang=en><head><meta charset=utf-8><meta http-equiv=refresh content=\(refreshSeconds)><link rel=icon href=\"data:,\"><title>ShopStream</title></head><body><p>Gold is being built; this page reloads itself.</p></body></html>"
        }
        let period = query["period"].flatMap(DashboardPeriod.init(rawValue:)) ?? defaultPeriod
        let data = try DashboardData.read(from: warehouse, period: period)
        let page = DashboardPage(
            data: data, source: warehouse.url, generatedAt: ISO8601DateFormatter().string(from: now),
            live: .init(refreshSeconds: refreshSeconds, goldLagSeconds: goldLag))
        return page.html
    }
}

import XCTest

@testable import ShopStreamSinks

final class BronzeDateCacheTests: XCTestCase {
    func testTheCachedDateIsEveryTimestampsOwnUTCDateAcrossDayEdgesInEitherDirection() {
        let day: Int64 = 86_400_000
        let jan1 = 1_735_689_600_000 as Int64
        var timestamps: [Int64] = [
            jan1, jan1 - 1, jan1, jan1 + day - 1, jan1 + day, jan1 + day - 1, jan1 - day, jan1 - day - 1,
            0, -1, 0, day, day - 1, -day, -day - 1, -day + 1, -1, 1_709_164_800_000,
        ]
        // A seeded walk of steps up to a day and a half each way.
        var state: UInt64 = 11
        var t = jan1
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            t += Int64(state >> 33) % (3 * day) - 3 * day / 2
            timestamps.append(t)
        }
        var cache = BronzeFormat.UTCDateCache()
        for ms in timestamps {
            XCTAssertEqual(cache.date(milliseconds: ms), BronzeFormat.utcDate(milliseconds: ms), "\(ms)")
        }
    }
}

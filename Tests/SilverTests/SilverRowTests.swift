import Foundation
import ShopStreamCore
import TestSupport
import XCTest

@testable import ShopStreamSilver
@testable import ShopStreamWarehouse

/// Silver's rows promise canonical values (`RowLayout.canonical`), so the warehouses take their
/// TIMESTAMP and DATE texts without parsing them again. These hold the validator to the promise.
final class SilverRowTests: XCTestCase {
    func testEveryValueOfAValidatedRowIsAlreadyWhatTheWarehousesCheckerWouldMakeOfIt() throws {
        let customer = Samples.first(.customers)
        var events = Entity.allCases.flatMap { entity in Samples.events(entity).map { ($0, entity) } }
        // Forms the schema allows beyond the generator's habits: other offsets, fewer digits.
        events += [
            (with(customer, "event_time", #""2025-01-01T00:00:00.000-03:30""#), .customers),
            (with(customer, "event_time", #""2024-12-31T23:59:59.999-11:00""#), .customers),
            (with(customer, "event_time", #""2025-01-01T13:59:59.001+14:00""#), .customers),
            (with(customer, "signup_date", #""2024-02-29""#), .customers),
        ]
        var checked = 0
        for (json, entity) in events {
            guard let event = accepted(json, entity) else { continue }
            let row = SilverRow.make(
                entity: entity, event: event, topic: entity.topic, partition: 0, offset: 7, ingestedAt: Date(timeIntervalSince1970: 1.5))
            XCTAssertTrue(row.layout?.canonical ?? false)
            let table = silverSchema.table(for: entity)
            let checker = RowChecker(table: table.name, columns: table.columns)
            // NUMERIC is checked for its range and form on every row anyway (RowChecker.hasType).
            for column in table.columns where column.type != .numeric {
                guard let value = row.values[column.name] else { continue }
                switch checker.canonical(value, for: column.type) {
                case .success(let canonical):
                    XCTAssertEqual(canonical, value, "\(entity.rawValue).\(column.name) is not canonical: \(json)")
                case .failure(let problem):
                    XCTFail("\(entity.rawValue).\(column.name): \(problem.text)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }

    func testACheckerTakesATrustedRowsTextsAsTheyAreAndAnOrdinaryRowsCanonically() throws {
        let columns = [Column("at", .timestamp)]
        let checker = RowChecker(table: TableName("silver", "t"), columns: columns)
        let loose = WarehouseValue.timestamp("2025-01-01T00:00:00Z")
        let plain = RowLayout(["at"])
        guard case .success(let made) = checker.check(WarehouseRow(insertId: "a", layout: plain, ordered: [loose]), index: 0) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(made.values[0], .timestamp("2025-01-01T00:00:00.000000Z"))
        let trusted = RowLayout(["at"], canonical: true)
        guard case .success(let taken) = checker.check(WarehouseRow(insertId: "a", layout: trusted, ordered: [loose]), index: 0) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(taken.values[0], loose, "a canonical layout's text is not parsed again")
        // The type is still checked: a trusted row cannot put text where a number goes.
        let wrong = RowLayout(["at"], canonical: true)
        guard case .failure = checker.check(WarehouseRow(insertId: "a", layout: wrong, ordered: [.int64(1)]), index: 0) else {
            return XCTFail("an INT64 for a TIMESTAMP column went in")
        }
    }
}

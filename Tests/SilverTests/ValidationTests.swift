import Foundation
import ShopStreamCore
import ShopStreamWarehouse
import TestSupport
import XCTest

@testable import ShopStreamSilver

final class ValidationTests: XCTestCase {
    func testEveryGeneratedEventOfEveryEntityIsAccepted() {
        for entity in Entity.allCases {
            let dataColumns = silverSchema.table(for: entity).columns.map(\.name).filter { !$0.hasPrefix("_") }
            XCTAssertGreaterThanOrEqual(Samples.events(entity).count, 3, entity.rawValue)
            for json in Samples.events(entity) {
                guard let event = accepted(json, entity) else { continue }
                XCTAssertEqual(event.entity, entity)
                XCTAssertEqual(Set(event.values.keys), Set(dataColumns), "every data column has a value, NULL included")
            }
        }
    }

    func testOptionalFieldsMayBeAbsentOrNull() {
        let sale = Samples.first(.sales)
        XCTAssertEqual(accepted(with(sale, "promotion", nil), .sales)?["promotion"], .null)
        XCTAssertEqual(accepted(with(sale, "promotion", "null"), .sales)?["promotion"], .null)
        let pending = Samples.payments[1]
        XCTAssertEqual(accepted(with(pending, "paid_at", nil), .payments)?["paid_at"], .null)
    }

    func testAcceptsWhatTheSchemaAllowsBeyondTheGeneratorsHabits() {
        let customer = Samples.first(.customers)
        _ = accepted(with(customer, "signup_date", #""2024-02-29""#), .customers)  // leap day
        _ = accepted(with(customer, "event_time", #""2025-01-01T00:00:00.000Z""#), .customers)
        _ = accepted(with(customer, "event_time", #""2025-01-01T00:00:00.000-03:30""#), .customers)
        _ = accepted(with(customer, "full_name", #""Zoë \u00c5sa \"Q\"""#), .customers)  // escapes
        _ = accepted(with(customer, "age", "16.0"), .customers)  // 16.0 is an integer
        _ = accepted(" \n" + customer + "\n", .customers)  // surrounding whitespace
        let product = Samples.first(.products)
        _ = accepted(with(product, "base_price", "74999"), .products)
        _ = accepted(with(product, "base_price", "7.4999e4"), .products)
    }

    /// A corpus of broken events: each is refused with a reason that names the field.
    func testBrokenEventsAreRejectedWithAReasonNamingTheField() {
        struct Case {
            var name: String
            var entity: Entity
            var bytes: [UInt8]
            var field: String?
            var rule: Violation.Rule
            var reason: String  // the whole reason, or its start when it ends with "…"
        }
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        let sale = Samples.first(.sales)  // 1 × 2299.00 − 340.00 = 1959.00, Ramadan Offer
        let twoUnits = Samples.sales[2]  // 2 × 1499.00 − 0.00 = 2998.00
        let customer = Samples.first(.customers)
        let payment = Samples.first(.payments)  // Completed
        let delivered = Samples.first(.shipping)  // shipped 2025-01-01, delivered 2025-01-02
        let inventory = Samples.first(.inventory)
        var notUTF8 = text(customer)
        notUTF8.insert(0xFF, at: customer.utf8.count - 20)

        let cases: [Case] = [
            Case(
                name: "truncated JSON", entity: .sales, bytes: text(String(sale.prefix(40))), field: nil, rule: .json,
                reason: "(root): not valid JSON: unterminated string at byte 40"),
            Case(
                name: "trailing garbage", entity: .sales, bytes: text(sale + "}"), field: nil, rule: .json,
                reason: "(root): not valid JSON: unexpected '}' after the document at byte \(sale.utf8.count)"),
            Case(
                name: "empty message", entity: .sales, bytes: [], field: nil, rule: .json,
                reason: "(root): not valid JSON: empty message at byte 0"),
            Case(
                name: "not UTF-8", entity: .customers, bytes: notUTF8, field: nil, rule: .utf8,
                reason: "(root): not valid UTF-8 (byte \(customer.utf8.count - 20))"),
            Case(
                name: "a repeated member", entity: .sales,
                bytes: text(with(sale, "zzz", "1").replacingOccurrences(of: "\"zzz\"", with: "\"quantity\"")),
                field: nil, rule: .json, reason: "(root): not valid JSON: duplicate member \"quantity\" at byte …"),
            Case(
                name: "a lone surrogate", entity: .customers, bytes: text(with(customer, "full_name", #""A\ud800B""#)), field: nil,
                rule: .json,
                reason: "(root): not valid JSON: lone surrogate in a \\u escape …"),
            Case(
                name: "nesting bomb", entity: .sales, bytes: text(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)),
                field: nil, rule: .json, reason: "(root): not valid JSON: nesting deeper than 64 at byte 64"),
            Case(
                name: "not an object", entity: .sales, bytes: text("[1,2]"), field: nil, rule: .type,
                reason: "(root): [1,2] is not of type object"),
            Case(
                name: "quantity as text", entity: .sales, bytes: text(with(sale, "quantity", #""1""#)), field: "quantity", rule: .type,
                reason: #"quantity: "1" is not of type integer"#),
            Case(
                name: "fractional quantity", entity: .sales, bytes: text(with(sale, "quantity", "1.5")), field: "quantity", rule: .type,
                reason: "quantity: 1.5 is not of type integer"),
            Case(
                name: "money as text", entity: .sales, bytes: text(with(sale, "unit_price", #""2299.00""#)), field: "unit_price",
                rule: .type,
                reason: #"unit_price: "2299.00" is not of type number"#),
            Case(
                name: "boolean as text", entity: .shipping, bytes: text(with(delivered, "damaged", #""false""#)), field: "damaged",
                rule: .type,
                reason: #"damaged: "false" is not of type boolean"#),
            Case(
                name: "null where not allowed", entity: .sales, bytes: text(with(sale, "store_id", "null")), field: "store_id", rule: .type,
                reason: "store_id: null is not of type string"),
            Case(
                name: "promotion of the wrong type", entity: .sales, bytes: text(with(sale, "promotion", "7")), field: "promotion",
                rule: .type,
                reason: "promotion: 7 is not of type string or null"),
            Case(
                name: "missing customer", entity: .sales, bytes: text(with(sale, "customer_id", nil)), field: "customer_id",
                rule: .required,
                reason: "customer_id: missing (required)"),
            Case(
                name: "unknown field", entity: .sales, bytes: text(with(sale, "colour", #""red""#)), field: "colour",
                rule: .additionalProperties,
                reason: "colour: is not an allowed field (additionalProperties is false)"),
            Case(
                name: "a member with an empty name", entity: .sales, bytes: text(with(sale, "", "1")), field: #""""#,
                rule: .additionalProperties,
                reason: #""": is not an allowed field (additionalProperties is false)"#),
            Case(
                name: "zero quantity", entity: .sales, bytes: text(with(sale, "quantity", "0")), field: "quantity", rule: .minimum,
                reason: "quantity: 0 is below the minimum 1"),
            Case(
                name: "too many units", entity: .sales, bytes: text(with(sale, "quantity", "51")), field: "quantity", rule: .maximum,
                reason: "quantity: 51 is above the maximum 50"),
            Case(
                name: "too young", entity: .customers, bytes: text(with(customer, "age", "15")), field: "age", rule: .minimum,
                reason: "age: 15 is below the minimum 16"),
            Case(
                name: "negative discount", entity: .sales, bytes: text(with(sale, "discount", "-1.00")), field: "discount", rule: .minimum,
                reason: "discount: -1.00 is below the minimum 0"),
            Case(
                name: "unknown payment method", entity: .payments, bytes: text(with(payment, "payment_method", #""Bitcoin""#)),
                field: "payment_method", rule: .enumeration,
                reason:
                    #"payment_method: "Bitcoin" is not one of Credit Card, Debit Card, Cash on Delivery, JazzCash, Easypaisa, Bank Transfer, Cash"#
            ),
            Case(
                name: "unknown promotion", entity: .sales, bytes: text(with(sale, "promotion", #""Black Friday""#)), field: "promotion",
                rule: .enumeration,
                reason: #"promotion: "Black Friday" is not one of 11.11 Sale, White Friday, Ramadan Offer, Eid Sale, Azadi Sale, null"#),
            Case(
                name: "30 February", entity: .sales, bytes: text(with(sale, "sale_date", #""2025-02-30""#)), field: "sale_date",
                rule: .format,
                reason: #"sale_date: "2025-02-30" is not a valid date: February 2025 has 28 days"#),
            Case(
                name: "29 February of a common year", entity: .customers, bytes: text(with(customer, "signup_date", #""2023-02-29""#)),
                field: "signup_date", rule: .format, reason: #"signup_date: "2023-02-29" is not a valid date: February 2023 has 28 days"#),
            Case(
                name: "month 13", entity: .customers, bytes: text(with(customer, "signup_date", #""2024-13-01""#)), field: "signup_date",
                rule: .format,
                reason: #"signup_date: "2024-13-01" is not a valid date: month 13 does not exist"#),
            Case(
                name: "hour 24", entity: .sales, bytes: text(with(sale, "event_time", #""2025-03-21T24:00:00.000+05:00""#)),
                field: "event_time",
                rule: .format, reason: #"event_time: "2025-03-21T24:00:00.000+05:00" is not a valid date-time: hour 24 is out of range"#),
            Case(
                name: "no UTC offset", entity: .sales, bytes: text(with(sale, "event_time", #""2025-03-21T00:01:38.974""#)),
                field: "event_time",
                rule: .format,
                reason: #"event_time: "2025-03-21T00:01:38.974" is not a valid date-time: missing the UTC offset (Z or ±HH:MM)"#),
            Case(
                name: "money with 3 decimals", entity: .products, bytes: text(with(Samples.first(.products), "base_price", "74999.005")),
                field: "base_price", rule: .multipleOf, reason: "base_price: 74999.005 is not a multiple of 0.01 (more than 2 decimals)"),
            Case(
                name: "bad id", entity: .sales, bytes: text(with(sale, "customer_id", #""CUS-42""#)), field: "customer_id", rule: .pattern,
                reason: #"customer_id: "CUS-42" does not match ^CUS-[0-9]{8}$"#),
            Case(
                name: "id with a trailing line break", entity: .sales, bytes: text(with(sale, "customer_id", #""CUS-00000568\n""#)),
                field: "customer_id", rule: .pattern, reason: #"customer_id: "CUS-00000568\n" does not match ^CUS-[0-9]{8}$"#),
            Case(
                name: "bad email", entity: .customers, bytes: text(with(customer, "email", #""umar at gmail""#)), field: "email",
                rule: .format,
                reason: #"email: "umar at gmail" is not a valid email address"#),
            Case(
                name: "empty name", entity: .customers, bytes: text(with(customer, "full_name", #""""#)), field: "full_name",
                rule: .minLength,
                reason: #"full_name: "" is shorter than the minimum length 1"#),
            Case(
                name: "a NUL in a name", entity: .customers, bytes: text(with(customer, "full_name", #""Umar\u0000Siddiqui""#)),
                field: "full_name",
                rule: .control, reason: #"full_name: "Umar\u0000Siddiqui" holds the control character U+0000"#),
            Case(
                name: "a line break in an address", entity: .stores,
                bytes: text(with(Samples.first(.stores), "address", #""Shop 114,\nClifton""#)),
                field: "address", rule: .control, reason: #"address: "Shop 114,\nClifton" holds the control character U+000A"#),
            Case(
                name: "a C1 control (NEL) in a salesperson", entity: .sales, bytes: text(with(sale, "salesperson", "\"Umar\u{85}Anwar\"")),
                field: "salesperson", rule: .control, reason: "salesperson: \"Umar\u{85}Anwar\" holds the control character U+0085"),
            Case(
                name: "total does not add up", entity: .sales, bytes: text(with(twoUnits, "total_price", "3000.00")), field: "total_price",
                rule: .consistency, reason: "total_price: 3000.00 is not quantity × unit_price − discount = 2 × 1499.00 − 0.00 = 2998.00"),
            Case(
                name: "sale date off by a day", entity: .sales, bytes: text(with(sale, "sale_date", #""2025-03-22""#)), field: "sale_date",
                rule: .consistency, reason: "sale_date: 2025-03-22 is not the date of event_time 2025-03-21T00:01:38.974+05:00"),
            Case(
                name: "event from the future", entity: .sales,
                bytes: text(with(with(sale, "event_time", #""2025-06-03T00:01:38.974+05:00""#), "sale_date", #""2025-06-03""#)),
                field: "event_time", rule: .range,
                reason:
                    "event_time: 2025-06-03T00:01:38.974+05:00 is more than 1 day in the future (now 2025-06-01T00:00:00.000000Z); sale_date: 2025-06-03 is more than 1 day in the future (now 2025-06-01T00:00:00.000000Z)"
            ),
            Case(
                name: "event from the last century", entity: .customers,
                bytes: text(with(customer, "event_time", #""1999-12-31T23:00:00.000Z""#)),
                field: "event_time", rule: .range, reason: "event_time: 1999-12-31T23:00:00.000Z is before 2000-01-01T00:00:00.000000Z"),
            Case(
                name: "absurd price", entity: .products, bytes: text(with(Samples.first(.products), "base_price", "100000000.01")),
                field: "base_price", rule: .range, reason: "base_price: 100000000.01 is above the sane maximum 100000000"),
            Case(
                name: "delivered before shipped", entity: .shipping, bytes: text(with(delivered, "delivered_date", #""2024-12-31""#)),
                field: "delivered_date", rule: .consistency, reason: "delivered_date: 2024-12-31 is before shipped_date 2025-01-01"),
            Case(
                name: "delivered without a date", entity: .shipping, bytes: text(with(delivered, "delivered_date", "null")),
                field: "delivered_date", rule: .consistency, reason: "delivered_date: missing for a Delivered shipment"),
            Case(
                name: "completed without paid_at", entity: .payments, bytes: text(with(payment, "paid_at", "null")), field: "paid_at",
                rule: .consistency, reason: "paid_at: missing for a Completed payment (money moved)"),
            Case(
                name: "inventory id of another pair", entity: .inventory,
                bytes: text(with(inventory, "inventory_id", #""STR-01:PRD-0002""#)),
                field: "inventory_id", rule: .consistency,
                reason: #"inventory_id: "STR-01:PRD-0002" is not store_id:product_id (STR-01:PRD-0001)"#),
        ]
        for c in cases {
            guard let r = rejected(c.bytes, c.entity) else { XCTFail(c.name); continue }
            XCTAssertEqual(r.field, c.field, c.name)
            XCTAssertEqual(r.violations.first?.rule, c.rule, c.name)
            if c.reason.hasSuffix("…") {
                XCTAssert(r.reason.hasPrefix(String(c.reason.dropLast())), "\(c.name): \(r.reason)")
            } else {
                XCTAssertEqual(r.reason, c.reason, c.name)
            }
            XCTAssertLessThanOrEqual(r.reason.count, Rejection.maxReasonLength)
        }
    }

    func testOversizedMessagesAreRefusedBeforeParsing() {
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: EventValidator.defaultMaxMessageBytes + 1)
        let r = rejected(huge, .sales)
        XCTAssertEqual(r?.reason, "(root): message is 1,048,577 bytes, over the limit of 1,048,576 bytes")
        XCTAssertEqual(r?.violations.first?.rule, .size)

        let small = EventValidator(schema: silverSchema, maxMessageBytes: 100)
        guard case .failure(let r2) = small.validate(Array(Samples.first(.sales).utf8), entity: .sales, now: testNow) else {
            return XCTFail("a 300-byte event passed a 100-byte limit")
        }
        XCTAssertEqual(r2.violations.first?.rule, .size)
    }

    func testAHugeWrongDocumentIsQuotedOnlyBriefly() {
        let array = "[" + Array(repeating: "12345", count: 100_000).joined(separator: ",") + "]"
        guard let r = rejected(Array(array.utf8), .sales) else { return }
        XCTAssertEqual(r.reason, "(root): [" + Array(repeating: "12345", count: 13).joined(separator: ",") + ",… is not of type object")
    }

    func testEveryBrokenFieldIsReportedAndTheReasonStartsWithTheFirst() {
        let sale = with(with(with(Samples.first(.sales), "quantity", "0"), "store_id", nil), "channel", #""Fax""#)
        guard let r = rejected(Array(sale.utf8), .sales) else { return }
        XCTAssertEqual(r.violations.map(\.field), ["store_id", "channel", "quantity"])
        XCTAssertEqual(r.field, "store_id")
        XCTAssertEqual(
            r.reason,
            #"store_id: missing (required); channel: "Fax" is not one of In-Store, Online, WhatsApp; quantity: 0 is below the minimum 1"#)
        XCTAssertEqual(r.violations[2].value, "0")
    }

    func testLongReasonsAreCutToTheDeadLetterLimit() {
        var sale = Samples.first(.sales)
        for k in 0..<60 { sale = with(sale, "extra_field_number_\(k)", "1") }
        guard let r = rejected(Array(sale.utf8), .sales) else { return }
        XCTAssertEqual(r.violations.count, 60)
        XCTAssertEqual(r.reason.count, Rejection.maxReasonLength)
        XCTAssert(r.reason.hasSuffix("…"))
    }

    func testTheFutureBoundFollowsTheCallersClock() {
        let sale = Samples.first(.sales)  // 2025-03-21
        let before = Date(timeIntervalSince1970: 1_742_169_600)  // 2025-03-17T00:00:00Z
        guard case .failure(let r) = validator.validate(Array(sale.utf8), entity: .sales, now: before) else {
            return XCTFail("an event four days ahead of the clock passed")
        }
        XCTAssertEqual(r.violations.first?.rule, .range)
        let lenient = EventValidator(schema: silverSchema, rules: SanityRules(futureTolerance: .seconds(7 * 86_400)))
        guard case .success = lenient.validate(Array(sale.utf8), entity: .sales, now: before) else {
            return XCTFail("a wider futureTolerance did not admit the event")
        }
    }

    /// The sink validates every event of a stream with one validator, which promises to be safe
    /// to share between threads: each verdict must be the one a fresh validator gives that event,
    /// whatever was validated before it or beside it. (Speed is measured by benchmarks/silver.sh,
    /// not here: a time limit in a test fails on a busy machine, not on a slow validator.)
    func testManyEventsValidatedConcurrentlyGetTheVerdictsOfAFreshValidator() {
        // Every sample as published, and broken two ways, and read as the wrong entity:
        // acceptances and rejections of every kind interleave.
        var events: [(entity: Entity, bytes: [UInt8])] = []
        for (k, entity) in Entity.allCases.enumerated() {
            let other = Entity.allCases[(k + 1) % Entity.allCases.count]
            for json in Samples.events(entity) {
                events.append((entity, Array(json.utf8)))
                events.append((entity, Array(with(json, "event_time", "17").utf8)))
                events.append((entity, Array(json.utf8.dropLast())))
                events.append((other, Array(json.utf8)))
            }
        }
        let corpus = events
        let expected = corpus.map { EventValidator(schema: silverSchema).validate($0.bytes, entity: $0.entity, now: testNow) }
        let accepted = expected.filter { if case .success = $0 { return true } else { return false } }.count
        XCTAssertEqual(accepted, corpus.count / 4, "the samples pass and every broken copy is refused")

        // Four threads, each through the corpus 20 times in its own order (a stride coprime to the
        // corpus size, so every event comes after a different one each pass).
        let shared = validator, threads = 4, passes = 20
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var stride = 7 + 2 * worker
            while gcd(stride, corpus.count) != 1 { stride += 1 }
            var mismatches: [String] = []
            var n = 0
            for pass in 0..<passes {
                for step in 0..<corpus.count {
                    let i = (pass + step * stride) % corpus.count
                    let verdict = shared.validate(corpus[i].bytes, entity: corpus[i].entity, now: testNow)
                    if verdict != expected[i] {
                        mismatches.append("event \(i) (\(corpus[i].entity.rawValue)), pass \(pass): \(verdict) instead of \(expected[i])")
                    }
                    n += 1
                }
            }
            tally.add(checked: n, mismatches: mismatches)
        }
        let (checked, mismatches) = tally.totals
        XCTAssertEqual(checked, threads * passes * corpus.count)
        XCTAssertEqual(mismatches.count, 0, "\(mismatches.prefix(3).joined(separator: "\n"))")
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

/// What the validating threads found, added up under a lock.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var checked = 0
    private var mismatches: [String] = []

    func add(checked n: Int, mismatches found: [String]) {
        lock.lock()
        defer { lock.unlock() }
        checked += n
        mismatches += found
    }

    var totals: (checked: Int, mismatches: [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (checked, mismatches)
    }
}

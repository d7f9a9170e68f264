import XCTest

@testable import ShopStreamCLI

/// How a duration is written on the command line: every accepted form, every refusal and its message.
final class DurationArgumentTests: XCTestCase {
    func testEachAcceptedFormIsTheDurationItSays() throws {
        let cases: [(String, Duration)] = [
            ("500ms", .milliseconds(500)),
            ("5s", .seconds(5)),
            ("2m", .seconds(120)),
            ("1h", .seconds(3600)),
            ("1h30m", .seconds(5400)),
            ("2m30s", .seconds(150)),
            ("1h0m5s", .seconds(3605)),
            ("1s500ms", .milliseconds(1500)),
            ("1.5s", .milliseconds(1500)),
            ("0.25h", .seconds(900)),
            ("0s", .zero),
            ("24h", .seconds(86_400)),
            ("30d", .seconds(30 * 86_400)),
            ("1d12h", .seconds(129_600)),
            ("100000h", .seconds(360_000_000)),
            ("10S", .seconds(10)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try DurationArgument.parse(text), expected, text)
        }
    }

    func testEachRefusalSaysWhyAndWhichFormsAreAccepted() {
        let forms = " (durations are written 500ms, 5s, 2m, 1h, 1h30m or 30d)"
        let cases: [(String, String)] = [
            ("5", "a number needs a unit"),
            ("1h30", "a number needs a unit"),
            ("-1s", "a duration cannot be negative"),
            ("5 s", "a duration has no spaces"),
            (" 5s", "a duration has no spaces"),
            ("", "an empty duration"),
            ("soon", "expected a number and a unit"),
            ("+5s", "expected a number and a unit"),
            ("-q", "expected a number and a unit"),
            ("5w", "w is not a unit; the units are d, h, m, s and ms"),
            ("30m1h", "units go from the largest down, each once"),
            ("5s5s", "units go from the largest down, each once"),
            ("1.2.3s", "1.2.3 is not a number"),
            (".5s", ".5 is not a number"),
            ("3000000h", "longer than a duration can be (292 years)"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try DurationArgument.parse(text), "'\(text)'") { error in
                XCTAssertEqual((error as? DurationArgument.Refusal)?.description, reason + forms, "'\(text)'")
            }
        }
    }

    func testDefaultsAreShownInTheShortestExactForm() {
        XCTAssertEqual(DurationArgument.format(.milliseconds(500)), "500ms")
        XCTAssertEqual(DurationArgument.format(.seconds(10)), "10s")
        XCTAssertEqual(DurationArgument.format(.seconds(90)), "1m30s")
        XCTAssertEqual(DurationArgument.format(.seconds(5400)), "1h30m")
        XCTAssertEqual(DurationArgument.format(.seconds(86_400)), "24h")
        XCTAssertEqual(DurationArgument.format(.seconds(30 * 86_400)), "30d")
        XCTAssertEqual(DurationArgument.format(.zero), "0s")
        for text in ["500ms", "1h30m", "1s500ms", "24h", "30d"] {
            XCTAssertEqual(DurationArgument.format(try! DurationArgument.parse(text)), text, "round trip")
        }
    }
}

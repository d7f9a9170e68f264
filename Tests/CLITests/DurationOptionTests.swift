import ArgumentParser
import ShopStreamBus
import ShopStreamSinks
import XCTest

@testable import ShopStreamCLI

/// Each duration option of each command reaches what it configures, typed; a refused value is a
/// usage error that names the option and the accepted forms.
final class DurationOptionTests: XCTestCase {
    private let connection = KafkaConnection(bootstrapServers: "127.0.0.1:9092")

    func testSinkSilverDurationsReachItsConfiguration() throws {
        let silver = try ShopStreamCommand.Sink.Silver.parse([
            "--reference-grace", "90s", "--max-delay", "200ms", "--max-future", "48h", "--idle-exit", "3s",
        ])
        let configuration = silver.configuration(connection: connection)
        XCTAssertEqual(configuration.referenceGrace, .seconds(90))
        XCTAssertEqual(configuration.maxDelay, .milliseconds(200))
        XCTAssertEqual(configuration.futureTolerance, .seconds(48 * 3600))
        XCTAssertEqual(configuration.idleExit, .seconds(3))
        XCTAssertFalse(configuration.keepsTryingInserts, "a sink that ends when idle stops once the warehouse gave up")
    }

    func testSinkSilverDefaultsAreTheConfigurationsOwn() throws {
        let configuration = try ShopStreamCommand.Sink.Silver.parse([]).configuration(connection: connection)
        let own = SilverConfiguration(connection: connection)
        XCTAssertEqual(configuration.referenceGrace, own.referenceGrace)
        XCTAssertEqual(configuration.maxDelay, own.maxDelay)
        XCTAssertEqual(configuration.futureTolerance, own.futureTolerance)
        XCTAssertNil(configuration.idleExit)
        XCTAssertTrue(configuration.keepsTryingInserts, "a sink that runs until stopped keeps trying")
    }

    func testSinkBronzeDurationsReachItsConfiguration() throws {
        let bronze = try ShopStreamCommand.Sink.Bronze.parse(["--max-batch-age", "300ms", "--idle-exit", "1m30s"])
        let configuration = bronze.configuration(connection: connection)
        XCTAssertEqual(configuration.maxBatchAge, .milliseconds(300))
        XCTAssertEqual(configuration.idleExit, .seconds(90))
        XCTAssertEqual(
            try ShopStreamCommand.Sink.Bronze.parse([]).configuration(connection: connection).maxBatchAge,
            BronzeConfiguration(connection: connection).maxBatchAge)
    }

    func testTheStallAndShutdownOptionsReachTheSinksAndTheRunner() throws {
        let silver = try ShopStreamCommand.Sink.Silver.parse(["--stall-after", "5s", "--shutdown-timeout", "2m"])
        XCTAssertEqual(silver.stall.stallAfter, .seconds(5))
        XCTAssertEqual(silver.service.runner.shutdownTimeout, .seconds(120))
        let bronze = try ShopStreamCommand.Sink.Bronze.parse(["--stall-after", "1h", "--shutdown-timeout", "90s"])
        XCTAssertEqual(bronze.stall.stallAfter, .seconds(3600))
        XCTAssertEqual(bronze.service.runner.shutdownTimeout, .seconds(90))
        XCTAssertEqual(try ShopStreamCommand.Broker.parse(["--shutdown-timeout", "3s"]).service.runner.shutdownTimeout, .seconds(3))
        XCTAssertEqual(try ShopStreamCommand.Broker.parse([]).service.runner.shutdownTimeout, .seconds(10))
        XCTAssertEqual(
            try ShopStreamCommand.Dashboard.parse(["--serve", "--shutdown-timeout", "500ms"]).service.runner.shutdownTimeout,
            .milliseconds(500))
        XCTAssertEqual(
            try ShopStreamCommand.Compact.parse(["--every", "1m", "--shutdown-timeout", "1h"]).service.runner.shutdownTimeout,
            .seconds(3600))
    }

    func testConnectTimeoutReachesTheKafkaConnection() throws {
        let generate = try ShopStreamCommand.Generate.parse(["--connect-timeout", "2s"])
        XCTAssertEqual(try generate.kafka.connection(bootstrap: "127.0.0.1:9092").connectTimeout, .seconds(2))
        let silver = try ShopStreamCommand.Sink.Silver.parse(["--connect-timeout", "500ms"])
        XCTAssertEqual(try silver.kafka.connection(bootstrap: "127.0.0.1:9092").connectTimeout, .milliseconds(500))
        let topics = try ShopStreamCommand.Topics.Apply.parse(["--connect-timeout", "1m30s"])
        XCTAssertEqual(try topics.kafka.connection(bootstrap: "127.0.0.1:9092").connectTimeout, .seconds(90))
        XCTAssertEqual(
            try ShopStreamCommand.Topics.List.parse([]).kafka.connection(bootstrap: "127.0.0.1:9092").connectTimeout, .seconds(10))
    }

    func testCompactEveryIsTheLoopsInterval() throws {
        XCTAssertEqual(try ShopStreamCommand.Compact.parse(["--every", "1m"]).every, .seconds(60))
        XCTAssertNil(try ShopStreamCommand.Compact.parse([]).every, "one pass")
    }

    func testRunCompactEveryIsTheLiveCompactionInterval() throws {
        XCTAssertEqual(try ShopStreamCommand.Run.parse(["--live", "--compact-every", "2s"]).compactionInterval, .seconds(2))
        XCTAssertEqual(try ShopStreamCommand.Run.parse(["--live"]).compactionInterval, .seconds(10))
    }

    func testCheckMaxAgeAndMaxLagAreTyped() throws {
        let check = try ShopStreamCommand.Check.parse(["--max-age", "30m", "--max-lag", "100000h"])
        XCTAssertEqual(check.maxAge, .seconds(1800))
        XCTAssertEqual(check.maxLag, .seconds(360_000_000))
    }

    func testARefusedDurationNamesTheOptionAndTheAcceptedForms() {
        for (command, arguments, message) in [
            (
                ShopStreamCommand.Sink.Silver.self as any ParsableCommand.Type, ["--reference-grace", "5"],
                "The value '5' is invalid for '--reference-grace <duration>': a number needs a unit (durations are written 500ms, 5s, 2m, 1h, 1h30m or 30d)"
            ),
            (
                ShopStreamCommand.Sink.Bronze.self, ["--max-batch-age", "-1s"],
                "The value '-1s' is invalid for '--max-batch-age <duration>': a duration cannot be negative (durations are written 500ms, 5s, 2m, 1h, 1h30m or 30d)"
            ),
            (
                ShopStreamCommand.Compact.self, ["--every", "5 s"],
                "The value '5 s' is invalid for '--every <duration>': a duration has no spaces (durations are written 500ms, 5s, 2m, 1h, 1h30m or 30d)"
            ),
            (ShopStreamCommand.Compact.self, ["--every", "0s"], "--every 0s: expected a duration longer than 0s, such as 30s"),
            (
                ShopStreamCommand.Sink.Bronze.self, ["--max-batch-age", "0ms"],
                "--max-batch-age 0s: expected a duration longer than 0s, such as 30s"
            ),
            (
                ShopStreamCommand.Run.self, ["--live", "--compact-every", "0s"],
                "--compact-every 0s: expected a duration longer than 0s, such as 10s"
            ),
        ] {
            XCTAssertThrowsError(try command.parse(arguments), "\(arguments)") { error in
                XCTAssertEqual(command.message(for: error), message)
            }
        }
    }

    func testEveryDurationOptionIsHelpedTheSameWay() {
        let silver = ShopStreamCommand.Sink.Silver.helpMessage(columns: 400)
        for line in [
            "--reference-grace <duration>", "(default: 1m)", "--max-future <duration>", "(default: 24h)",
            "--max-delay <duration>", "(default: 1s)", "--idle-exit <duration>", "--stall-after <duration>",
            "--shutdown-timeout <duration>", "(default: 10s)", "--connect-timeout <duration>",
        ] {
            XCTAssertTrue(silver.contains(line), "\(line) in:\n\(silver)")
        }
        XCTAssertTrue(ShopStreamCommand.Compact.helpMessage(columns: 400).contains("--every <duration>"))
        XCTAssertTrue(ShopStreamCommand.Check.helpMessage(columns: 400).contains("--max-lag <duration>"))
    }
}

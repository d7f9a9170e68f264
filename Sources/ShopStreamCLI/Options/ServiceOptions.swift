import ArgumentParser
import Foundation
import Logging
import ShopStreamCore
import ShopStreamServer
import ShopStreamService

/// What every long-running command takes: where to serve its status, how to log, how long a stop may take.
struct ServiceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve /metrics (Prometheus), /healthz and /readyz on HOST:PORT (e.g. 127.0.0.1:9464, or :9464 for every interface).",
            valueName: "host:port"))
    var http: HTTPAddressArgument?

    @Option(
        help: ArgumentHelp("Log lines as text (for a terminal) or json (one object per line, for a log collector).", valueName: "text|json")
    )
    var logFormat: LogFormat = .text

    @Option(
        help: ArgumentHelp("The least severe log level shown: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    @Option(
        help: "How long a stop (Ctrl-C, SIGTERM) may take to land and commit what is in flight; then the process exits at once, status 1.")
    var shutdownTimeout: Duration = .seconds(10)

    /// Logs and metrics for this process; call before anything logs.
    func bootstrap() {
        LogOutput.bootstrap(format: logFormat, level: logLevel)
        Telemetry.shared.bootstrap()
    }

    var runner: ServiceRunner { ServiceRunner(shutdownTimeout: shutdownTimeout) }
}

/// `--stall-after`, for the sinks.
struct StallOptions: ParsableArguments {
    @Option(
        help:
            "A sink whose partition has lag but landed nothing for this long is stalled: /readyz answers 503 naming it, and the log says so."
    )
    var stallAfter: Duration = .seconds(60)
}

struct HTTPAddressArgument: ExpressibleByArgument, Sendable {
    let value: HTTPAddress
    init(_ value: HTTPAddress) { self.value = value }
    init?(argument: String) {
        guard let value = HTTPAddress(parsing: argument) else { return nil }
        self.value = value
    }
    var defaultValueDescription: String { value.description }
}

extension LogFormat: ExpressibleByArgument {}

// swift-format-ignore: AvoidRetroactiveConformances
// (swift-log's level as an option value; neither package declares it)
extension Logger.Level: @retroactive ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

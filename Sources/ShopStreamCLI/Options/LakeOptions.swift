import ArgumentParser
import Foundation
import ShopStreamLake

/// Where the lake is.
struct LakeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The lake: gs://BUCKET[/PREFIX] (Cloud Storage; $STORAGE_EMULATOR_HOST points it at an emulator) or file:///PATH. Default: $SHOPSTREAM_LAKE, else file://./lake.",
            valueName: "url"))
    var lake: String?

    var url: String {
        lake ?? ProcessInfo.processInfo.environment["SHOPSTREAM_LAKE"] ?? "file://./lake"
    }

    func open() throws -> any Lake {
        try makeLake(
            url: url, environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
    }
}

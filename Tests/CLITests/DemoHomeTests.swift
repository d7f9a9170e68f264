import Foundation
import ShopStreamLake
import XCTest

@testable import ShopStreamCLI

/// `run`'s embedded default names each location once: what the report and the help print is
/// where the stores write.
final class DemoHomeTests: XCTestCase {
    func testTheLakeURLRunPrintsIsTheFolderItsLakeWrites() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory))
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }

        let store = try DemoHome.lake()
        XCTAssertEqual(try LakeURL(parsing: DemoHome.lakeURL).description, store.url)
        XCTAssertFalse(store.durable, "./demo is replaced by the next run: nothing to flush for")
    }

    func testRunsHelpNamesTheDefaultsItUses() {
        let help = ShopStreamCommand.Run.helpMessage(columns: 400)
        for location in [DemoHome.lakeURL, DemoHome.warehouseURL, DemoHome.dashboard] {
            XCTAssertTrue(help.contains("Default: \(location)"), location)
        }
    }
}

import Foundation
import ShopStreamLake
import ShopStreamWarehouse

/// Where `run` keeps the embedded default when `--lake` or `--warehouse` is left out: ./demo,
/// replaced on each run. Each location is named once, here, as a folder relative to the current
/// directory; the URLs the report and the help print are derived from it.
enum DemoHome {
    static let folder = "demo"
    static let lakeFolder = folder + "/lake"
    /// `lakeFolder` as `--lake` names it.
    static let lakeURL = "file://./" + lakeFolder
    static let warehouseURL = "sqlite://./" + folder + "/warehouse.db"
    static let dashboard = folder + "/dashboard.html"

    /// The lake in `lakeFolder`, without fsync: ./demo is replaced by the next run, so flushing
    /// each object to disk there (two files and two folders an object) protects nothing that
    /// outlives the run, and cost about 1 s of system CPU for 90 days, 6 s for a year.
    static func lake() throws -> FolderLake { try FolderLake(root: lakeFolder, durable: false) }

    /// The warehouse at `warehouseURL`, without fsync for the same reason: the silver sink's
    /// commits of a year (~770 fdatasyncs) waited ~3.5 s on the disk.
    static func warehouse() throws -> SQLiteWarehouse {
        let url = try WarehouseURL(parsing: warehouseURL, currentDirectory: FileManager.default.currentDirectoryPath)
        guard case .sqlite(let path) = url else { preconditionFailure("\(warehouseURL) is a SQLite URL") }
        return try SQLiteWarehouse(path: path, configuration: SQLiteWarehouse.Configuration(durability: .none))
    }
}

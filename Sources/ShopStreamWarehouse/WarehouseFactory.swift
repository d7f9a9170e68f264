import Foundation
import ShopStreamHTTP

/// Opens the warehouse a URL names: `bigquery://PROJECT[?location=L]` as a `BigQueryWarehouse`
/// (`BIGQUERY_EMULATOR_HOST` in `environment` means that emulator and no credentials, otherwise
/// Application Default Credentials), `sqlite:///PATH.db` as a `SQLiteWarehouse` (created, with
/// its folder, if missing). Anything else throws `.invalidURL` saying what is expected.
/// `load` chooses how rows reach BigQuery (nil: storage-write where it can be reached, see
/// `BigQueryWarehouse.init(project:location:environment:http:load:)`); SQLite has one way.
/// `durability` is a SQLite warehouse's (`SQLiteWarehouse.Durability`); BigQuery's inserts are
/// durable when they return.
public func makeWarehouse(
    url: String,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    currentDirectory: String = FileManager.default.currentDirectoryPath,
    http: HTTPClientConfiguration = HTTPClientConfiguration(),
    load: LoadMethod? = nil,
    durability: SQLiteWarehouse.Durability = .eachCommit
) throws -> any Warehouse {
    switch try WarehouseURL(parsing: url, currentDirectory: currentDirectory) {
    case .bigquery(let project, let location):
        return try BigQueryWarehouse(project: project, location: location, environment: environment, http: http, load: load)
    case .sqlite(let path):
        if load != nil {
            throw WarehouseError(.invalidURL, "--load chooses how rows reach BigQuery; \(url) is SQLite, which has one way (drop --load)")
        }
        return try SQLiteWarehouse(path: path, configuration: SQLiteWarehouse.Configuration(durability: durability))
    }
}

import Foundation
import ShopStreamHTTP

/// Opens the lake a URL names: `gs://BUCKET[/PREFIX]` as a `GCSLake` (the endpoint and
/// credentials from `environment`: `STORAGE_EMULATOR_HOST` means the emulator and no
/// credentials, otherwise Application Default Credentials), `file:///PATH` as a `FolderLake`
/// (created if missing).
public func makeLake(
    url: String,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    currentDirectory: String = FileManager.default.currentDirectoryPath
) throws -> any Lake {
    switch try LakeURL(parsing: url, currentDirectory: currentDirectory) {
    case .gcs(let bucket, let prefix):
        return try GCSLake(bucket: bucket, prefix: prefix, environment: environment)
    case .folder(let path):
        return try FolderLake(root: path)
    }
}

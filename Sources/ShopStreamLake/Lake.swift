import Foundation
import ShopStreamCore
import ShopStreamHTTP

/// A store of immutable objects by name: Cloud Storage (`GCSLake`) or a local folder
/// (`FolderLake`). Names are `/`-separated paths relative to the lake's root or prefix.
///
/// Every method blocks the calling thread (disk or network): call them from threads of your own,
/// not from Swift concurrency's cooperative pool. Implementations are safe to share between threads.
public protocol Lake: Sendable {
    /// Where the lake is, as accepted by `--lake` (`gs://bucket/prefix`, `file:///path`).
    var url: String { get }

    /// Stores a new object. Create-only: if `name` exists with other bytes this throws
    /// `LakeError.alreadyExists`; if it exists with the same bytes (a retried create whose first
    /// try landed) it returns the stored object. A reader never sees a partial object.
    func create(_ name: String, bytes: Data, contentType: String, metadata: [String: String]) throws -> StoredObject

    /// `create` with the bytes' checksums already computed (they must be `ObjectChecksums(of: bytes)`;
    /// debug builds check): the lake stores and sends these instead of computing them again.
    func create(
        _ name: String, bytes: Data, contentType: String, metadata: [String: String], checksums: ObjectChecksums
    ) throws -> StoredObject

    /// An object's bytes and description; `LakeError.notFound` if there is none.
    func get(_ name: String) throws -> (bytes: Data, object: StoredObject)

    /// An object's description (custom metadata included), or nil if there is none.
    func head(_ name: String) throws -> StoredObject?

    /// Every object whose name starts with `prefix` (all pages), in name order (UTF-8 bytes).
    func list(prefix: String) throws -> [StoredObject]

    /// Removes an object; removing one that does not exist is not an error.
    func delete(_ name: String) throws

    /// The retries made since the last call ("retried 3 times: 503, 503, reset"), and starts
    /// counting afresh.
    func takeRetries() -> RetrySummary

    /// From now on `stop` ends the lake's waits early: once it asks `.abandon`, a call backing off
    /// before a retry sends nothing more and throws `.stopped`, naming what it was waiting out. For
    /// a sink given a lake built before its stop existed. Replaces a stop given before. A folder
    /// lake has no such waits and ignores it.
    func interruptWaits(on stop: StopSignal)
}

extension Lake {
    public func takeRetries() -> RetrySummary { RetrySummary() }

    public func interruptWaits(on stop: StopSignal) {}

    /// A lake that does not use precomputed checksums (a wrapper in a test) computes its own.
    public func create(
        _ name: String, bytes: Data, contentType: String, metadata: [String: String], checksums: ObjectChecksums
    ) throws -> StoredObject {
        try create(name, bytes: bytes, contentType: contentType, metadata: metadata)
    }
}

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import Synchronization

/// A lake in a Cloud Storage bucket, over the JSON API. The same code talks to Google and to
/// fake-gcs-server; only the endpoint differs.
public final class GCSLake: Lake, Sendable {
    /// Where and how to reach Cloud Storage.
    public struct Configuration: Sendable {
        /// `https://storage.googleapis.com`, or an emulator's base URL.
        public var endpoint: String
        public var http: HTTPClientConfiguration
        /// Objects per `list` page (Cloud Storage allows at most 1000).
        public var listPageSize: Int
        /// Idle connections kept for reuse.
        public var maximumIdleConnections: Int

        public init(
            endpoint: String = GCSLake.googleEndpoint, http: HTTPClientConfiguration = HTTPClientConfiguration(),
            listPageSize: Int = 1000, maximumIdleConnections: Int = 16
        ) {
            self.endpoint = endpoint
            self.http = http
            self.listPageSize = max(1, min(listPageSize, 1000))
            self.maximumIdleConnections = maximumIdleConnections
        }

        /// The emulator's endpoint when `STORAGE_EMULATOR_HOST` is set (with or without a scheme;
        /// `http://` is assumed, as Google's Go client does), else Google's.
        public static func emulatorEndpoint(environment: [String: String]) -> String? {
            EmulatorHost.endpoint("STORAGE_EMULATOR_HOST", environment: environment)
        }
    }

    public static let googleEndpoint = "https://storage.googleapis.com"

    public let bucket: String
    /// Prepended (with a `/`) to every object name; empty for the whole bucket.
    public let prefix: String
    public let configuration: Configuration
    public let credentials: any AccessTokenProvider
    public var url: String { LakeURL.gcs(bucket: bucket, prefix: prefix).description }

    private let pool: HTTPClientPool
    private let bucketSeen = Atomic<Bool>(false)

    public init(
        bucket: String, prefix: String = "", credentials: any AccessTokenProvider,
        configuration: Configuration = Configuration()
    ) throws {
        if let problem = LakeURL.bucketNameProblem(bucket) {
            throw LakeError(.invalidURL, "bucket name \"\(bucket)\" \(problem)")
        }
        self.bucket = bucket
        self.prefix = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.credentials = credentials
        var configuration = configuration
        while configuration.endpoint.hasSuffix("/") { configuration.endpoint.removeLast() }
        self.configuration = configuration
        pool = HTTPClientPool(configuration: configuration.http, maximumIdle: configuration.maximumIdleConnections)
    }

    /// Reads the endpoint and credentials from the environment: `STORAGE_EMULATOR_HOST` means
    /// that emulator and no credentials; otherwise Google with Application Default Credentials.
    public convenience init(
        bucket: String, prefix: String = "", environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClientConfiguration = HTTPClientConfiguration()
    ) throws {
        let access = try GoogleAccess(
            emulator: Configuration.emulatorEndpoint(environment: environment), environment: environment, http: http,
            failure: { LakeError(.credentials, "gs://\(bucket): \($0.message)", http: $0) })
        try self.init(
            bucket: bucket, prefix: prefix, credentials: access.credentials,
            configuration: Configuration(endpoint: access.emulator ?? Self.googleEndpoint, http: http))
    }

    public func takeRetries() -> RetrySummary { pool.takeRetries() }

    /// Every request's backoff (up to 32 s by default, `configuration.http.retry`) ends on `stop`'s
    /// `.abandon`; see `Lake.interruptWaits(on:)`.
    public func interruptWaits(on stop: StopSignal) { pool.interruptWaits(on: stop) }

    // MARK: Lake

    public func create(_ name: String, bytes: Data, contentType: String, metadata: [String: String]) throws -> StoredObject {
        try create(name, bytes: bytes, contentType: contentType, metadata: metadata, checksums: ObjectChecksums(of: bytes))
    }

    public func create(
        _ name: String, bytes: Data, contentType: String, metadata: [String: String], checksums: ObjectChecksums
    ) throws -> StoredObject {
        assert(checksums == ObjectChecksums(of: bytes), "the checksums handed to create are not those of its bytes")
        try ObjectName.validate(name, lake: url)
        let md5 = checksums.md5
        // Cloud Storage checks md5Hash and crc32c against what arrives and refuses a mismatch.
        let resource = MultipartRelated.Resource(
            name: fullName(name), contentType: contentType, metadata: metadata, md5Hash: md5, crc32c: checksums.crc32c)
        let upload = MultipartRelated(resource: resource, media: bytes, mediaType: contentType)
        let request = HTTPRequest(
            method: .post,
            url: configuration.endpoint
                + "/upload/storage/v1/b/\(PercentEncoding.encode(bucket))/o?uploadType=multipart&ifGenerationMatch=0",
            headers: ["Content-Type": upload.contentType], body: upload.body,
            // The generation precondition makes a repeat harmless: it lands once or gets 412.
            isIdempotent: true)
        do {
            return try storedObject(objectResource(send(request, doing: "create", name)))
        } catch let error as LakeError where error.http?.status == 412 {
            // Taken: by our own earlier attempt (same bytes: success), or by someone else.
            guard let existing = try head(name) else {
                throw LakeError(
                    .storage, "create \(describe(name)): the create-only precondition failed but the object is gone; try again",
                    http: error.http)
            }
            if existing.size == bytes.count && existing.md5 == md5 { return existing }
            throw LakeError(
                .alreadyExists,
                "\(describe(name)) already exists with different bytes (\(existing.size) bytes, md5 \(existing.md5 ?? "none")) than this create (\(bytes.count) bytes, md5 \(md5)); lake objects are create-only",
                http: error.http)
        } catch let error as LakeError where error.http?.status == 404 {
            throw bucketNotFound(error.http)
        }
    }

    public func get(_ name: String) throws -> (bytes: Data, object: StoredObject) {
        guard let object = try head(name) else {
            throw LakeError(.notFound, "\(describe(name)) does not exist")
        }
        // Ask for the very generation described, so bytes and description match.
        let request = HTTPRequest(url: objectURL(name) + "?alt=media" + (object.generation.map { "&generation=\($0)" } ?? ""))
        let bytes: Data
        do {
            bytes = try send(request, doing: "get", name).body
        } catch let error as LakeError where error.http?.status == 404 {
            throw LakeError(.notFound, "\(describe(name)) was deleted while it was being read", http: error.http)
        }
        if let md5 = object.md5, Digest.md5Base64(bytes) != md5 || bytes.count != object.size {
            throw LakeError(
                .corrupt,
                "\(describe(name)): downloaded \(bytes.count) bytes that do not match the stored size \(object.size) and md5 \(md5); try again"
            )
        }
        return (bytes, object)
    }

    public func head(_ name: String) throws -> StoredObject? {
        try ObjectName.validate(name, lake: url)
        do {
            return try storedObject(objectResource(send(HTTPRequest(url: objectURL(name)), doing: "head", name)))
        } catch let error as LakeError where error.http?.status == 404 {
            try checkBucketExists()
            return nil
        }
    }

    public func list(prefix listPrefix: String) throws -> [StoredObject] {
        try ObjectName.validatePrefix(listPrefix, lake: url)
        let full = prefix.isEmpty ? listPrefix : prefix + "/" + listPrefix
        var objects: [StoredObject] = []
        var pageToken: String?
        repeat {
            var query = "prefix=\(PercentEncoding.encode(full))&maxResults=\(configuration.listPageSize)"
            if let pageToken { query += "&pageToken=\(PercentEncoding.encode(pageToken))" }
            let request = HTTPRequest(url: configuration.endpoint + "/storage/v1/b/\(PercentEncoding.encode(bucket))/o?" + query)
            let page: GCSObjectList
            do {
                page = try send(request, doing: "list", listPrefix + "*").decode(GCSObjectList.self, as: "a Cloud Storage object list")
            } catch let error as LakeError where error.http?.status == 404 {
                throw bucketNotFound(error.http)
            }
            markBucketSeen()
            objects += try (page.items ?? []).map(storedObject)
            pageToken = page.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while pageToken != nil
        return objects
    }

    public func delete(_ name: String) throws {
        try ObjectName.validate(name, lake: url)
        do {
            _ = try send(HTTPRequest(method: .delete, url: objectURL(name)), doing: "delete", name)
        } catch let error as LakeError where error.http?.status == 404 {
            try checkBucketExists()
        }
    }

    // MARK: Requests

    private func fullName(_ name: String) -> String {
        prefix.isEmpty ? name : prefix + "/" + name
    }

    private func relativeName(_ full: String) -> String {
        guard !prefix.isEmpty, full.hasPrefix(prefix + "/") else { return full }
        return String(full.dropFirst(prefix.count + 1))
    }

    private func describe(_ name: String) -> String {
        "gs://\(bucket)/\(fullName(name))"
    }

    private func objectURL(_ name: String) -> String {
        configuration.endpoint + "/storage/v1/b/\(PercentEncoding.encode(bucket))/o/\(PercentEncoding.encode(fullName(name)))"
    }

    /// The object resource an answer holds, read without JSONDecoder (see `GCSObject(resource:)`);
    /// the error is the one `HTTPResponse.decode` gives.
    private func objectResource(_ response: HTTPResponse) throws -> GCSObject {
        do {
            return try GCSObject(resource: response.body)
        } catch {
            let preview = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw HTTPError(
                .invalidResponse, "the answer could not be read as a Cloud Storage object: \(error) (body starts: \(preview))")
        }
    }

    private func storedObject(_ object: GCSObject) throws -> StoredObject {
        guard let size = Int(object.size ?? "") else {
            throw LakeError(.storage, "\(describe(relativeName(object.name))): Cloud Storage described the object without a size")
        }
        return StoredObject(
            name: relativeName(object.name), size: size, md5: object.md5Hash, crc32c: object.crc32c,
            contentType: object.contentType ?? "application/octet-stream", metadata: object.metadata ?? [:],
            generation: object.generation.flatMap { Int64($0) })
    }

    /// Sends with credentials; turns failures into `LakeError`s that say what to do. 404 and 412
    /// come back as `.storage` with `http.status` set, for the caller to interpret.
    private func send(_ request: HTTPRequest, doing operation: String, _ name: String) throws -> HTTPResponse {
        var request = request
        do {
            try credentials.authorize(&request)
            return try pool.send(request)
        } catch let error as HTTPError {
            switch (error.code, error.status) {
            case (.stopped, _):
                throw LakeError(.stopped, "\(operation) \(describe(name)): \(error.message)", http: error)
            case (.credentials, _):
                throw LakeError(.credentials, "\(operation) \(describe(name)): \(error.message)", http: error)
            case (_, 401):
                throw LakeError(
                    .credentials,
                    "Cloud Storage refused the credentials from \(credentials.source) (\(error.googleMessage ?? "HTTP 401")) on \(operation) \(describe(name)); run `gcloud auth application-default login` or check GOOGLE_APPLICATION_CREDENTIALS",
                    http: error)
            case (_, 403):
                throw permissionDenied(error, operation: operation, name: name)
            default:
                throw LakeError(.storage, "\(operation) \(describe(name)) failed: \(error.message)", http: error)
            }
        }
    }

    private func permissionDenied(_ error: HTTPError, operation: String, name: String) -> LakeError {
        let principal = credentials.principal
        let who = principal ?? "the credentials from \(credentials.source)"
        let member = principal.map { ($0.hasSuffix(".gserviceaccount.com") ? "serviceAccount:" : "user:") + $0 } ?? "PRINCIPAL"
        let google = error.googleMessage.map { " (\($0))" } ?? ""
        return LakeError(
            .permissionDenied,
            "\(who) may not \(operation) objects in bucket gs://\(bucket)\(google); grant it roles/storage.objectAdmin: `gcloud storage buckets add-iam-policy-binding gs://\(bucket) --member=\(member) --role=roles/storage.objectAdmin`",
            http: error)
    }

    private func bucketNotFound(_ http: HTTPError?) -> LakeError {
        LakeError(
            .bucketNotFound,
            "bucket \(bucket) does not exist (create it with `gcloud storage buckets create gs://\(bucket)`, or check --lake)",
            http: http)
    }

    private func markBucketSeen() {
        bucketSeen.store(true, ordering: .relaxed)
    }

    /// After a 404 on an object: was it the object or the whole bucket? Cloud Storage words the two
    /// differently, fake-gcs-server does not, so ask once by listing (objects.list is in every
    /// role that can read objects).
    private func checkBucketExists() throws {
        if bucketSeen.load(ordering: .relaxed) { return }
        let request = HTTPRequest(
            url: configuration.endpoint
                + "/storage/v1/b/\(PercentEncoding.encode(bucket))/o?maxResults=1&prefix=\(PercentEncoding.encode(prefix))")
        do {
            _ = try send(request, doing: "list", "")
            markBucketSeen()
        } catch let error as LakeError where error.http?.status == 404 {
            throw bucketNotFound(error.http)
        }
    }
}

import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake
import TestSupport
import XCTest

/// Against fake-gcs-server (`scripts/emulators start gcs`), through the same code as Google.
final class GCSLakeTests: XCTestCase {
    private var endpoint = ""
    private var bucket = ""
    private var lake: GCSLake!
    private let pageSize = 2
    private var contract: LakeContract { LakeContract(lake: lake) }

    override func setUpWithError() throws {
        endpoint = try emulatorEndpoint()
        bucket = try createEmulatorBucket(endpoint)
        lake = try makeLake(prefix: "")
    }

    private func makeLake(bucket: String? = nil, prefix: String) throws -> GCSLake {
        try GCSLake(
            bucket: bucket ?? self.bucket, prefix: prefix, credentials: NoCredentials(),
            configuration: GCSLake.Configuration(
                endpoint: endpoint,
                http: HTTPClientConfiguration(timeout: .seconds(10), retry: RetryPolicy(maxAttempts: 2, sleep: { _ in })),
                listPageSize: pageSize))
    }

    // The contract every lake keeps.
    func testCreatedObjectsReadBackAndListInNameOrder() throws { try contract.createdObjectsReadBackAndListInNameOrder(pageSize: pageSize) }
    func testCreateIsCreateOnlyButASameBytesRetrySucceeds() throws { try contract.createIsCreateOnly() }
    func testConcurrentCreatesOfOneNameHaveOneWinner() throws { try contract.concurrentCreatesOfOneNameHaveOneWinner() }
    func testMetadataRoundTrips() throws { try contract.metadataRoundTrips() }
    func testHandedDownChecksumsAreStoredAsTheLakeWouldComputeThem() throws {
        try contract.handedDownChecksumsAreStoredAsTheLakeWouldComputeThem()
    }
    func testAwkwardNamesRoundTrip() throws { try contract.awkwardNamesRoundTrip() }
    func testMissingObjectsAreNilOrNotFound() throws { try contract.missingObjects() }
    func testDeleteRemovesAndMayBeRepeated() throws { try contract.deleteRemovesAndMayBeRepeated() }
    func testInvalidNamesAreRefused() throws { try contract.invalidNamesAreRefused() }

    // Cloud Storage's own.

    func testObjectsCarryGenerationAndChecksumsAsCloudStorageReportsThem() throws {
        let stored = try lake.create("hello.txt", bytes: Data("hello\n".utf8), contentType: "text/plain", metadata: [:])
        XCTAssertEqual(stored.md5, "sZRqySSS0jR8YjW00mERhA==")
        XCTAssertEqual(stored.crc32c, "NT3Yvg==")
        XCTAssertNotNil(stored.generation)
        XCTAssertEqual(try lake.head("hello.txt")?.generation, stored.generation)
    }

    func testTheLakePrefixIsAddedToNamesInTheBucketAndRemovedFromNamesInTheLake() throws {
        let prefixed = try makeLake(prefix: "/lakes/one/")
        XCTAssertEqual(prefixed.url, "gs://\(bucket)/lakes/one")
        _ = try prefixed.create("bronze/a.jsonl", bytes: Data("a".utf8), contentType: "text/plain", metadata: [:])
        XCTAssertEqual(try lake.list(prefix: "").map(\.name), ["lakes/one/bronze/a.jsonl"])
        XCTAssertEqual(try prefixed.list(prefix: "").map(\.name), ["bronze/a.jsonl"])
        XCTAssertEqual(try prefixed.get("bronze/a.jsonl").object.name, "bronze/a.jsonl")
    }

    func testAnUnknownBucketIsNamedWithTheFix() throws {
        let missing = try makeLake(bucket: "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())", prefix: "")
        let expected =
            "bucket \(missing.bucket) does not exist (create it with `gcloud storage buckets create gs://\(missing.bucket)`, or check --lake)"
        let attempts: [(String, () throws -> Void)] = [
            ("create", { _ = try missing.create("a", bytes: Data(), contentType: "text/plain", metadata: [:]) }),
            ("list", { _ = try missing.list(prefix: "") }),
            ("head", { _ = try missing.head("a") }),
            ("get", { _ = try missing.get("a") }),
            ("delete", { try missing.delete("a") }),
        ]
        for (operation, attempt) in attempts {
            XCTAssertThrowsError(try attempt(), operation) { error in
                XCTAssertEqual((error as? LakeError)?.code, .bucketNotFound, operation)
                XCTAssertEqual("\(error)", expected, operation)
            }
        }
    }

    func testTheEmulatorIsFoundFromTheEnvironmentWithOrWithoutAScheme() throws {
        let hostOnly = endpoint.replacingOccurrences(of: "http://", with: "")
        for value in [endpoint, hostOnly, endpoint + "/"] {
            let fromEnvironment = try ShopStreamLake.makeLake(url: "gs://\(bucket)/env", environment: ["STORAGE_EMULATOR_HOST": value])
            XCTAssertTrue((fromEnvironment as? GCSLake)?.credentials is NoCredentials, "an emulator gets no credentials")
            _ = try fromEnvironment.create("x-\(UUID().uuidString)", bytes: Data("x".utf8), contentType: "text/plain", metadata: [:])
        }
        XCTAssertEqual(try lake.list(prefix: "env/").count, 3)
    }

    /// Through a stub that forwards to the emulator and injects faults.
    private func faultyLake(_ actions: [String]) throws -> (GCSLake, StubServer) {
        let stub = try StubServer(upstream: endpoint, actions: actions)
        let lake = try GCSLake(
            bucket: bucket, credentials: NoCredentials(),
            configuration: GCSLake.Configuration(
                endpoint: stub.url, http: HTTPClientConfiguration(timeout: .seconds(10), retry: RetryPolicy(sleep: { _ in }))))
        return (lake, stub)
    }

    func testACreateWhoseAnswerWasLostIsRetriedAndRecognisedAsLanded() throws {
        let (faulty, stub) = try faultyLake(["lost:503"])
        let stored = try withExtendedLifetime(stub) {
            try faulty.create("landed.jsonl", bytes: Data("once\n".utf8), contentType: "application/x-ndjson", metadata: ["count": "1"])
        }
        XCTAssertEqual(stored.metadata, ["count": "1"])
        XCTAssertEqual(faulty.takeRetries().description, "retried once: 503", "the retry got 412; the bytes matched")
        XCTAssertEqual(try lake.list(prefix: "").map(\.name), ["landed.jsonl"])
    }

    func testFaultsAreRetriedAndReported() throws {
        let (faulty, stub) = try faultyLake(["503", "429", "reset", "pass", "500"])
        try withExtendedLifetime(stub) {
            _ = try faulty.create("a.jsonl", bytes: Data("a".utf8), contentType: "text/plain", metadata: [:])
            XCTAssertEqual(try faulty.list(prefix: "").map(\.name), ["a.jsonl"])
        }
        XCTAssertEqual(faulty.takeRetries().description, "retried 4 times: 503, 429, reset, 500")
        XCTAssertEqual(faulty.takeRetries().description, "no retries")
    }

    /// An abandon of the stop the lake was handed (as the bronze sink hands it its own) ends an
    /// upload's backoff after a 503 at once: the create throws `.stopped` naming the 503, and the
    /// upload is not sent again.
    func testAnAbandonEndsAnUploadsBackoffAndTheUploadIsNotSentAgain() throws {
        let drill = try BackoffDrill(upstream: endpoint, failing: "^POST /upload/")
        let faulty = try GCSLake(
            bucket: bucket, credentials: NoCredentials(),
            configuration: GCSLake.Configuration(
                endpoint: drill.proxy.url, http: HTTPClientConfiguration(timeout: .seconds(10), retry: drill.retry)))
        let stop = StopSignal()
        faulty.interruptWaits(on: stop)

        let outcome = try drill.abandon(stop) {
            _ = try faulty.create("abandoned.jsonl", bytes: Data("a\n".utf8), contentType: "application/x-ndjson", metadata: [:])
        }
        XCTAssertFalse(outcome.waitedOutTheBackoff, "returned \(outcome.took) after the abandon")
        let error = try XCTUnwrap(outcome.error as? LakeError, "\(String(describing: outcome.error))")
        XCTAssertEqual(error.code, .stopped)
        XCTAssertTrue(
            error.message.hasPrefix("create gs://\(bucket)/abandoned.jsonl: stopped while waiting to retry POST "), error.message)
        XCTAssertTrue(error.message.contains("HTTP 503"), error.message)
        XCTAssertFalse(error.isTransient, "nobody should try again: the stop asked to give up")
        XCTAssertEqual(outcome.sent.count, 1, "not sent again: \(outcome.sent)")
        XCTAssertEqual(faulty.takeRetries().description, "no retries", "the retry was not made")
        XCTAssertNil(try lake.head("abandoned.jsonl"))
    }
}

/// Answers the emulator never gives, from a fixed-reply server.
final class GCSLakeErrorTests: XCTestCase {
    private func lake(_ server: StubServer, credentials: any AccessTokenProvider = FixedTokenCredentials()) throws -> GCSLake {
        try GCSLake(
            bucket: "shop-lake", prefix: "p", credentials: credentials,
            configuration: GCSLake.Configuration(endpoint: server.url, http: HTTPClientConfiguration(retry: .never)))
    }

    func testPermissionDeniedNamesTheBucketThePrincipalAndTheRole() throws {
        let server = try StubServer(
            status: 403,
            json:
                #"{"error":{"code":403,"message":"lake-writer@shopstream-test.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object.","errors":[{"reason":"forbidden"}]}}"#
        )
        XCTAssertThrowsError(try lake(server).create("a.jsonl", bytes: Data("x".utf8), contentType: "text/plain", metadata: [:])) { error in
            let error = error as! LakeError
            XCTAssertEqual(error.code, .permissionDenied)
            XCTAssertEqual(error.http?.status, 403)
            XCTAssertTrue(
                error.message.hasPrefix(
                    "lake-writer@shopstream-test.iam.gserviceaccount.com may not create objects in bucket gs://shop-lake ("), error.message)
            XCTAssertTrue(
                error.message.hasSuffix(
                    "grant it roles/storage.objectAdmin: `gcloud storage buckets add-iam-policy-binding gs://shop-lake --member=serviceAccount:lake-writer@shopstream-test.iam.gserviceaccount.com --role=roles/storage.objectAdmin`"
                ), error.message)
        }
    }

    /// Cloud Storage refuses an upload whose md5Hash or crc32c is not the bytes' (fake-gcs-server
    /// does not look), so what is sent is checked here: the checksums handed down, or computed.
    func testAnUploadSendsTheChecksumsOfItsBytes() throws {
        let bytes = Data("hello\n".utf8)
        let server = try StubServer(actions: ["resource", "resource"])
        let handed = try lake(server).create(
            "a.txt", bytes: bytes, contentType: "text/plain", metadata: [:], checksums: ObjectChecksums(of: bytes))
        let computed = try lake(server).create("b.txt", bytes: bytes, contentType: "text/plain", metadata: [:])
        for sent in [handed, computed] {
            XCTAssertEqual(sent.size, 6)
            XCTAssertEqual(sent.md5, "sZRqySSS0jR8YjW00mERhA==", sent.name)
            XCTAssertEqual(sent.crc32c, "NT3Yvg==", sent.name)
        }
    }

    func testAnAnswerThatIsNotAnObjectResourceSaysWhatItGot() throws {
        let server = try StubServer(status: 200, json: #"{"kind":"storage#object","size":"1"}"#)
        XCTAssertThrowsError(try lake(server).create("a.txt", bytes: Data("x".utf8), contentType: "text/plain", metadata: [:])) {
            XCTAssertEqual((($0 as? HTTPError)?.code), .invalidResponse)
            XCTAssertTrue(
                "\($0)".contains(
                    #"the answer could not be read as a Cloud Storage object: the resource has no "name" (body starts: {"kind":"storage#object","size":"1"})"#
                ), "\($0)")
        }
    }

    func testRefusedCredentialsSayHowToLogIn() throws {
        let server = try StubServer(
            status: 401, json: #"{"error":{"code":401,"message":"Invalid Credentials","errors":[{"reason":"authError"}]}}"#)
        XCTAssertThrowsError(try lake(server).list(prefix: "")) { error in
            XCTAssertEqual((error as? LakeError)?.code, .credentials)
            // The client asked the credentials for a fresh token, sent the request again, and was refused again.
            XCTAssertTrue(
                "\(error)".contains(
                    "HTTP 401 Unauthorized: Invalid Credentials (authError), also with a freshly fetched access token for lake-writer@shopstream-test.iam.gserviceaccount.com (a test token)"
                ), "\(error)")
            XCTAssertTrue("\(error)".contains("gcloud auth application-default login"), "\(error)")
        }
    }

    func testAServerErrorNamesTheRequestAndGooglesMessage() throws {
        let server = try StubServer(
            status: 503, json: #"{"error":{"code":503,"message":"Backend Error","errors":[{"reason":"backendError"}]}}"#)
        XCTAssertThrowsError(try lake(server).head("dir/a.jsonl")) { error in
            let message = "\(error)"
            XCTAssertTrue(
                message.hasPrefix(
                    "head gs://shop-lake/p/dir/a.jsonl failed: GET \(server.url)/storage/v1/b/shop-lake/o/p%2Fdir%2Fa.jsonl: HTTP 503 Service Unavailable: Backend Error (backendError)"
                ), message)
        }
    }

    func testUnreadableCredentialsAreOneSentenceNamingTheFile() throws {
        XCTAssertThrowsError(
            try makeLake(url: "gs://shop-lake/bronze", environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"])
        ) { error in
            XCTAssertEqual((error as? LakeError)?.code, .credentials)
            XCTAssertEqual(
                "\(error)",
                "gs://shop-lake: credentials file /nonexistent/key.json (from GOOGLE_APPLICATION_CREDENTIALS) does not exist; point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, or unset it to use `gcloud auth application-default login`"
            )
        }
    }
}

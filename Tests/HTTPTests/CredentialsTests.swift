import Foundation
import ShopStreamHTTP
import XCTest

final class CredentialsTests: XCTestCase {
    private let clock = TestClock()
    private var http: HTTPClientConfiguration {
        HTTPClientConfiguration(connectTimeout: .seconds(1), timeout: .seconds(3), retry: RetryPolicy(maxAttempts: 2, sleep: { _ in }))
    }

    func testTheJWTIsSignedWithTheServiceAccountKeyAndCarriesGooglesClaims() throws {
        let account = try ThrowawayServiceAccount(in: makeTemporaryDirectory(self), tokenURI: "https://oauth2.googleapis.com/token")
        let credentials = try ServiceAccountCredentials(keyFile: account.keyFilePath, http: http)
        let issuedAt = Date(timeIntervalSince1970: 1_750_000_000)
        let jwt = try credentials.assertion(issuedAt: issuedAt)

        XCTAssertTrue(try account.verify(jwt: jwt), "openssl verifies the RS256 signature with the public key")
        let (header, claims) = try jwtParts(jwt)
        XCTAssertEqual(header["alg"] as? String, "RS256")
        XCTAssertEqual(header["typ"] as? String, "JWT")
        XCTAssertEqual(header["kid"] as? String, account.keyID)
        XCTAssertEqual(claims["iss"] as? String, account.email)
        XCTAssertEqual(claims["scope"] as? String, "https://www.googleapis.com/auth/cloud-platform")
        XCTAssertEqual(claims["aud"] as? String, "https://oauth2.googleapis.com/token")
        XCTAssertEqual(claims["iat"] as? Int, 1_750_000_000)
        XCTAssertEqual(claims["exp"] as? Int, 1_750_003_600)

        var tampered = jwt
        tampered.removeLast(3)
        tampered += "AAA"
        XCTAssertFalse(try account.verify(jwt: tampered), "the verification itself is real")
        XCTAssertEqual(credentials.principal, account.email)
    }

    func testTheTokenExchangePostsTheJWTBearerFormAndTheTokenIsCachedUntilNearExpiry() throws {
        let directory = try makeTemporaryDirectory(self)
        let publicKeyPath = directory + "/public.pem"
        let server = try LoopbackHTTPServer { request in
            let form = request.form
            guard request.method == "POST", request.target == "/token",
                request.headers["content-type"] == "application/x-www-form-urlencoded",
                form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer",
                let assertion = form["assertion"],
                (try? ThrowawayServiceAccount.verify(jwt: assertion, publicKeyPath: publicKeyPath)) == true
            else {
                return .json(400, #"{"error":"invalid_request","error_description":"bad form"}"#)
            }
            return .json(200, #"{"access_token":"ya29.from-exchange","expires_in":3600,"token_type":"Bearer"}"#)
        }
        let account = try ThrowawayServiceAccount(in: directory, tokenURI: server.url + "/token")
        let clock = self.clock
        let credentials = try GoogleCredentials.applicationDefault(
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": account.keyFilePath, "HOME": "/nonexistent"], http: http,
            now: { clock.now })
        XCTAssertTrue(credentials is ServiceAccountCredentials)

        XCTAssertEqual(try credentials.accessToken()?.value, "ya29.from-exchange")
        XCTAssertEqual(try credentials.accessToken()?.value, "ya29.from-exchange")
        XCTAssertEqual(server.requests.count, 1, "the second call is served from the cache")

        clock.advance(54 * 60)
        _ = try credentials.accessToken()
        XCTAssertEqual(server.requests.count, 1, "six minutes before expiry the token is still used")
        clock.advance(2 * 60)
        _ = try credentials.accessToken()
        XCTAssertEqual(server.requests.count, 2, "within five minutes of expiry a new token is fetched")

        var request = HTTPRequest(url: "https://storage.googleapis.com/storage/v1/b/x/o")
        try credentials.authorize(&request)
        XCTAssertEqual(request.headers["authorization"], "Bearer ya29.from-exchange")
    }

    func testTheGcloudUserFileUsesTheRefreshTokenGrant() throws {
        let server = try LoopbackHTTPServer { request in
            let form = request.form
            guard form["grant_type"] == "refresh_token", form["client_id"] == "id.apps", form["client_secret"] == "s3cret",
                form["refresh_token"] == "1//refresh"
            else { return .json(400, #"{"error":"invalid_grant"}"#) }
            return .json(200, #"{"access_token":"ya29.user","expires_in":3599}"#)
        }
        let config = try makeTemporaryDirectory(self)
        try Data(
            #"{"type":"authorized_user","client_id":"id.apps","client_secret":"s3cret","refresh_token":"1//refresh","token_uri":"\#(server.url)/token"}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: config + "/application_default_credentials.json"))
        let credentials = try GoogleCredentials.applicationDefault(environment: ["CLOUDSDK_CONFIG": config], http: http)
        XCTAssertTrue(credentials is AuthorizedUserCredentials)
        XCTAssertEqual(try credentials.accessToken()?.value, "ya29.user")
    }

    func testTheKeyFileComesBeforeGcloudsFileAndTheMetadataServerComesLast() throws {
        let directory = try makeTemporaryDirectory(self)
        let account = try ThrowawayServiceAccount(in: directory, tokenURI: "http://127.0.0.1:1/token")
        try Data(#"{"type":"authorized_user","client_id":"a","client_secret":"b","refresh_token":"c"}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/application_default_credentials.json"))

        let both = try GoogleCredentials.applicationDefault(
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": account.keyFilePath, "CLOUDSDK_CONFIG": directory])
        XCTAssertTrue(both is ServiceAccountCredentials)
        let gcloud = try GoogleCredentials.applicationDefault(environment: ["CLOUDSDK_CONFIG": directory])
        XCTAssertTrue(gcloud is AuthorizedUserCredentials)
        let neither = try GoogleCredentials.applicationDefault(environment: ["CLOUDSDK_CONFIG": directory + "/none"])
        XCTAssertTrue(neither is MetadataServerCredentials)
    }

    func testTheMetadataServerIsAskedWithItsFlavorHeader() throws {
        let server = try LoopbackHTTPServer { request in
            guard request.headers["metadata-flavor"] == "Google" else { return .respond(403) }
            switch request.target {
            case "/computeMetadata/v1/instance/service-accounts/default/token":
                return .json(200, #"{"access_token":"ya29.vm","expires_in":1800,"token_type":"Bearer"}"#)
            case "/computeMetadata/v1/instance/service-accounts/default/email":
                return .respond(200, body: Data("vm@p.iam.gserviceaccount.com".utf8))
            default:
                return .respond(404)
            }
        }
        let credentials = try GoogleCredentials.applicationDefault(
            environment: ["HOME": "/nonexistent", "GCE_METADATA_HOST": "127.0.0.1:\(server.port)"], http: http)
        XCTAssertEqual(try credentials.accessToken()?.value, "ya29.vm")
        XCTAssertEqual(credentials.principal, "vm@p.iam.gserviceaccount.com")
    }

    func testNoReachableMetadataServerSaysHowToLogIn() throws {
        let port = try closedLoopbackPort()
        let credentials = try GoogleCredentials.applicationDefault(
            environment: ["HOME": "/nonexistent", "GCE_METADATA_HOST": "127.0.0.1:\(port)"], http: http)
        XCTAssertThrowsError(try credentials.accessToken()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("no Google credentials found: GOOGLE_APPLICATION_CREDENTIALS is not set"), message)
            XCTAssertTrue(message.contains("gcloud auth application-default login"), message)
        }
    }

    func testUnreadableOrInvalidCredentialsGiveOneSentenceNamingTheFileAndTheFix() throws {
        let directory = try makeTemporaryDirectory(self)
        func message(for contents: String?, name: String = "key.json") -> String {
            let path = directory + "/" + name
            if let contents { try? Data(contents.utf8).write(to: URL(fileURLWithPath: path)) }
            do {
                _ = try GoogleCredentials.applicationDefault(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path])
                return "no error"
            } catch let error as HTTPError {
                XCTAssertEqual(error.code, .credentials)
                XCTAssertTrue(error.message.contains(path), error.message)
                XCTAssertFalse(error.message.contains("\n"))
                return error.message
            } catch {
                return "unexpected \(error)"
            }
        }
        XCTAssertEqual(
            message(for: nil, name: "missing.json"),
            "credentials file \(directory)/missing.json (from GOOGLE_APPLICATION_CREDENTIALS) does not exist; point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, or unset it to use `gcloud auth application-default login`"
        )
        XCTAssertTrue(message(for: "not json", name: "a.json").contains("is not JSON"))
        XCTAssertTrue(
            message(for: #"{"type":"service_account","client_email":"x@y","private_key_id":"1","private_key":"garbage"}"#, name: "b.json")
                .contains("private_key: the private key is not a readable PEM key"))
        XCTAssertTrue(
            message(for: #"{"type":"service_account","client_email":"x@y"}"#, name: "c.json").contains("has no \"private_key_id\""))
        XCTAssertTrue(
            message(for: #"{"type":"external_account"}"#, name: "d.json").contains(
                "\"external_account\", which ShopStream does not support"))
        let unreadable = directory + "/e.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: unreadable))
        chmod(unreadable, 0)
        if getuid() != 0 {  // root reads anything
            XCTAssertTrue(message(for: nil, name: "e.json").contains("cannot be read"))
        }
        XCTAssertTrue(message(for: nil, name: "").contains("is a directory"))
    }

    func testARefusedExchangeNamesTheAccountAndNeverShowsTheAssertion() throws {
        let server = try LoopbackHTTPServer(replies: [
            .json(400, #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#)
        ])
        let account = try ThrowawayServiceAccount(in: makeTemporaryDirectory(self), tokenURI: server.url + "/token")
        let credentials = try ServiceAccountCredentials(keyFile: account.keyFilePath, http: http)
        XCTAssertThrowsError(try credentials.accessToken()) { error in
            let error = error as! HTTPError
            XCTAssertEqual(error.code, .credentials)
            XCTAssertEqual(error.status, 400)
            XCTAssertTrue(
                error.message.hasPrefix(
                    "could not get an access token for service account \(account.email) (service-account key \(account.keyFilePath)): POST \(server.url)/token: HTTP 400 Bad Request: Invalid JWT Signature. (invalid_grant); the key may have been deleted or disabled"
                ), error.message)
            let assertion = server.requests[0].form["assertion"] ?? "?"
            XCTAssertFalse(error.message.contains(assertion.prefix(20)))
        }
        XCTAssertEqual(server.requests.count, 1, "a 400 is not retried")
    }

    func testATokenRefusedWith401IsRefreshedOnceAndTheRequestSentAgain() throws {
        // The token endpoint mints ya29.first, then ya29.second; the API refuses ya29.first, as
        // Google does with a token revoked before its expiry (a key rotated, a password changed).
        let server = try TokenAndAPIServer(acceptedToken: "ya29.second")
        let account = try ThrowawayServiceAccount(in: makeTemporaryDirectory(self), tokenURI: server.url + "/token")
        let credentials = try ServiceAccountCredentials(keyFile: account.keyFilePath, http: http)
        let client = try HTTPClient(configuration: http)

        // Not idempotent, and sent again all the same: a 401 means the server did nothing with it.
        var request = HTTPRequest(method: .post, url: server.url + "/bigquery/v2/projects/p/queries", body: Data("{}".utf8))
        try credentials.authorize(&request)
        let response = try client.send(request)

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(server.tokensMinted, 2, "exactly one refresh")
        XCTAssertEqual(server.apiAuthorizations, ["Bearer ya29.first", "Bearer ya29.second"])
        XCTAssertEqual(server.apiRequests.last?.body, Data("{}".utf8))
        XCTAssertEqual(response.retries.reasons, ["401"])
        XCTAssertEqual(client.takeRetries().reasons, ["401"], "counted where shopstream_http_retries_total reads")

        // The fresh token is the cached one now: no further exchange.
        var next = HTTPRequest(url: server.url + "/bigquery/v2/projects/p/datasets")
        try credentials.authorize(&next)
        XCTAssertEqual(try client.send(next).status, 200)
        XCTAssertEqual(server.tokensMinted, 2)
        XCTAssertTrue(client.takeRetries().isEmpty)
    }

    func testATokenRefusedAgainAfterARefreshIsOneErrorNamingTheCredentials() throws {
        let server = try TokenAndAPIServer(acceptedToken: nil)
        let config = try makeTemporaryDirectory(self)
        let file = config + "/application_default_credentials.json"
        try Data(
            #"{"type":"authorized_user","client_id":"id.apps","client_secret":"s3cret","refresh_token":"1//refresh","token_uri":"\#(server.url)/token"}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: file))
        let credentials = try GoogleCredentials.applicationDefault(environment: ["CLOUDSDK_CONFIG": config], http: http)
        let client = try HTTPClient(configuration: http)

        var request = HTTPRequest(url: server.url + "/storage/v1/b/shop/o")
        try credentials.authorize(&request)
        XCTAssertThrowsError(try client.send(request)) { error in
            let error = error as! HTTPError
            XCTAssertEqual(error.code, .credentials)
            XCTAssertEqual(error.status, 401)
            XCTAssertEqual(error.retries.reasons, ["401"])
            XCTAssertEqual(
                error.message,
                "GET \(server.url)/storage/v1/b/shop/o: HTTP 401 Unauthorized: Invalid Credentials (authError), also with a freshly fetched access token for gcloud application-default credentials \(file); check that the account exists and is enabled, that its key or login has not been revoked (`gcloud iam service-accounts keys create` makes a new key, `gcloud auth application-default login` renews a person's), that the token's scopes cover this API, and that this machine's clock is right"
            )
            XCTAssertFalse(error.message.contains("ya29"), "no token in the message")
        }
        XCTAssertEqual(server.tokensMinted, 2, "one refresh, no more")
        XCTAssertEqual(server.apiAuthorizations, ["Bearer ya29.first", "Bearer ya29.second"])
    }

    func testARequestWithoutCredentialsIsNotRetriedOn401() throws {
        let server = try TokenAndAPIServer(acceptedToken: "ya29.first")
        let client = try HTTPClient(configuration: http)
        var request = HTTPRequest(url: server.url + "/storage/v1/b/shop/o")
        try NoCredentials().authorize(&request)
        XCTAssertThrowsError(try client.send(request)) { error in
            XCTAssertEqual((error as? HTTPError)?.code, .status)
            XCTAssertEqual((error as? HTTPError)?.status, 401)
        }
        XCTAssertEqual(server.apiAuthorizations, [nil], "sent once, without credentials")
        XCTAssertEqual(server.tokensMinted, 0)
        XCTAssertTrue(client.takeRetries().isEmpty)
    }

    func testConcurrentRefusalsOfOneTokenFetchOneNewToken() throws {
        let server = try TokenAndAPIServer(acceptedToken: "ya29.second")
        let account = try ThrowawayServiceAccount(in: makeTemporaryDirectory(self), tokenURI: server.url + "/token")
        let credentials = try ServiceAccountCredentials(keyFile: account.keyFilePath, http: http)
        let pool = HTTPClientPool(configuration: http)
        // All four carry ya29.first before any is sent, so all four are refused.
        let requests = try (0..<4).map { i in
            var request = HTTPRequest(url: server.url + "/storage/v1/b/shop/o/\(i)")
            try credentials.authorize(&request)
            return request
        }
        DispatchQueue.concurrentPerform(iterations: requests.count) { i in
            XCTAssertEqual(try? pool.send(requests[i]).status, 200)
        }
        XCTAssertEqual(server.tokensMinted, 2, "the first refusal fetched a new token; the others found it")
        XCTAssertEqual(pool.takeRetries().reasons, ["401", "401", "401", "401"])
    }

    func testATokenDoesNotShowItselfInDescriptions() {
        let token = AccessToken(value: "ya29.very-secret", expiresAt: Date())
        XCTAssertFalse("\(token)".contains("secret"))
        XCTAssertNil(try NoCredentials().accessToken())
        var request = HTTPRequest(url: "http://127.0.0.1:4443/storage/v1/b")
        XCTAssertNoThrow(try NoCredentials().authorize(&request))
        XCTAssertNil(request.headers["authorization"])
        request.headers.add("Authorization", "Bearer ya29.very-secret")
        XCTAssertFalse(request.headers.description.contains("secret"))
    }
}

/// A token endpoint (`POST /token`, minting ya29.first, ya29.second, … in turn) and an API on one
/// loopback server: the API answers 200 to `acceptedToken` and 401 to anything else.
private final class TokenAndAPIServer: @unchecked Sendable {
    private let server: LoopbackHTTPServer
    var url: String { server.url }

    init(acceptedToken: String?) throws {
        let minted = Counter()
        server = try LoopbackHTTPServer { request in
            if request.target == "/token" {
                let names = ["first", "second", "third", "fourth"]
                return .json(200, #"{"access_token":"ya29.\#(names[min(minted.next(), 3)])","expires_in":3600,"token_type":"Bearer"}"#)
            }
            if let acceptedToken, request.headers["authorization"] == "Bearer \(acceptedToken)" {
                return .json(200, #"{"kind":"ok"}"#)
            }
            return .json(401, #"{"error":{"code":401,"message":"Invalid Credentials","errors":[{"reason":"authError"}]}}"#)
        }
    }

    var tokensMinted: Int { server.requests.filter { $0.target == "/token" }.count }
    var apiRequests: [LoopbackHTTPServer.Request] { server.requests.filter { $0.target != "/token" } }
    var apiAuthorizations: [String?] { apiRequests.map { $0.headers["authorization"] } }

    /// 0, 1, 2, … across threads.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                defer { value += 1 }; return value
            }
        }
    }
}

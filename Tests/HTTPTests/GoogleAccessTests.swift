import Foundation
import ShopStreamHTTP
import XCTest

/// Cloud Storage, BigQuery and Pub/Sub clients decide alike where to talk and as whom: an emulator
/// in the environment means no credentials at all; otherwise Application Default Credentials,
/// whose failure becomes the client's own error.
final class GoogleAccessTests: XCTestCase {
    private let missingKey = ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json", "HOME": "/nonexistent"]

    func testAnEmulatorMeansNoCredentialsAndNoneAreRead() throws {
        let access = try GoogleAccess(emulator: "http://127.0.0.1:4443", environment: missingKey, http: HTTPClientConfiguration())
        XCTAssertEqual(access.emulator, "http://127.0.0.1:4443")
        XCTAssertTrue(access.credentials is NoCredentials)
    }

    func testWithoutAnEmulatorApplicationDefaultCredentialsAreUsed() throws {
        let directory = try makeTemporaryDirectory(self)
        try Data(#"{"type":"authorized_user","client_id":"a","client_secret":"b","refresh_token":"c"}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/application_default_credentials.json"))
        let access = try GoogleAccess(emulator: nil, environment: ["CLOUDSDK_CONFIG": directory], http: HTTPClientConfiguration())
        XCTAssertNil(access.emulator)
        XCTAssertTrue(access.credentials is AuthorizedUserCredentials)
    }

    func testCredentialsThatCannotBeReadAreTheClientsOwnErrorAroundTheHTTPOne() {
        struct ClientError: Error { let http: HTTPError }
        XCTAssertThrowsError(
            try GoogleAccess(emulator: nil, environment: missingKey, http: HTTPClientConfiguration(), failure: { ClientError(http: $0) })
        ) { error in
            XCTAssertEqual((error as? ClientError)?.http.code, .credentials, "\(error)")
        }
        XCTAssertThrowsError(try GoogleAccess(emulator: nil, environment: missingKey, http: HTTPClientConfiguration())) { error in
            XCTAssertEqual((error as? HTTPError)?.code, .credentials, "\(error)")
        }
    }
}

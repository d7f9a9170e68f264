import Foundation
import ShopStreamHTTP
import Synchronization
import XCTest

@testable import ShopStreamWarehouse

/// The Storage Write API (gRPC) answers a refused token as the REST clients answer a 401: a fresh
/// token once, the call again at once; refused again, a credentials error naming the credentials.
/// Against a stand-in for the service at the transport seam (the emulator checks no tokens).
final class StorageWriteCredentialsTests: XCTestCase {
    private let table = TableName("silver", "sales")

    /// Tokens t1, t2, …: a refused one is replaced by the next.
    final class RotatingCredentials: AccessTokenProvider {
        private let state = Mutex((current: 1, invalidated: 0))
        var invalidations: Int { state.withLock { $0.invalidated } }
        var principal: String? { "loader@shop.iam.gserviceaccount.com" }
        var source: String { "service-account key /keys/shopstream.json" }

        func accessToken() throws -> AccessToken? {
            AccessToken(value: "t\(state.withLock { $0.current })", expiresAt: Date() + 3600)
        }

        func invalidate(_ token: AccessToken) {
            state.withLock {
                guard token.value == "t\($0.current)" else { return }
                $0.current += 1
                $0.invalidated += 1
            }
        }
    }

    /// Answers each call with the next gRPC status of `statuses` (OK: a new stream's name), and
    /// keeps the Authorization header each call carried.
    final class ScriptedService: Sendable {
        private let state: Mutex<(statuses: [Int], authorizations: [String])>
        var authorizations: [String] { state.withLock { $0.authorizations } }

        init(_ statuses: [Int]) { state = Mutex((statuses, [])) }

        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            let status = state.withLock {
                $0.authorizations.append(request.headers["Authorization"] ?? "none")
                return $0.statuses.isEmpty ? GRPCStatus.ok : $0.statuses.removeFirst()
            }
            guard status == GRPCStatus.ok else {
                return HTTPResponse(
                    status: 200, headers: ["grpc-status": "\(status)", "grpc-message": "Request had invalid authentication credentials."])
            }
            // WriteStream { name = 1 }, framed: no compression, 4-byte big-endian length.
            var stream = ProtoWriter()
            stream.string(1, "projects/p/datasets/silver/tables/sales/streams/s1")
            let length = UInt32(stream.bytes.count)
            let frame =
                [0, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + stream.bytes
            return HTTPResponse(status: 200, headers: ["grpc-status": "0"], body: Data(frame))
        }
    }

    private func client(_ service: ScriptedService, _ credentials: RotatingCredentials) -> StorageWriteClient {
        StorageWriteClient(project: "p", endpoint: "http://127.0.0.1:1", credentials: credentials, transport: { try service.send($0) })
    }

    func testARefusedTokenIsFetchedAfreshOnceAndTheCallSentAgainAtOnce() throws {
        let service = ScriptedService([GRPCStatus.unauthenticated])
        let credentials = RotatingCredentials()
        let writer = client(service, credentials)

        XCTAssertEqual(try writer.createCommittedStream(table), "projects/p/datasets/silver/tables/sales/streams/s1")
        XCTAssertEqual(service.authorizations, ["Bearer t1", "Bearer t2"], "the refused token, then a fresh one")
        XCTAssertEqual(credentials.invalidations, 1)
        XCTAssertEqual(writer.takeRetries().countsByReason, ["UNAUTHENTICATED": 1], "the resend is counted")
    }

    func testASecondRefusalIsACredentialsErrorThatNamesTheCredentials() throws {
        let service = ScriptedService([GRPCStatus.unauthenticated, GRPCStatus.unauthenticated, GRPCStatus.unauthenticated])
        let credentials = RotatingCredentials()
        let bigQuery = try BigQueryClient(project: "p", credentials: credentials, configuration: .init(endpoint: "http://127.0.0.1:1"))
        let loader = StorageWriteLoader(client: client(service, credentials), bigQuery: bigQuery)

        XCTAssertThrowsError(try loader.insert(into: table, columns: [Column("sale_id", .string)], rows: [[.string("a")]], positions: [0]))
        {
            let error = $0 as? WarehouseError
            XCTAssertEqual(error?.code, .credentials, "\($0)")
            XCTAssertFalse($0.isTransient, "a person must act: no tries past the fresh token")
            let message = error?.message ?? ""
            XCTAssertTrue(message.contains("refused the credentials from service-account key /keys/shopstream.json"), message)
            XCTAssertTrue(message.contains("also with a freshly fetched token"), message)
        }
        XCTAssertEqual(service.authorizations, ["Bearer t1", "Bearer t2"], "one fresh token, one resend, nothing more")
    }
}

/// Where a client of a Google API sends its requests, and as whom, as the environment says: an
/// emulator's endpoint (its `<SERVICE>_EMULATOR_HOST`) means that emulator and no credentials, as
/// Google's own client libraries do; otherwise Google, with Application Default Credentials.
public struct GoogleAccess: Sendable {
    /// The emulator's endpoint, or nil for Google's.
    public let emulator: String?
    public let credentials: any AccessTokenProvider

    /// `emulator`: the client's reading of its emulator variable. Application Default Credentials
    /// that cannot be found or read throw `failure` of their `HTTPError`: the client's own error,
    /// saying whose credentials they were.
    public init(
        emulator: String?, environment: [String: String], http: HTTPClientConfiguration,
        failure: (HTTPError) -> any Error = { $0 }
    ) throws {
        self.emulator = emulator
        do {
            credentials = try emulator == nil ? GoogleCredentials.applicationDefault(environment: environment, http: http) : NoCredentials()
        } catch let error as HTTPError {
            throw failure(error)
        }
    }
}

import Foundation

/// Application Default Credentials: finds credentials the way Google's client libraries do.
public enum GoogleCredentials {
    /// Full access to Google Cloud APIs (IAM still decides what is allowed).
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    /// Read-write access to Cloud Storage only.
    public static let storageReadWriteScope = "https://www.googleapis.com/auth/devstorage.read_write"
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// In Google's order: the file named by `GOOGLE_APPLICATION_CREDENTIALS` (a service-account
    /// key, or an authorized-user file); gcloud's application-default credentials
    /// (`$CLOUDSDK_CONFIG` or `~/.config/gcloud/application_default_credentials.json`); the
    /// metadata server (`GCE_METADATA_HOST` overrides its address).
    ///
    /// Files are read now, so a bad file fails here with one sentence naming it and the fix;
    /// tokens are fetched on first use.
    public static func applicationDefault(
        scopes: [String] = [cloudPlatformScope],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClientConfiguration = HTTPClientConfiguration(),
        now: @escaping @Sendable () -> Date = Date.init
    ) throws -> any AccessTokenProvider {
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            return try fromFile(path, scopes: scopes, http: http, now: now, variable: "GOOGLE_APPLICATION_CREDENTIALS")
        }
        let gcloudConfig =
            environment["CLOUDSDK_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config/gcloud")
        let wellKnown = gcloudConfig + "/application_default_credentials.json"
        if FileManager.default.fileExists(atPath: wellKnown) {
            return try fromFile(wellKnown, scopes: scopes, http: http, now: now, variable: nil)
        }
        let host = environment["GCE_METADATA_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "metadata.google.internal"
        return try MetadataServerCredentials(host: host, http: http, now: now)
    }

    /// A credentials file of type `service_account` or `authorized_user`.
    public static func fromFile(
        _ path: String, scopes: [String] = [cloudPlatformScope], http: HTTPClientConfiguration = HTTPClientConfiguration(),
        now: @escaping @Sendable () -> Date = Date.init, variable: String? = nil
    ) throws -> any AccessTokenProvider {
        let json = try CredentialsFile.read(path, variable: variable)
        let object = try CredentialsFile.object(json, path: path)
        switch object["type"] as? String {
        case "service_account":
            return try ServiceAccountCredentials(json: json, path: path, scopes: scopes, http: http, now: now)
        case "authorized_user":
            return try AuthorizedUserCredentials(json: json, path: path, http: http, now: now)
        case let other?:
            throw CredentialsFile.error(
                path, "has type \"\(other)\", which ShopStream does not support",
                fix: "use a service-account key (`gcloud iam service-accounts keys create`) or `gcloud auth application-default login`")
        case nil:
            throw CredentialsFile.error(
                path, "has no \"type\" field, so it is not a Google credentials file", fix: CredentialsFile.newKeyAdvice)
        }
    }
}

/// Reading credentials files, with errors that name the file and the fix.
enum CredentialsFile {
    static let newKeyAdvice =
        "download a service-account key with `gcloud iam service-accounts keys create KEY.json --iam-account=NAME@PROJECT.iam.gserviceaccount.com`"

    static func error(_ path: String, _ problem: String, fix: String) -> HTTPError {
        HTTPError(.credentials, "credentials file \(path) \(problem); \(fix)")
    }

    static func read(_ path: String, variable: String?) throws -> Data {
        let origin = variable.map { " (from \($0))" } ?? ""
        let fix =
            variable.map { "point \($0) at a service-account key file, or unset it to use `gcloud auth application-default login`" }
            ?? "run `gcloud auth application-default login` again, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw HTTPError(.credentials, "credentials file \(path)\(origin) does not exist; \(fix)")
        }
        guard !isDirectory.boolValue else {
            throw HTTPError(.credentials, "credentials file \(path)\(origin) is a directory, not a JSON key file; \(fix)")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw HTTPError(
                .credentials,
                "credentials file \(path)\(origin) cannot be read (permission denied?); make it readable by this user, or \(fix)")
        }
        return data
    }

    static func object(_ json: Data, path: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw error(path, "is not JSON, so it is not a Google credentials file", fix: newKeyAdvice)
        }
        return object
    }
}

import Copenssl
import Foundation

/// Message digests by OpenSSL, for checksums that Cloud Storage understands.
public enum Digest {
    /// MD5 (what Cloud Storage reports as `md5Hash`, base64-encoded).
    public static func md5(_ data: Data) -> Data {
        digest(data, EVP_md5(), length: 16)
    }

    /// SHA-256.
    public static func sha256(_ data: Data) -> Data {
        digest(data, EVP_sha256(), length: 32)
    }

    /// The MD5 of `data`, base64-encoded as in Cloud Storage's `md5Hash`.
    public static func md5Base64(_ data: Data) -> String {
        md5(data).base64EncodedString()
    }

    private static func digest(_ data: Data, _ algorithm: OpaquePointer?, length: Int) -> Data {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var written: UInt32 = 0
        let ok = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &output, &written, algorithm, nil)
        }
        // EVP_Digest fails only when OpenSSL cannot allocate, or the algorithm is disabled
        // (MD5 under a FIPS-only configuration): nothing a caller could handle.
        precondition(ok == 1 && Int(written) == length, "OpenSSL digest failed: \(openSSLErrors())")
        return Data(output.prefix(length))
    }
}

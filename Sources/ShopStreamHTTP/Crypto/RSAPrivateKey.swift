import Copenssl
import Foundation

/// An RSA private key held by OpenSSL, for RS256 signatures. Owns its `EVP_PKEY`.
final class RSAPrivateKey {
    private let key: OpaquePointer

    /// Reads a PEM private key ("-----BEGIN PRIVATE KEY-----", PKCS#8, as Google's key files have,
    /// or "BEGIN RSA PRIVATE KEY").
    init(pem: String) throws {
        let bytes = Array(pem.utf8)
        guard let bio = bytes.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw HTTPError(.setup, "OpenSSL could not allocate a buffer: \(openSSLErrors())")
        }
        defer { BIO_free(bio) }
        // BIO_new_mem_buf does not copy: `bytes` must outlive the read.
        let parsed = withExtendedLifetime(bytes) { PEM_read_bio_PrivateKey(bio, nil, nil, nil) }
        guard let parsed else {
            throw HTTPError(.credentials, "the private key is not a readable PEM key (\(openSSLErrors()))")
        }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA else {
            EVP_PKEY_free(parsed)
            throw HTTPError(.credentials, "the private key is not an RSA key; Google service-account keys are RSA")
        }
        key = parsed
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (JWT's RS256).
    func signSHA256(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw HTTPError(.setup, "OpenSSL could not allocate a digest context: \(openSSLErrors())")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw HTTPError(.setup, "OpenSSL could not start an RS256 signature: \(openSSLErrors())")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw HTTPError(.setup, "OpenSSL could not size an RS256 signature: \(openSSLErrors())")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw HTTPError(.setup, "OpenSSL could not make an RS256 signature: \(openSSLErrors())")
        }
        return Array(signature.prefix(length))
    }
}

/// Drains OpenSSL's thread-local error queue into one string.
func openSSLErrors() -> String {
    var messages: [String] = []
    while case let code = ERR_get_error(), code != 0 {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return messages.isEmpty ? "no OpenSSL error reported" : messages.joined(separator: "; ")
}

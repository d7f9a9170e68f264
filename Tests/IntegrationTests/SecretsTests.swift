import Foundation
import TestSupport
import XCTest

/// Secrets given to ShopStream — a `-X …password=…`, a service-account key file — never appear in
/// what it prints, logs, exports as metrics or serves as a page, whatever the log level.
final class SecretsTests: XCTestCase {
    func testAKafkaSecretNeverAppearsInAnErrorALogLineAMetricOrThePage() throws {
        let dir = NSTemporaryDirectory() + "secrets-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let password = "planted-sasl-\(UUID().uuidString)", clientSecret = "planted-oidc-\(UUID().uuidString)"

        // An error that quotes the property it rejects.
        let rejected = try shopstream([
            "generate", "--brokers", "127.0.0.1:9", "-X", "sasl.oauthbearer.client.secret=\(clientSecret)", "--events", "10",
        ])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.contains("sasl.oauthbearer.client.secret=REDACTED"), rejected.stderr)
        XCTAssertFalse((rejected.stdout + rejected.stderr).contains(clientSecret), "the rejected secret is not quoted back")

        // The whole live pipeline, logging everything, with the password set (unused by the embedded broker).
        let port = freePort(), base = "http://127.0.0.1:\(port)"
        let run = try Child(
            try shopstreamBinary(),
            [
                "run", "--live", "--rate", "100", "--history", "1", "--http", "127.0.0.1:\(port)", "--log-level", "trace",
                "--log-format", "json", "-X", "sasl.password=\(password)", "-X", "sasl.username=shop",
                // The stop is not what this test is about: room for a loaded machine's drain.
                "--shutdown-timeout", "90s",
                "--lake", "file://\(dir)/lake", "--warehouse", "sqlite://\(dir)/warehouse.db",
            ], directory: dir, label: "live")
        defer { run.send(SIGKILL) }
        XCTAssertTrue(eventually(timeout: 90) { httpGet(base + "/readyz")?.status == 200 }, run.stderr)
        var served = ""
        XCTAssertTrue(
            eventually(timeout: 60) {
                served = ["/", "/metrics", "/healthz", "/readyz", "/?period=7"].map { httpGet(base + $0)?.body ?? "" }.joined()
                return served.contains("id=\"kpi-orders\"")
            }, "the page has gold to show")
        run.send(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 120), 0, run.stderr)
        let everything = run.stdout + run.stderr + served
        XCTAssertFalse(run.stderr.isEmpty, "it logged")
        XCTAssertFalse(everything.contains(password), "the SASL password appears nowhere")
    }

    func testAServiceAccountKeyNeverAppearsInAnErrorOrALogLine() throws {
        let dir = NSTemporaryDirectory() + "secrets-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let openssl = try requiredTool("openssl")
        let pemPath = dir + "/key.pem"
        let made = try runProgram(openssl, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pemPath])
        XCTAssertEqual(made.status, 0, made.stderr)
        let pem = try String(contentsOfFile: pemPath, encoding: .utf8)
        let keyID = "planted\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        // A token endpoint that turns every key down: the command fails after loading and using the key.
        let python = try requiredTool("python3"), tokenPort = freePort()
        let endpoint = try Child(
            python,
            [
                "-c",
                """
                import http.server
                class H(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        self.rfile.read(int(self.headers.get("Content-Length", 0)))
                        body = b'{"error":"invalid_grant","error_description":"Invalid JWT Signature."}'
                        self.send_response(400); self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                    def log_message(self, *args): pass
                http.server.HTTPServer(("127.0.0.1", \(tokenPort)), H).serve_forever()
                """,
            ], directory: dir, label: "token")
        defer { endpoint.send(SIGKILL) }
        let key: [String: String] = [
            "type": "service_account", "project_id": "shopstream-test", "private_key_id": keyID, "private_key": pem,
            "client_email": "lake-writer@shopstream-test.iam.gserviceaccount.com", "token_uri": "http://127.0.0.1:\(tokenPort)/token",
        ]
        let keyPath = dir + "/key.json"
        try JSONSerialization.data(withJSONObject: key).write(to: URL(fileURLWithPath: keyPath))
        var environment = ProcessInfo.processInfo.environment
        environment["GOOGLE_APPLICATION_CREDENTIALS"] = keyPath
        environment["STORAGE_EMULATOR_HOST"] = nil
        environment["BIGQUERY_EMULATOR_HOST"] = nil
        var outputs = ""
        for arguments in [
            ["lake", "ls", "--lake", "gs://planted-bucket"],
            ["warehouse", "query", "--warehouse", "bigquery://shopstream-test", "SELECT 1"],
            ["sink", "silver", "--warehouse", "bigquery://shopstream-test", "--log-level", "trace", "--idle-exit", "1s"],
        ] {
            let r = try runProgram(try shopstreamBinary(), arguments, timeout: 120, environment: environment)
            XCTAssertNotEqual(r.status, 0, "\(arguments): fails without a token")
            XCTAssertTrue(r.stderr.contains("access token"), "\(arguments) says why: \(r.stderr)")
            outputs += r.stdout + r.stderr
        }
        XCTAssertFalse(outputs.contains(keyID), "the key's id appears nowhere")
        for line in pem.split(separator: "\n") where !line.hasPrefix("-----") {
            XCTAssertFalse(outputs.contains(line), "no line of the private key appears")
        }
    }
}

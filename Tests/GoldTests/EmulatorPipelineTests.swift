import Foundation
import TestSupport
import XCTest

/// The README's "same steps, pointed at the emulators by URL": `shopstream run` with its lake
/// on fake-gcs-server and its warehouse on the BigQuery emulator, then `shopstream check`.
final class EmulatorPipelineTests: XCTestCase {
    func testTheWholePipelineRunsAgainstFakeGCSAndTheBigQueryEmulatorAndItsChecksPass() throws {
        let gcs = try requiredEnvironment("STORAGE_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST")[0]
        let bucket = "gold-run-\(UUID().uuidString.prefix(8).lowercased())"
        try createEmulatorBucket(gcs, named: bucket)
        let lake = "gs://\(bucket)", warehouse = "bigquery://run-\(UUID().uuidString.prefix(8).lowercased())"

        let run = try shopstream(["run", "--days", "3", "--lake", lake, "--warehouse", warehouse], timeout: 600)
        XCTAssertEqual(run.status, 0, run.stderr)
        assertEveryTopicLanded(run.stdout)  // fake-gcs-server and the BigQuery emulator hold what was published
        XCTAssertTrue(run.stdout.contains("gold:      full refresh: rebuilt 10 of 10 gold tables"), run.stdout)
        XCTAssertTrue(run.stdout.contains("executive summary, 2025-01-01 … 2025-01-03"), run.stdout)
        XCTAssertTrue(run.stdout.contains("stored in gs://\(bucket)/bronze/"), run.stdout)

        let check = try shopstream(["check", "--lake", lake, "--warehouse", warehouse], timeout: 300)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("81 checks: 81 passed, 0 failed, 0 warnings"), check.stdout)
    }
}

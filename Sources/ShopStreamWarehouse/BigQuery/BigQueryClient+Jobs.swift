import Foundation
import ShopStreamHTTP

extension BigQueryClient {
    /// Runs one DDL or DML statement as a query job with a client-chosen id, and waits for it.
    ///
    /// The id makes a resend safe: BigQuery answers a second insert of the same id with 409, and
    /// then the job is read (`GET /jobs/ID`) and waited for until `DONE`. Because the bqemulator
    /// runs a re-inserted id again instead of answering 409, a resend after a lost answer first
    /// asks whether the job exists. A job that finished with `status.errorResult` throws `.query`
    /// with BigQuery's message and the statement. A 409 for a job that ran different SQL throws.
    @discardableResult
    public func runJob(_ sql: String, jobId: String? = nil) throws -> BigQueryJob {
        let id = jobId ?? "shopstream_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var reference: [String: Any] = ["projectId": project, "jobId": id]
        if let location = configuration.location { reference["location"] = location }
        let body = JSONWriter.object(["jobReference": reference, "configuration": ["query": ["query": sql, "useLegacySql": false]]])
        let doing = "run job \(id)"
        var budget = RetryBudget()
        var job: [String: Any]
        while true {
            do {
                if budget.isResend, let existing = try getJob(id) {
                    job = existing
                } else {
                    job = try jobObject(send(.post, projectURL + "/jobs", json: body), doing: doing)
                }
                break
            } catch let error as HTTPError where error.status == 409 {
                guard let existing = try getJob(id) else {
                    throw WarehouseError(
                        .bigquery, "\(doing): BigQuery says the job exists (409) but it cannot be read; try again", sql: sql, http: error)
                }
                let existingSQL = ((existing["configuration"] as? [String: Any])?["query"] as? [String: Any])?["query"] as? String
                if let existingSQL, existingSQL != sql {
                    throw WarehouseError(
                        .query,
                        "job id \(id) was already used for a different statement (\(existingSQL.statementPreview)); choose a new job id",
                        sql: sql, http: error)
                }
                job = existing
                break
            } catch let error as HTTPError {
                guard try shouldRetry(error, &budget, doing: doing) else {
                    if error.status == 400 && error.code != .credentials {
                        throw queryError(message: error.googleMessage ?? error.message, reason: error.googleReason, sql: sql, http: error)
                    }
                    throw warehouseError(error, doing: doing, attempts: budget.attempt, quotaWaits: budget.quotaWaitsUsed, sql: sql)
                }
            }
        }

        let deadline = ContinuousClock.now + configuration.jobTimeout
        var poll = 0
        while Self.state(job) != "DONE" {
            guard ContinuousClock.now < deadline else {
                throw WarehouseError(
                    .query,
                    "job \(id) did not finish within \(configuration.jobTimeout) (state \(Self.state(job) ?? "unknown")); it may still be running in BigQuery",
                    sql: sql)
            }
            guard wait(.milliseconds(min(2000, 100 << min(poll, 5)))) else {
                throw WarehouseError(
                    .stopped,
                    "stopped while waiting for job \(id) to finish (state \(Self.state(job) ?? "unknown")); it may still be running in BigQuery",
                    sql: sql)
            }
            poll += 1
            guard let next = try getJob(id) else {
                throw WarehouseError(.bigquery, "job \(id) disappeared while it was being waited for", sql: sql)
            }
            job = next
        }
        let status = job["status"] as? [String: Any]
        if let result = status?["errorResult"] as? [String: Any] {
            throw queryError(
                message: result["message"] as? String ?? "the job failed", reason: result["reason"] as? String, sql: sql, http: nil)
        }
        let statistics = (job["statistics"] as? [String: Any])?["query"] as? [String: Any]
        let affected = (statistics?["numDmlAffectedRows"] as? String).flatMap { Int64($0) }
        return BigQueryJob(jobId: id, statementType: statistics?["statementType"] as? String, affectedRows: affected)
    }

    /// The job's resource, or nil when it does not exist.
    private func getJob(_ id: String) throws -> [String: Any]? {
        do {
            let response = try withRetries(doing: "get job \(id)") {
                try send(.get, projectURL + "/jobs/" + PercentEncoding.encode(id) + locationQuery("?"))
            }
            return try jobObject(response, doing: "get job \(id)")
        } catch let error as WarehouseError where error.http?.status == 404 {
            return nil
        }
    }

    private func jobObject(_ response: HTTPResponse, doing: String) throws -> [String: Any] {
        guard let object = JSONReader.object(response.body) else {
            throw WarehouseError(.bigquery, "\(doing): the answer is not JSON")
        }
        return object
    }

    private static func state(_ job: [String: Any]) -> String? {
        (job["status"] as? [String: Any])?["state"] as? String
    }
}

import Foundation
import ShopStreamHTTP

extension BigQueryClient {
    /// Streams rows with `tabledata.insertAll` (`skipInvalidRows: false`,
    /// `ignoreUnknownValues: false`, each row's `insertId`), in requests of at most
    /// `maxRowsPerRequest` rows and `maxBytesPerRequest` bytes. Returns the rows that are not in
    /// the table; the rest are in.
    ///
    /// Per-row `insertErrors`: `stopped` rows (clean rows held back because another row of the
    /// request was invalid) are resent at once, as they are; `invalid` rows are returned, never
    /// resent; rows with a transient reason (`backendError`, `rateLimitExceeded`,
    /// `internalError`, `timeout`) are resent with backoff and returned as retryable if they
    /// still fail. A whole request that fails transiently is retried the same way and then
    /// returned as retryable failures; `quotaExceeded` waits long first. A row larger than a
    /// request can be is returned as `invalid`. Throws for what a person must fix: no such
    /// table, no permission, bad credentials, quota still exceeded after the waits.
    ///
    /// The values are sent as given; `BigQueryWarehouse.insert` checks them against the table
    /// first.
    public func insertAll(into table: TableName, rows: [WarehouseRow]) throws -> [RowFailure] {
        try insertAll(into: table, rows: rows, positions: Array(rows.indices))
    }

    /// `insertAll(into:rows:)` where row `i` is called `positions[i]` in failures and messages
    /// (its place among the rows the caller was given).
    func insertAll(into table: TableName, rows: [WarehouseRow], positions: [Int]) throws -> [RowFailure] {
        try Identifier.validate(table)
        var failures: [RowFailure] = []
        var batch: [PendingRow] = []
        var batchBytes = 0
        // Room for the envelope around the rows.
        let limit = configuration.maxBytesPerRequest - 128
        for (row, index) in zip(rows, positions) {
            let json = JSONWriter.insertRow(row)
            guard json.count + 1 <= limit else {
                failures.append(
                    RowFailure(
                        index: index, reason: "invalid",
                        message:
                            "\(table) row \(index) (insertId \(row.insertId)) is \(json.count) bytes as JSON, more than one insertAll request may carry (\(configuration.maxBytesPerRequest) bytes); shorten its values",
                        retryable: false))
                continue
            }
            if !batch.isEmpty && (batch.count >= configuration.maxRowsPerRequest || batchBytes + json.count + 1 > limit) {
                failures += try sendInsert(batch, into: table)
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
            batch.append(PendingRow(index: index, insertId: row.insertId, json: json))
            batchBytes += json.count + 1
        }
        if !batch.isEmpty { failures += try sendInsert(batch, into: table) }
        return failures.sorted { $0.index < $1.index }
    }

    struct PendingRow {
        var index: Int
        var insertId: String
        var json: [UInt8]
    }

    static func insertBody(_ rows: [PendingRow]) -> Data {
        var writer = JSONWriter(capacity: rows.reduce(96) { $0 + $1.json.count + 1 })
        writer.raw("{\"skipInvalidRows\":false,\"ignoreUnknownValues\":false,\"rows\":[")
        for (position, row) in rows.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.raw(row.json)
        }
        writer.raw("]}")
        return Data(writer.bytes)
    }

    /// Sends one request's rows until each is in or has failed for good.
    private func sendInsert(_ rows: [PendingRow], into table: TableName) throws -> [RowFailure] {
        let url = tableURL(table) + "/insertAll"
        let doing = "insert into \(table)"
        var pending = rows
        var failures: [RowFailure] = []
        var budget = RetryBudget()
        var resends = 0
        while !pending.isEmpty {
            let response: HTTPResponse
            do {
                response = try send(.post, url, json: Self.insertBody(pending))
            } catch let error as HTTPError {
                if error.status == 404 {
                    throw WarehouseError(
                        .notFound,
                        "\(doing): table \(table) does not exist in project \(project) (\(error.googleMessage ?? "HTTP 404")); create it first (shopstream warehouse init)",
                        http: error)
                }
                if error.status == 413 || isPermanent(error) {
                    // Too large for the server, or the emulator's answer to an invalid row: halve
                    // until the culprits stand alone.
                    if pending.count > 1 {
                        let half = pending.count / 2
                        return failures + (try sendInsert(Array(pending[..<half]), into: table))
                            + (try sendInsert(Array(pending[half...]), into: table))
                    }
                    let row = pending[0]
                    let why =
                        error.status == 413
                        ? "the server refused this row alone as too large (HTTP 413); shorten its values"
                        : "the BigQuery emulator refused this row with HTTP 500 (\(error.googleMessage ?? "internal error")), which is how it answers a row that does not fit the table's schema; check its values against the columns"
                    return failures + [
                        RowFailure(
                            index: row.index, reason: "invalid", message: "\(table) row \(row.index) (insertId \(row.insertId)): \(why)",
                            retryable: false)
                    ]
                }
                if try shouldRetry(error, &budget, doing: doing) { continue }
                switch Self.disposition(of: error) {
                case .retry:
                    let reason = error.googleReason ?? error.status.map { "HTTP \($0)" } ?? "\(error.code)"
                    return failures
                        + pending.map {
                            RowFailure(
                                index: $0.index, reason: error.googleReason ?? "backendError",
                                message:
                                    "\(table) row \($0.index) (insertId \($0.insertId)): not inserted after \(budget.attempt) attempts (\(reason): \(error.googleMessage ?? error.message)); send it again later",
                                retryable: true)
                        }
                default:
                    throw warehouseError(error, doing: doing, attempts: budget.attempt, quotaWaits: budget.quotaWaitsUsed)
                }
            }

            let rowErrors = try Self.insertErrors(response.body, table: table)
            if rowErrors.isEmpty { return failures }
            var resend: [PendingRow] = []
            var later: [PendingRow] = []
            var laterReason: [Int: RowError] = [:]
            for (position, row) in pending.enumerated() {
                guard let errors = rowErrors[position], !errors.isEmpty else { continue }
                if errors.allSatisfy({ $0.reason == "stopped" }) {
                    resend.append(row)
                } else if let bad = errors.first(where: { !RowFailure.retryableReasons.contains($0.reason) && $0.reason != "stopped" }) {
                    failures.append(
                        RowFailure(
                            index: row.index, reason: bad.reason,
                            message:
                                "\(table) row \(row.index) (insertId \(row.insertId)): \(bad.message)\(bad.location.map { " (column \($0))" } ?? "")",
                            retryable: false, location: bad.location))
                } else {
                    later.append(row)
                    laterReason[row.index] = errors.first { $0.reason != "stopped" }
                }
            }
            // Rows the answer did not mention went in.
            if !later.isEmpty {
                if budget.attempt >= configuration.retry.maxAttempts {
                    failures += later.map { row in
                        let error = laterReason[row.index]
                        return RowFailure(
                            index: row.index, reason: error?.reason ?? "backendError",
                            message:
                                "\(table) row \(row.index) (insertId \(row.insertId)): not inserted after \(budget.attempt) attempts (\(error?.message ?? "transient error")); send it again later",
                            retryable: true, location: error?.location)
                    }
                    later = []
                } else {
                    let first = later.first.flatMap { laterReason[$0.index] }
                    try self.resend(
                        &budget, reason: first?.reason ?? "backendError", doing: doing,
                        cause: "\(later.count) row\(later.count == 1 ? "" : "s") not inserted (\(first?.message ?? "transient error"))")
                }
            }
            resends += 1
            if resends > 20 {
                // Cannot happen with BigQuery (once the bad rows are out, the rest goes in);
                // bounded so a misbehaving server cannot loop us forever.
                return failures
                    + (resend + later).map {
                        RowFailure(
                            index: $0.index, reason: "stopped",
                            message:
                                "\(table) row \($0.index) (insertId \($0.insertId)): BigQuery kept answering `stopped`; send it again later",
                            retryable: true)
                    }
            }
            pending = (resend + later).sorted { $0.index < $1.index }
        }
        return failures
    }

    struct RowError {
        var reason: String
        var message: String
        var location: String?
    }

    /// `insertErrors` by position in the request.
    static func insertErrors(_ body: Data, table: TableName) throws -> [Int: [RowError]] {
        guard let object = JSONReader.object(body) else {
            throw WarehouseError(
                .bigquery, "insert into \(table): the answer is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        var result: [Int: [RowError]] = [:]
        for entry in object["insertErrors"] as? [[String: Any]] ?? [] {
            let index = (entry["index"] as? NSNumber)?.intValue ?? Int(entry["index"] as? String ?? "") ?? -1
            let errors = (entry["errors"] as? [[String: Any]] ?? []).map {
                RowError(
                    reason: $0["reason"] as? String ?? "invalid", message: $0["message"] as? String ?? "no message",
                    location: ($0["location"] as? String).flatMap { $0.isEmpty ? nil : $0 })
            }
            result[index, default: []] += errors.isEmpty ? [RowError(reason: "invalid", message: "no detail given", location: nil)] : errors
        }
        return result
    }
}

import Foundation
import ShopStreamHTTP

extension BigQueryClient {
    /// Runs one GoogleSQL query with `jobs.query` (`useLegacySql: false`, a `requestId` UUID that
    /// makes a resend safe, `formatOptions.useInt64Timestamp`), polls `GET /queries/JOB` until
    /// `jobComplete`, follows `pageToken` through every page, and returns the rows as canonical
    /// text (see `QueryResult`). A failed query throws `.query` with BigQuery's message and the SQL.
    public func query(_ sql: String) throws -> QueryResult {
        var rows: [[String?]] = []
        let columns = try query(sql) { rows.append($0) }
        return QueryResult(columns: columns, rows: rows)
    }

    /// The same, handing each row to `eachRow` as its page arrives (one page held at a time);
    /// returns the column names.
    public func query(_ sql: String, eachRow: ([String?]) throws -> Void) throws -> [String] {
        var body: [String: Any] = [
            "query": sql, "useLegacySql": false, "timeoutMs": 10_000, "requestId": UUID().uuidString.lowercased(),
            "formatOptions": ["useInt64Timestamp": true],
        ]
        if let pageSize = configuration.pageSize { body["maxResults"] = pageSize }
        if let location = configuration.location { body["location"] = location }
        let deadline = ContinuousClock.now + configuration.jobTimeout
        let doing = "run the query"
        var page = try queryCall(doing: doing, sql: sql) { try send(.post, projectURL + "/queries", json: JSONWriter.object(body)) }
        let jobId = ((page["jobReference"] as? [String: Any])?["jobId"] as? String) ?? ""
        let jobLocation = ((page["jobReference"] as? [String: Any])?["location"] as? String) ?? configuration.location

        func resultsURL(pageToken: String?) -> String {
            var url = projectURL + "/queries/" + PercentEncoding.encode(jobId) + "?timeoutMs=10000&formatOptions.useInt64Timestamp=true"
            if let pageSize = configuration.pageSize { url += "&maxResults=\(pageSize)" }
            if let jobLocation { url += "&location=" + PercentEncoding.encode(jobLocation) }
            if let pageToken { url += "&pageToken=" + PercentEncoding.encode(pageToken) }
            return url
        }

        var poll = 0
        while page["jobComplete"] as? Bool == false {
            guard ContinuousClock.now < deadline else {
                throw WarehouseError(
                    .query,
                    "the query (job \(jobId)) did not finish within \(configuration.jobTimeout); simplify it or raise the job timeout",
                    sql: sql)
            }
            // The server holds each poll up to timeoutMs; pause briefly only if it answers at once.
            if poll > 0, !wait(.milliseconds(min(1000, 50 << min(poll, 5)))) {
                throw WarehouseError(
                    .stopped, "stopped while waiting for the query (job \(jobId)) to finish; it may still be running in BigQuery", sql: sql)
            }
            poll += 1
            page = try queryCall(doing: doing, sql: sql) { try send(.get, resultsURL(pageToken: nil)) }
        }

        let fields = ((page["schema"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
        let columns = fields.map { $0["name"] as? String ?? "" }
        let types = fields.map { ($0["type"] as? String ?? "").uppercased() }
        var seenTokens: Set<String> = []
        while true {
            for row in page["rows"] as? [[String: Any]] ?? [] {
                let cells = row["f"] as? [[String: Any]] ?? []
                try eachRow(
                    cells.enumerated().map { position, cell in
                        Self.canonical(cell["v"], type: position < types.count ? types[position] : "")
                    })
            }
            guard let token = page["pageToken"] as? String, !token.isEmpty, seenTokens.insert(token).inserted else { break }
            page = try queryCall(doing: doing + " (next page)", sql: sql) { try send(.get, resultsURL(pageToken: token)) }
        }
        return columns
    }

    /// One query request with retries, its answer as JSON; errors in the answer (the emulator
    /// reports a failed query as HTTP 200 with `errors`) are thrown as `.query`.
    private func queryCall(doing: String, sql: String, _ send: () throws -> HTTPResponse) throws -> [String: Any] {
        let response: HTTPResponse
        do {
            response = try withRetries(doing: doing, send)
        } catch let error as WarehouseError
            where error.http != nil && [400, 404].contains(error.http?.status ?? 0) && error.http?.code != .credentials
        {
            throw queryError(message: error.http?.googleMessage ?? error.message, reason: error.reason, sql: sql, http: error.http)
        }
        guard let object = JSONReader.object(response.body) else {
            throw WarehouseError(.bigquery, "\(doing): the answer is not JSON", sql: sql)
        }
        if object["jobComplete"] as? Bool != false, let errors = object["errors"] as? [[String: Any]], let first = errors.first,
            (object["rows"] as? [Any] ?? []).isEmpty
        {
            throw queryError(message: first["message"] as? String ?? "failed", reason: first["reason"] as? String, sql: sql, http: nil)
        }
        return object
    }

    func queryError(message: String, reason: String?, sql: String, http: HTTPError?) -> WarehouseError {
        let advice: String
        switch reason {
        case "notFound"?: advice = "; create the table or dataset first, or check its name"
        case "invalidQuery"?: advice = "; fix the SQL"
        default: advice = ""
        }
        return WarehouseError(
            .query, "BigQuery refused the query: \(message)\(reason.map { " (\($0))" } ?? "")\(advice); in: \(sql.statementPreview)",
            sql: sql, reason: reason, http: http)
    }

    /// A result cell as canonical `QueryResult` text, by the column's BigQuery type.
    static func canonical(_ value: Any?, type: String) -> String? {
        guard let value, let text = JSONReader.text(value) else { return nil }
        switch type {
        case "TIMESTAMP": return TimestampText.fromBigQuery(text) ?? text
        case "NUMERIC", "BIGNUMERIC": return DecimalText(text)?.text ?? text
        case "FLOAT", "FLOAT64": return FloatText.parse(text).map(FloatText.canonical) ?? text
        case "BOOL", "BOOLEAN": return text.lowercased()
        default: return text
        }
    }
}

import Foundation
import ShopStreamHTTP

extension BigQueryClient {
    /// Creates the dataset (in the configured location) unless it exists. True when this call created it.
    @discardableResult
    public func createDataset(_ dataset: String) throws -> Bool {
        try Identifier.validateDataset(dataset)
        var body: [String: Any] = ["datasetReference": ["projectId": project, "datasetId": dataset]]
        if let location = configuration.location { body["location"] = location }
        do {
            _ = try withRetries(doing: "create dataset \(dataset)") {
                try send(.post, projectURL + "/datasets", json: JSONWriter.object(body))
            }
            return true
        } catch let error as WarehouseError where error.http?.status == 409 {
            return false
        }
    }

    /// Whether the dataset exists.
    public func datasetExists(_ dataset: String) throws -> Bool {
        try Identifier.validateDataset(dataset)
        do {
            _ = try withRetries(doing: "get dataset \(dataset)") {
                try send(.get, projectURL + "/datasets/" + PercentEncoding.encode(dataset))
            }
            return true
        } catch let error as WarehouseError where error.http?.status == 404 {
            return false
        }
    }

    /// Creates the table with its schema, daily partitioning and clustering. True when this call
    /// created it, false when it existed (whatever its schema: compare with `table(_:)`).
    @discardableResult
    public func createTable(_ definition: TableDefinition) throws -> Bool {
        let name = definition.name
        try Identifier.validate(name)
        var body: [String: Any] = [
            "tableReference": ["projectId": project, "datasetId": name.dataset, "tableId": name.table],
            "schema": [
                "fields": definition.columns.map {
                    ["name": $0.name, "type": $0.type.rawValue, "mode": $0.nullable ? "NULLABLE" : "REQUIRED"]
                }
            ],
        ]
        if let field = definition.partitionField { body["timePartitioning"] = ["type": "DAY", "field": field] }
        if !definition.clustering.isEmpty { body["clustering"] = ["fields": definition.clustering] }
        do {
            _ = try withRetries(doing: "create table \(name)") {
                try send(.post, projectURL + "/datasets/" + PercentEncoding.encode(name.dataset) + "/tables", json: JSONWriter.object(body))
            }
            return true
        } catch let error as WarehouseError where error.http?.status == 409 {
            return false
        } catch let error as WarehouseError {
            // BigQuery answers 404 for a missing dataset, the emulator 500: ask which it is.
            if error.http?.status == 404 || ((try? datasetExists(name.dataset)) == false) {
                throw WarehouseError(
                    .notFound,
                    "cannot create table \(name): dataset \(name.dataset) does not exist in project \(project); create the dataset first",
                    http: error.http)
            }
            throw error
        }
    }

    /// The table's schema, partitioning and clustering, or nil when there is no such table or dataset.
    public func table(_ name: TableName) throws -> TableDefinition? {
        try Identifier.validate(name)
        let response: HTTPResponse
        do {
            response = try withRetries(doing: "get table \(name)") { try send(.get, tableURL(name)) }
        } catch let error as WarehouseError where error.http?.status == 404 {
            return nil
        }
        guard let object = JSONReader.object(response.body) else {
            throw WarehouseError(.bigquery, "get table \(name): the answer is not JSON")
        }
        let fields = ((object["schema"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
        var columns: [Column] = []
        for field in fields {
            let column = field["name"] as? String ?? "?"
            let typeName = field["type"] as? String ?? "?"
            let mode = (field["mode"] as? String ?? "NULLABLE").uppercased()
            guard let type = ColumnType(bigQueryType: typeName), mode != "REPEATED" else {
                throw WarehouseError(
                    .unsupported,
                    "\(name) column \(column) is \(mode == "REPEATED" ? "REPEATED " : "")\(typeName), which ShopStream's tables do not use; use one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            columns.append(Column(column, type, nullable: mode != "REQUIRED"))
        }
        let partitioning = object["timePartitioning"] as? [String: Any]
        let clustering = (object["clustering"] as? [String: Any])?["fields"] as? [String] ?? []
        return TableDefinition(name: name, columns: columns, partitionField: partitioning?["field"] as? String, clustering: clustering)
    }
}

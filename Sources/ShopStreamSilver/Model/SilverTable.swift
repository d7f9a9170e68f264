import ShopStreamCore
import ShopStreamWarehouse

/// One silver table: its columns in order, and how BigQuery lays it out.
public struct SilverTable: Sendable, Hashable {
    public let name: TableName
    /// Data columns in schema order (the `required` fields as listed, then the
    /// optional ones by name), then the metadata columns.
    public let columns: [Column]
    /// The column the table is partitioned by, one partition per day: a DATE
    /// column as is, a TIMESTAMP column by its UTC date (BigQuery's
    /// `timePartitioning {type: DAY, field}`); nil when not partitioned.
    public let partitionBy: String?
    /// Clustering columns, most selective filter first (at most four).
    public let clusterBy: [String]

    public init(name: TableName, columns: [Column], partitionBy: String?, clusterBy: [String]) {
        self.name = name
        self.columns = columns
        self.partitionBy = partitionBy
        self.clusterBy = clusterBy
    }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// The `PARTITION BY` expression of the DDL: `sale_date`, or `DATE(event_time)`.
    public var partitionExpression: String? {
        guard let partitionBy else { return nil }
        return column(partitionBy)?.type == .timestamp ? "DATE(\(partitionBy))" : partitionBy
    }
}

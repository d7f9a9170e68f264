/// A BigQuery table as `tables.insert` creates it and `tables.get` describes it.
public struct TableDefinition: Hashable, Sendable {
    public var name: TableName
    public var columns: [Column]
    /// The DATE or TIMESTAMP column of daily partitions (`timePartitioning {type: DAY, field}`).
    public var partitionField: String?
    /// Up to four columns to cluster by, most filtered first.
    public var clustering: [String]

    public init(name: TableName, columns: [Column], partitionField: String? = nil, clustering: [String] = []) {
        self.name = name
        self.columns = columns
        self.partitionField = partitionField
        self.clustering = clustering
    }
}

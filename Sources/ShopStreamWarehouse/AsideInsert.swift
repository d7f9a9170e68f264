/// An `INSERT INTO table (columns) query` whose query a warehouse may run on another connection
/// while a transaction runs on its own (`ComputesAside`), inserting the rows it returns into
/// `table` inside that transaction.
public struct AsideInsert: Sendable, Equatable {
    public let table: TableName
    public let columns: [String]
    /// A SELECT (or WITH … SELECT) giving `columns`, in order. It must not read what the
    /// transaction writes: it sees the committed state, not the transaction's.
    public let query: String

    public init(table: TableName, columns: [String], query: String) {
        self.table = table
        self.columns = columns
        self.query = query
    }
}

/// A warehouse that can run queries beside a transaction of its own on another connection: the
/// embedded SQLite warehouse, whose one connection would otherwise run them one after another on
/// one core.
public protocol ComputesAside: Warehouse {
    /// As `executeTransaction(sql + then)` with every `aside` statement between them, all or
    /// nothing, except that the asides' queries run on another connection while `sql` runs:
    /// their rows are inserted after `sql`, then `then` runs, then the transaction commits.
    func executeTransaction(_ sql: String, aside: [AsideInsert], then: String) throws
}

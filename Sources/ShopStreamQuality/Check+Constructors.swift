import ShopStreamSilver
import ShopStreamWarehouse

/// The generic checks, as dbt has them, plus ShopStream's freshness and reconciliation. Each
/// returns a `Check` to append to a `CheckSuite`:
///
/// ```swift
/// var suite = try CheckSuite.standard(catalog: catalog)
/// suite.append(.unique(table: TableName("gold", "daily_sales"), columns: ["business_date", "store_id"]))
/// suite.append(.notNull(table: TableName("gold", "daily_sales"), columns: ["business_date", "revenue"]))
/// ```
extension Check {
    /// `unique(gold.daily_sales.(business_date, store_id))`: each combination of `columns`
    /// occurs at most once. Offending rows: each repeated key with its number of occurrences.
    /// Keys with a NULL part are left to `notNull`, as dbt does.
    public static func unique(table: TableName, columns: [String], severity: Severity = .error) -> Check {
        precondition(!columns.isEmpty, "unique(\(table)): name at least one column")
        return Check(
            name: "unique(\(table).\(columnList(columns)))", kind: .unique,
            expectation: "each \(columnList(columns)) occurs at most once in \(table)", severity: severity,
            sql: CheckSQL { sql in
                let cols = columns.map(sql.identifier)
                return """
                    SELECT \(cols.joined(separator: ", ")), COUNT(*) AS occurrences
                    FROM \(sql.table(table))
                    WHERE \(cols.map { "\($0) IS NOT NULL" }.joined(separator: " AND "))
                    GROUP BY \(cols.joined(separator: ", "))
                    HAVING COUNT(*) > 1
                    """
            })
    }

    /// `not_null(silver.sales_dedup.(event_id, sale_id))`: none of `columns` is NULL. Offending
    /// rows: the `identifiedBy` columns (to find the row) and `columns` of each row with a NULL.
    public static func notNull(table: TableName, columns: [String], identifiedBy: [String] = [], severity: Severity = .error) -> Check {
        precondition(!columns.isEmpty, "not_null(\(table)): name at least one column")
        let shown = unique(identifiedBy + columns)
        return Check(
            name: "not_null(\(table).\(columnList(columns)))", kind: .notNull,
            expectation: "\(columnList(columns)) \(columns.count == 1 ? "is" : "are") never NULL in \(table)", severity: severity,
            sql: CheckSQL { sql in
                """
                SELECT \(shown.map(sql.identifier).joined(separator: ", "))
                FROM \(sql.table(table))
                WHERE \(columns.map { "\(sql.identifier($0)) IS NULL" }.joined(separator: " OR "))
                """
            })
    }

    /// `relationships(silver.sales_dedup.customer_id → silver.customers_current.customer_id)`:
    /// every non-NULL `column` of `table` is a `parentColumn` of `parent`. Offending rows: the
    /// `identifiedBy` columns and the dangling reference.
    public static func relationship(
        from table: TableName, column: String, identifiedBy: [String] = [], to parent: TableName, column parentColumn: String,
        severity: Severity = .error
    ) -> Check {
        let shown = unique(identifiedBy + [column])
        return Check(
            name: "relationships(\(table).\(column) → \(parent).\(parentColumn))", kind: .relationships,
            expectation: "every \(column) of \(table) is a \(parentColumn) of \(parent)", severity: severity,
            sql: CheckSQL { sql in
                """
                SELECT \(shown.map { "\(sql.column($0, of: "child")) AS \(sql.identifier($0))" }.joined(separator: ", "))
                FROM \(sql.table(table)) AS child
                LEFT JOIN \(sql.table(parent)) AS parent ON \(sql.column(column, of: "child")) = \(sql.column(parentColumn, of: "parent"))
                WHERE \(sql.column(column, of: "child")) IS NOT NULL AND \(sql.column(parentColumn, of: "parent")) IS NULL
                """
            })
    }

    /// `accepted_values(silver.payments_dedup.status)`: `column` holds only `values` (and NULL
    /// when `allowNull`). Offending rows: each other value with its number of occurrences.
    public static func acceptedValues(
        table: TableName, column: String, values: [String], allowNull: Bool = true, severity: Severity = .error
    ) -> Check {
        Check(
            name: "accepted_values(\(table).\(column))", kind: .acceptedValues,
            expectation: "\(column) of \(table) is one of \(values.joined(separator: ", "))\(allowNull ? " or NULL" : "")",
            severity: severity,
            sql: CheckSQL { sql in
                let c = sql.identifier(column)
                // NULL NOT IN (…) is NULL, not true: NULLs need their own test either way.
                let outside = values.isEmpty ? "TRUE" : "\(c) NOT IN (\(values.map(sql.string).joined(separator: ", ")))"
                let condition = allowNull ? "\(c) IS NOT NULL AND \(outside)" : "\(c) IS NULL OR \(outside)"
                return """
                    SELECT \(c), COUNT(*) AS occurrences
                    FROM \(sql.table(table))
                    WHERE \(condition)
                    GROUP BY \(c)
                    """
            })
    }

    /// `freshness(silver.sales)`: the newest `column` (a UTC TIMESTAMP, `_ingested_at` by
    /// default) of `table` is at most `maxAge` old, by the warehouse's clock. An empty table fails.
    public static func freshness(
        table: TableName, column: String = "_ingested_at", maxAge: Duration, severity: Severity = .error
    ) -> Check {
        Check(
            name: "freshness(\(table))", kind: .freshness,
            expectation: "\(table) has a row with \(column) within the last \(DurationText.short(maxAge))", severity: severity,
            sql: CheckSQL { sql in
                """
                SELECT latest, age_seconds
                FROM (
                  SELECT MAX(\(sql.identifier(column))) AS latest, \(sql.secondsSince("MAX(\(sql.identifier(column)))")) AS age_seconds
                  FROM \(sql.table(table))
                ) AS newest
                WHERE latest IS NULL OR age_seconds > \(sql.seconds(maxAge))
                """
            },
            explain: { offending in
                guard let row = offending.rows.first, let latest = row["latest"] ?? nil else {
                    return
                        "\(table) has no rows, so nothing was \(column == "_ingested_at" ? "ingested" : "recorded") within \(DurationText.short(maxAge))"
                }
                let age = (row["age_seconds"] ?? nil).flatMap(Int64.init).map { DurationText.short(.seconds($0)) } ?? "?"
                return "newest \(column) \(latest) is \(age) old; allowed \(DurationText.short(maxAge))"
            })
    }

    /// `freshness(gold._state)`: gold keeps up with silver. The newest `column` of `silver`
    /// (`_ingested_at` of `silver.sales`) is at most `maxLag` later than the newest
    /// `compacted_at` the compactor recorded in `state`. A missing `state` table is a warning
    /// (gold was never compacted); a `state` without a compaction while silver has rows fails.
    public static func compactionLag(
        silver: TableName, column: String = "_ingested_at", state: TableName, compactedAt: String = "compacted_at",
        maxLag: Duration, severity: Severity = .error
    ) -> Check {
        Check(
            name: "freshness(\(state))", kind: .freshness,
            expectation: "\(state) records a compaction at most \(DurationText.short(maxLag)) before the newest \(column) of \(silver)",
            severity: severity,
            requires: [
                Requirement(
                    table: state, whenMissing: "gold never compacted; run shopstream compact (there is no table \(state))", severity: .warn)
            ],
            sql: CheckSQL { sql in
                """
                SELECT latest_ingested_at, latest_compacted_at, lag_seconds
                FROM (
                  SELECT s.latest AS latest_ingested_at, g.latest AS latest_compacted_at,
                    \(sql.secondsBetween("s.latest", "g.latest")) AS lag_seconds
                  FROM (SELECT MAX(\(sql.identifier(column))) AS latest FROM \(sql.table(silver))) AS s
                  CROSS JOIN (SELECT MAX(\(sql.identifier(compactedAt))) AS latest FROM \(sql.table(state))) AS g
                ) AS lag
                WHERE latest_ingested_at IS NOT NULL AND (latest_compacted_at IS NULL OR lag_seconds > \(sql.seconds(maxLag)))
                """
            },
            explain: { offending in
                let row = offending.rows.first ?? [:]
                let ingested = (row["latest_ingested_at"] ?? nil) ?? "?"
                guard let compacted = row["latest_compacted_at"] ?? nil else {
                    return "gold is stale: \(state) records no compaction, but \(silver) has rows up to \(ingested); run shopstream compact"
                }
                let lag = (row["lag_seconds"] ?? nil).flatMap(Int64.init).map { DurationText.short(.seconds($0)) } ?? "?"
                return
                    "gold is stale: \(silver) has rows ingested \(lag) after the last compaction in \(state) (\(compacted), newest \(column) \(ingested)); allowed \(DurationText.short(maxLag)); run shopstream compact"
            })
    }

    /// `reconcile(shop.sales: lake = silver + rejects)`: every event of `topic` in the lake
    /// (`lakeEvents`, counted beforehand) is in `table` or in `rejects`, once. Silver is counted by
    /// distinct source message (`_source_message_id`: Kafka's `<partition>:<offset>`, Pub/Sub's
    /// message id), which a re-sent insert or a redelivery repeats, and rejects by distinct
    /// `source_message_id` of the topic. With
    /// `kafkaRecords` (high minus low watermark, summed over partitions) the lake must also hold
    /// exactly what Kafka holds: `reconcile(shop.sales: kafka = lake = silver + rejects)`.
    public static func reconcile(
        topic: String, table: TableName, rejects: TableName, lakeEvents: Int, kafkaRecords: Int? = nil, severity: Severity = .error
    ) -> Check {
        let equation = kafkaRecords == nil ? "lake = silver + rejects" : "kafka = lake = silver + rejects"
        return Check(
            name: "reconcile(\(topic): \(equation))", kind: .reconcile,
            expectation:
                "\(kafkaRecords == nil ? "" : "each record of \(topic) on Kafka is one event in the lake, and ")each event of \(topic) in the lake is one row of \(table) or one reject in \(rejects)",
            severity: severity,
            sql: CheckSQL { sql in
                let lake = sql.integer(lakeEvents)
                let messageId = sql.identifier(SilverSchema.messageIdColumn)
                let kafkaColumn = kafkaRecords.map { "\(sql.integer($0)) AS kafka_records, " } ?? ""
                let kafkaCondition = kafkaRecords.map { " OR \(sql.integer($0)) <> \(lake)" } ?? ""
                return """
                    SELECT \(kafkaColumn)\(lake) AS lake_events, s.n AS silver_records, r.n AS rejected_records
                    FROM (SELECT COUNT(*) AS n FROM (SELECT DISTINCT \(messageId) FROM \(sql.table(table))) AS d) AS s
                    CROSS JOIN (
                      SELECT COUNT(*) AS n
                      FROM (SELECT DISTINCT source_message_id FROM \(sql.table(rejects)) WHERE source_topic = \(sql.string(topic))) AS d
                    ) AS r
                    WHERE \(lake) <> s.n + r.n\(kafkaCondition)
                    """
            },
            explain: { offending in
                let row = offending.rows.first ?? [:]
                func number(_ column: String) -> Int? { (row[column] ?? nil).flatMap { Int($0) } }
                guard let lake = number("lake_events"), let silver = number("silver_records"), let rejected = number("rejected_records")
                else {
                    return offending.described
                }
                var sentences: [String] = []
                if let kafka = number("kafka_records"), kafka != lake {
                    sentences.append(
                        "kafka \(kafka) ≠ lake \(lake): the lake has \(Difference.text(lake - kafka, unit: "event")) than Kafka's records")
                }
                let landed = silver + rejected
                if lake != landed {
                    sentences.append(
                        "lake \(lake) ≠ silver \(silver) + rejects \(rejected) = \(landed): silver and rejects have \(Difference.text(landed - lake, unit: "record")) than the lake"
                    )
                }
                return sentences.joined(separator: "; ")
            })
    }

    // MARK: Helpers

    /// `sale_id`, or `(store_id, product_id)`.
    static func columnList(_ columns: [String]) -> String {
        columns.count == 1 ? columns[0] : "(" + columns.joined(separator: ", ") + ")"
    }

    /// The names in order, each once.
    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// "1 more", "3 fewer".
enum Difference {
    static func text(_ difference: Int, unit: String) -> String {
        let n = abs(difference)
        return "\(n) \(unit)\(n == 1 ? "" : "s") \(difference > 0 ? "more" : "fewer")"
    }
}

/// Durations as people write them: `1h`, `15m`, `2h 5m`, `45s`, `500ms`.
enum DurationText {
    static func short(_ duration: Duration) -> String {
        let totalMs = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if totalMs < 0 { return "-" + short(.milliseconds(-totalMs)) }
        if totalMs < 1000 { return totalMs == 0 ? "0s" : "\(totalMs)ms" }
        var seconds = totalMs / 1000
        let days = seconds / 86_400; seconds %= 86_400
        let hours = seconds / 3600; seconds %= 3600
        let minutes = seconds / 60; seconds %= 60
        let parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")].filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }
        return parts.prefix(2).joined(separator: " ")
    }
}

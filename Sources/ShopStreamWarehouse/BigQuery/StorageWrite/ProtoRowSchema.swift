/// A table's columns as the protocol buffer message the Storage Write API takes rows in: the
/// `DescriptorProto` sent as the writer schema, and each row encoded as that message.
///
/// Built from the same `[Column]` the warehouse reads from the table (which `sql/` created), so
/// the schema has one source. Field `k + 1` is column `k`, named as the column, every field
/// `optional` (a NULL is an absent field). Encodings, as BigQuery documents them for proto rows:
/// STRING as `string`; INT64 as `int64`; NUMERIC as `string` holding the decimal; FLOAT64 as
/// `double`; BOOL as `bool`; DATE as `int32` days since 1970-01-01; TIMESTAMP as `int64`
/// microseconds since the epoch.
struct ProtoRowSchema: Sendable {
    let columns: [Column]
    /// The serialized `google.protobuf.DescriptorProto`.
    let descriptor: [UInt8]

    init(messageName: String, columns: [Column]) {
        self.columns = columns
        var d = ProtoWriter()
        // google/protobuf/descriptor.proto: DescriptorProto { name = 1; field = 2 }.
        d.string(1, messageName)
        for (k, column) in columns.enumerated() {
            // FieldDescriptorProto { name = 1; number = 3; label = 4; type = 5 }.
            d.message(2) { f in
                f.string(1, column.name)
                f.int(3, Int64(k + 1))
                f.int(4, 1)  // LABEL_OPTIONAL
                f.int(5, Self.protoType(column.type))
            }
        }
        descriptor = d.bytes
    }

    /// FieldDescriptorProto.Type of each column type.
    static func protoType(_ type: ColumnType) -> Int64 {
        switch type {
        case .string, .numeric: return 9  // TYPE_STRING
        case .int64, .timestamp: return 3  // TYPE_INT64
        case .float64: return 1  // TYPE_DOUBLE
        case .bool: return 8  // TYPE_BOOL
        case .date: return 5  // TYPE_INT32
        }
    }

    /// One row, its values in column order as `RowChecker` made them canonical (nil: NULL).
    /// Nil when a DATE or TIMESTAMP text cannot be read (the checker lets none through).
    func encode(_ values: [WarehouseValue?]) -> [UInt8]? {
        var w = ProtoWriter(capacity: 256)
        for (k, value) in values.enumerated() {
            guard let value else { continue }
            let field = k + 1
            switch value {
            case .null: continue
            case .string(let s), .numeric(let s): w.string(field, s)
            case .int64(let i): w.int(field, i)
            case .float64(let d): w.double(field, d)
            case .bool(let b): w.bool(field, b)
            case .date(let text):
                guard let days = DateText.days(text) else { return nil }
                w.int(field, Int64(days))
            case .timestamp(let text):
                guard let micros = TimestampText.microseconds(parsing: text) else { return nil }
                w.int(field, micros)
            }
        }
        return w.bytes
    }
}

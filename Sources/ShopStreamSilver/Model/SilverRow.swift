import Foundation
import ShopStreamCore
import ShopStreamWarehouse

/// Rows for the silver tables: an accepted event with its Kafka coordinates,
/// or a rejected record for `silver.rejects`.
public enum SilverRow {
    /// `<topic>:<partition>:<offset>`: the same record always gets the same id,
    /// so a resend after a crash is recognisable.
    public static func insertId(topic: String, partition: Int32, offset: Int64) -> String {
        topic + ":" + String(partition) + ":" + String(offset)
    }

    /// The row of `silver.<entity>` for a validated event read at these coordinates.
    public static func make(
        entity: Entity, event: ValidatedEvent, topic: String, partition: Int32, offset: Int64,
        ingestedAt: Date
    ) -> WarehouseRow {
        make(
            entity: entity, event: event, topic: topic, partition: partition, offset: offset, ingestedAt: ingestedAt,
            insertId: insertId(topic: topic, partition: partition, offset: offset))
    }

    /// The same, with the insert id the caller already made from these coordinates.
    public static func make(
        entity: Entity, event: ValidatedEvent, topic: String, partition: Int32, offset: Int64,
        ingestedAt: Date, insertId id: String
    ) -> WarehouseRow {
        precondition(event.entity == entity, "a \(event.entity.rawValue) event cannot become a silver.\(entity.rawValue) row")
        // In the layout's order: the event's data columns, then the metadata columns.
        var values = event.ordered
        values.reserveCapacity(event.layout.names.count)
        values.append(.string(topic))
        values.append(.int64(Int64(partition)))
        values.append(.int64(offset))
        values.append(.string(id))
        values.append(.timestamp(timestamp(ingestedAt)))
        return WarehouseRow(insertId: id, layout: event.layout, ordered: values)
    }

    /// The row of `silver.rejects` for a refused record: the original bytes as
    /// text when they are UTF-8, else base64.
    public static func reject(
        topic: String, partition: Int32, offset: Int64, payload: [UInt8],
        reason: String, field: String?, rejectedAt: Date
    ) -> WarehouseRow {
        let id = insertId(topic: topic, partition: partition, offset: offset)
        let (text, encoding) = payloadText(payload)
        return WarehouseRow(
            insertId: id,
            values: [
                "source_topic": .string(topic),
                "source_partition": .int64(Int64(partition)),
                "source_offset": .int64(offset),
                "reason": .string(reason),
                "field": field.map { .string($0) } ?? .null,
                "payload": .string(text),
                "payload_encoding": .string(encoding),
                "rejected_at": .timestamp(timestamp(rejectedAt)),
                SilverSchema.insertIdColumn: .string(id),
            ])
    }

    /// `reject(…)` with the rejection's reason and field.
    public static func reject(
        topic: String, partition: Int32, offset: Int64, payload: [UInt8],
        rejection: Rejection, rejectedAt: Date
    ) -> WarehouseRow {
        reject(
            topic: topic, partition: partition, offset: offset, payload: payload,
            reason: rejection.reason, field: rejection.field, rejectedAt: rejectedAt)
    }

    /// The bytes as UTF-8 text (`utf-8`), or base64 (`base64`) when they are not UTF-8;
    /// the encodings of the dead-letter schema's `payload_encoding`.
    public static func payloadText(_ payload: [UInt8]) -> (text: String, encoding: String) {
        if let s = String(validating: payload, as: UTF8.self) { return (s, "utf-8") }
        return (Data(payload).base64EncodedString(), "base64")
    }

    /// A wall-clock time as a TIMESTAMP value, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public static func timestamp(_ date: Date) -> String {
        CivilTime.timestampText(utcMicros: SanityRules.micros(date))
    }
}

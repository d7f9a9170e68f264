import Foundation
import ShopStreamCore
import ShopStreamWarehouse

/// Rows for the silver tables: an accepted event with its source coordinates,
/// or a rejected message for `silver.rejects`.
public enum SilverRow {
    /// `<topic>:<partition>:<offset>`: the same record always gets the same id,
    /// so a resend after a crash is recognisable (`SourceCoordinates.insertId`).
    public static func insertId(topic: String, partition: Int32, offset: Int64) -> String {
        SourceCoordinates.kafka(topic: topic, partition: partition, offset: offset).insertId
    }

    /// The row of `silver.<entity>` for a validated event read at these Kafka coordinates.
    public static func make(
        entity: Entity, event: ValidatedEvent, topic: String, partition: Int32, offset: Int64,
        ingestedAt: Date
    ) -> WarehouseRow {
        let source = SourceCoordinates.kafka(topic: topic, partition: partition, offset: offset)
        return make(entity: entity, event: event, source: source, ingestedAt: ingestedAt, insertId: source.insertId)
    }

    /// The row of `silver.<entity>` for a validated event from `source`, with the insert id the
    /// caller already made of it (`source.insertId`).
    public static func make(
        entity: Entity, event: ValidatedEvent, source: SourceCoordinates, ingestedAt: Date, insertId id: String
    ) -> WarehouseRow {
        make(entity: entity, event: event, source: source, ingestedAt: timestamp(ingestedAt), insertId: id)
    }

    /// `make(…)` with the ingestion time already written as silver's TIMESTAMP text
    /// (`timestamp(_:)`): the sink writes it once for a burst of messages read together.
    /// Given the last copy of `event`, the row is built in the event's own array (the validator
    /// leaves room for the metadata columns): no copy of its values.
    public static func make(
        entity: Entity, event: consuming ValidatedEvent, source: SourceCoordinates, ingestedAt: String, insertId id: String
    ) -> WarehouseRow {
        precondition(event.entity == entity, "a \(event.entity.rawValue) event cannot become a silver.\(entity.rawValue) row")
        let layout = event.layout
        // In the layout's order: the event's data columns, then the metadata columns.
        var values = (consume event).ordered
        values.reserveCapacity(layout.names.count)
        appendSource(source, to: &values)
        values.append(.string(id))
        values.append(.timestamp(ingestedAt))
        return WarehouseRow(insertId: id, layout: layout, ordered: values)
    }

    /// The `_source_*` values, in `SilverSchema.metadataColumns` order.
    private static func appendSource(_ s: SourceCoordinates, to values: inout [WarehouseValue]) {
        values.append(.string(s.topic))
        values.append(s.partition.map { .int64(Int64($0)) } ?? .null)
        values.append(s.offset.map { .int64($0) } ?? .null)
        values.append(.string(s.messageId))
        values.append(s.publishTimeMs.map { .timestamp(SilverRow.timestamp(milliseconds: $0)) } ?? .null)
        values.append(s.deliveryAttempt.map { .int64(Int64($0)) } ?? .null)
    }

    /// The row of `silver.rejects` for a refused message: the original bytes as
    /// text when they are UTF-8, else base64.
    public static func reject(
        source: SourceCoordinates, payload: [UInt8], reason: String, field: String?, rejectedAt: Date
    ) -> WarehouseRow {
        let id = source.insertId
        let (text, encoding) = payloadText(payload)
        return WarehouseRow(
            insertId: id,
            values: [
                "source_topic": .string(source.topic),
                "source_partition": source.partition.map { .int64(Int64($0)) } ?? .null,
                "source_offset": source.offset.map { .int64($0) } ?? .null,
                "source_message_id": .string(source.messageId),
                "source_publish_time": source.publishTimeMs.map { .timestamp(SilverRow.timestamp(milliseconds: $0)) } ?? .null,
                "source_delivery_attempt": source.deliveryAttempt.map { .int64(Int64($0)) } ?? .null,
                "reason": .string(reason),
                "field": field.map { .string($0) } ?? .null,
                "payload": .string(text),
                "payload_encoding": .string(encoding),
                "rejected_at": .timestamp(timestamp(rejectedAt)),
                SilverSchema.insertIdColumn: .string(id),
            ])
    }

    /// `reject(…)` of a Kafka record, with the rejection's reason and field.
    public static func reject(
        topic: String, partition: Int32, offset: Int64, payload: [UInt8],
        rejection: Rejection, rejectedAt: Date
    ) -> WarehouseRow {
        reject(
            source: .kafka(topic: topic, partition: partition, offset: offset), payload: payload,
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

    /// Milliseconds since the epoch as a TIMESTAMP value.
    public static func timestamp(milliseconds: Int64) -> String {
        CivilTime.timestampText(utcMicros: milliseconds * 1000)
    }
}

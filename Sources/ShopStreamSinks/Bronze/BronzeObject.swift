import Foundation
import ShopStreamCore
import ShopStreamHTTP
import ShopStreamLake

/// One record as the bronze sink keeps it until stored.
struct BronzeRecord: Sendable {
    var offset: Int64
    var timestampMs: Int64?
    var value: [UInt8]
}

/// A closed batch of one partition: consecutive records, one object.
struct BronzeBatch: Sendable {
    var topic: String
    var partition: Int32
    var dt: String
    var records: [BronzeRecord]

    var firstOffset: Int64 { records.first!.offset }
    var lastOffset: Int64 { records.last!.offset }
    /// The records' values, in bytes: what the batch costs the sink's buffer bound.
    var valueBytes: Int { records.reduce(0) { $0 + $1.value.count } }
}

/// Names, lines and metadata of bronze objects: the on-lake format.
public enum BronzeFormat {
    /// `bronze/<entity>/dt=<dt>/<topic>+<partition>+<first offset, 20 digits>.jsonl[.gz]`,
    /// after Kafka Connect's storage sinks: the name says which records it holds.
    public static func objectName(topic: String, partition: Int32, firstOffset: Int64, dt: String, gzip: Bool) -> String {
        name(topic: topic, fields: "\(partition)+\(zeroPadded(firstOffset, to: 20))", dt: dt, gzip: gzip)
    }

    /// `bronze/<entity>/dt=<dt>/<topic>+<fields>.jsonl[.gz]`: the shape every bronze name has.
    static func name(topic: String, fields: String, dt: String, gzip: Bool) -> String {
        let entity = Entity(topic: topic)?.rawValue ?? topic
        return "bronze/\(entity)/dt=\(dt)/\(topic)+\(fields).jsonl\(gzip ? ".gz" : "")"
    }

    /// `value` in decimal, zero-padded to `width` digits, so names sort as their numbers do.
    static func zeroPadded(_ value: Int64, to width: Int) -> String {
        let digits = String(max(0, value))
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// The Kafka coordinates a bronze object name carries.
    public struct ParsedName: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var firstOffset: Int64
        public var dt: String
        public var gzip: Bool
    }

    public static func parse(_ name: String) -> ParsedName? {
        guard let (dt, coords, gzip) = nameParts(name), let p = Int32(coords[1]), let o = Int64(coords[2]) else { return nil }
        return ParsedName(topic: String(coords[0]), partition: p, firstOffset: o, dt: dt, gzip: gzip)
    }

    /// `bronze/<entity>/dt=<dt>/<a>+<b>+<c>.jsonl[.gz]`: the date, the three `+` fields (none
    /// empty) and whether it is gzip; nil for any other shape. Both buses name objects so.
    static func nameParts(_ name: String) -> (dt: String, fields: [Substring], gzip: Bool)? {
        let parts = name.split(separator: "/")
        guard parts.count == 4, parts[0] == "bronze", parts[2].hasPrefix("dt=") else { return nil }
        var file = Substring(parts[3])
        let gzip = file.hasSuffix(".jsonl.gz")
        guard gzip || file.hasSuffix(".jsonl") else { return nil }
        file = file.dropLast(gzip ? 9 : 6)
        let fields = file.split(separator: "+", omittingEmptySubsequences: false)
        guard fields.count == 3, !fields.contains(where: \.isEmpty) else { return nil }
        return (String(parts[2].dropFirst(3)), fields, gzip)
    }

    /// The UTC calendar date of a record timestamp, as `YYYY-MM-DD`.
    public static func utcDate(milliseconds ms: Int64) -> String {
        CivilCalendar.utcDateText(milliseconds: ms)
    }

    /// `utcDate` for a stream of timestamps that mostly stay within a day: the date of the last
    /// day seen is kept, so only a timestamp on another day builds a string (one per event was
    /// 2 % of the bronze sink's CPU).
    struct UTCDateCache {
        private var start: Int64 = 1
        private var end: Int64 = 0
        private var text = ""

        mutating func date(milliseconds ms: Int64) -> String {
            if ms < start || ms >= end {
                start = CivilCalendar.utcDay(milliseconds: ms) * 86_400_000
                end = start + 86_400_000
                text = BronzeFormat.utcDate(milliseconds: ms)
            }
            return text
        }
    }

    /// The object's bytes: one line per record, the record as published when it is
    /// single-line UTF-8 JSON, else an envelope that keeps its bytes in base64.
    static func encode(_ batch: BronzeBatch, gzip: Bool) throws -> (bytes: Data, unparsed: Int) {
        try encode(batch.records.map(\.value), topic: batch.topic, gzip: gzip) { i in
            "\"partition\":\(batch.partition),\"offset\":\(batch.records[i].offset)"
        }
    }

    /// One line per value; `coordinates(i)` is the JSON members that say where value `i` came
    /// from, for the envelope of a value that is not single-line UTF-8 JSON.
    static func encode(_ values: [[UInt8]], topic: String, gzip: Bool, coordinates: (Int) -> String) throws -> (
        bytes: Data, unparsed: Int
    ) {
        var out = [UInt8]()
        out.reserveCapacity(values.reduce(0) { $0 + $1.count + 1 })
        var unparsed = 0
        for (i, value) in values.enumerated() {
            if JSONLine.isValid(value) {
                out.append(contentsOf: value)
            } else {
                unparsed += 1
                out.append(contentsOf: Array(#"{"_shopstream_unparsed":{"topic":"#.utf8))
                out.append(contentsOf: Array(JSONText.quoted(topic).utf8))
                out.append(contentsOf: Array(",\(coordinates(i)),\"reason\":\"not single-line UTF-8 JSON\",\"value_base64\":\"".utf8))
                out.append(contentsOf: Array(Data(value).base64EncodedString().utf8))
                out.append(contentsOf: Array("\"}}".utf8))
            }
            out.append(0x0A)
        }
        let plain = Data(out)
        return (gzip ? try Gzip.compress(plain) : plain, unparsed)
    }

    /// Custom metadata stored with the object; `lake verify` reads it. The CRC-32C is the one
    /// the lake is given too (`checksums`), so the bytes are checksummed once.
    static func metadata(_ batch: BronzeBatch, checksums: ObjectChecksums, gzip: Bool) -> [String: String] {
        [
            "topic": batch.topic,
            "partition": String(batch.partition),
            "first_offset": String(batch.firstOffset),
            "last_offset": String(batch.lastOffset),
            "count": String(batch.records.count),
            "crc32c": checksums.crc32c,
            "format": gzip ? "jsonl+gzip" : "jsonl",
        ]
    }

    /// Decompresses an object's bytes when its name says gzip.
    public static func plainBytes(_ bytes: Data, name: String) throws -> Data {
        name.hasSuffix(".gz") ? try Gzip.decompress(bytes) : bytes
    }
}

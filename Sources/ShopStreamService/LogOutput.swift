import Foundation
import Logging
import ShopStreamCore
import Synchronization

/// How log lines look: `text` for a person at a terminal, `json` (one object per line) for a log collector.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// ShopStream's swift-log handler: one line per event on stderr (stdout stays data), with the
/// component (the logger's label without `shopstream.`), the message and its metadata, every
/// registered secret replaced by `REDACTED` (`Secrets`).
public struct LogOutput: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let format: LogFormat
    let component: String

    /// Sets swift-log's handler for the whole process (once; later calls are ignored by swift-log's contract,
    /// so call it first thing in a command).
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in LogOutput(label: label, format: format, level: level) }
    }

    public init(label: String, format: LogFormat, level: Logger.Level) {
        self.format = format
        logLevel = level
        component = label.hasPrefix("shopstream.") ? String(label.dropFirst("shopstream.".count)) : label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        if let error = event.error { all["error"] = .string("\(error)") }
        let line: String
        switch format {
        case .text: line = Self.text(level: event.level, component: component, message: "\(event.message)", metadata: all)
        case .json: line = Self.json(level: event.level, component: component, message: "\(event.message)", metadata: all)
        }
        Self.write(Secrets.redact(line) + "\n")
    }

    static func text(level: Logger.Level, component: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(Self.clock()) \(level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(component): \(message)"
        if !metadata.isEmpty {
            line += "  " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        return line
    }

    static func json(level: Logger.Level, component: String, message: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [
            ("time", quoted(Self.timestamp())), ("level", quoted(level.rawValue)), ("component", quoted(component)),
            ("message", quoted(message)),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !["time", "level", "component", "message"].contains(key) {
            fields.append((key, jsonValue(value)))
        }
        return "{" + fields.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return quoted(s)
        case .stringConvertible(let c):
            let s = c.description
            // Numbers stay numbers; anything else is text.
            if c is any BinaryInteger || c is Double, Double(s) != nil { return s }
            return quoted(s)
        case .array(let a): return "[" + a.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(jsonValue($0.value))" }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String { JSONText.quoted(s) }

    private static let lock = Mutex<Void>(())

    private static func write(_ line: String) {
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func clock(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&t, &parts)
        let ms = Int(date.timeIntervalSince1970 * 1000) % 1000
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, ms)
    }
}

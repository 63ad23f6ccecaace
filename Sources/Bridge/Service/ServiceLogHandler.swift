import Foundation
import Logging
import Synchronization

/// How the service writes its log on stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-27T16:01:02Z info door=Front result=granted: decision`
    case human
    /// One JSON object per line, for journald/Loki and `keyway log --follow --json`.
    case json
}

/// A swift-log handler that writes each record once, formatted, to stderr and to the live log feed.
public struct ServiceLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat
    private let feed: LogFeed

    public init(label: String, format: LogFormat, feed: LogFeed) {
        self.label = label
        self.format = format
        self.feed = feed
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let time = Date()
        // The feed always carries JSON, so followers can render it as they like.
        let json = Self.json(time: time, level: event.level, label: label, message: "\(event.message)", metadata: merged)
        feed.publish(json)
        let line = format == .json ? json : Data(((Self.humanLine(fromJSON: json) ?? "") + "\n").utf8)
        // A log that cannot be written (a full disk under a file, a closed pipe) loses the line, never the service:
        // FileHandle's throwing-less write traps on EFBIG or EPIPE.
        Self.standardError.withLock { _ in try? FileHandle.standardError.write(contentsOf: line) }
    }

    private static let standardError = Mutex(())

    static func json(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> Data {
        var object: [String: Any] = metadata.mapValues(plain)
        object["time"] = time.formatted(.iso8601)
        object["level"] = level.rawValue
        object["message"] = message
        object["logger"] = label
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return data + Data("\n".utf8)
    }

    private static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    /// A human line from a JSON line of the feed (what `keyway log --follow` prints).
    public static func humanLine(fromJSON line: Data) -> String? {
        guard var object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              let time = object.removeValue(forKey: "time") as? String,
              let level = object.removeValue(forKey: "level") as? String,
              let message = object.removeValue(forKey: "message") as? String
        else { return nil }
        object.removeValue(forKey: "logger")
        let fields = object.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(time) \(level) \(message)\(fields.isEmpty ? "" : " \(fields)")"
    }
}

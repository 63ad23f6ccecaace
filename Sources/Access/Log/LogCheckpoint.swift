import Crypto
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A statement signed with the site's Ed25519 key: "at this time the log had this many rows and this head".
/// Kept away from the database (a file, the service log, later webhooks), it lets `keyway log verify` detect a
/// truncated tail or a rewritten log, which the chain alone cannot: whoever can delete rows can delete the last ones.
public struct LogCheckpoint: Sendable, Hashable, Codable {
    public let sequence: Int64
    /// The hash of row `sequence`, hex.
    public let head: String
    /// Where the keyed chain starts, so moving that start is caught too.
    public let keyedFrom: Int64
    public let atMilliseconds: Int64
    /// Ed25519 over `signedText`, base64url.
    public let signature: String

    static let version = "kwcp1"

    var signedText: String { Self.signedText(sequence, head, keyedFrom, atMilliseconds) }
    public var at: Date { Date(timeIntervalSince1970: Double(atMilliseconds) / 1000) }
    var atDescription: String { at.formatted(.iso8601) }

    private static func signedText(_ sequence: Int64, _ head: String, _ keyedFrom: Int64, _ atMilliseconds: Int64) -> String {
        "\(version).\(sequence).\(head).\(keyedFrom).\(atMilliseconds)"
    }

    private init(sequence: Int64, head: String, keyedFrom: Int64, atMilliseconds: Int64, signature: String) {
        self.sequence = sequence
        self.head = head
        self.keyedFrom = keyedFrom
        self.atMilliseconds = atMilliseconds
        self.signature = signature
    }

    static func signed(sequence: Int64, head: String, keyedFrom: Int64, at date: Date,
                       with key: Curve25519.Signing.PrivateKey) throws -> LogCheckpoint {
        let atMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let text = signedText(sequence, head, keyedFrom, atMilliseconds)
        return LogCheckpoint(sequence: sequence, head: head, keyedFrom: keyedFrom, atMilliseconds: atMilliseconds,
                             signature: Base64URL.encode(try key.signature(for: Data(text.utf8))))
    }

    func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard let bytes = Base64URL.decode(signature) else { return false }
        return key.isValidSignature(bytes, for: Data(signedText.utf8))
    }

    enum CodingKeys: String, CodingKey {
        case sequence = "seq", head, keyedFrom = "keyed_from", atMilliseconds = "at_ms", signature, at
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decode(Int64.self, forKey: .sequence)
        head = try container.decode(String.self, forKey: .head)
        keyedFrom = try container.decode(Int64.self, forKey: .keyedFrom)
        atMilliseconds = try container.decode(Int64.self, forKey: .atMilliseconds)
        signature = try container.decode(String.self, forKey: .signature)
    }

    /// One JSON object; `at` is for people reading the file (the signature covers `at_ms`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(head, forKey: .head)
        try container.encode(keyedFrom, forKey: .keyedFrom)
        try container.encode(atMilliseconds, forKey: .atMilliseconds)
        try container.encode(atDescription, forKey: .at)
        try container.encode(signature, forKey: .signature)
    }
}

/// Somewhere a checkpoint leaves the database for: a file, the service log, a webhook.
public protocol LogCheckpointSink: Sendable {
    /// For messages: where it went (`file /var/lib/keyway/keyway.checkpoints`).
    var name: String { get }
    func publish(_ checkpoint: LogCheckpoint) throws
}

/// Checkpoints appended as JSON lines to a file (by default `keyway.checkpoints` beside the database), synced
/// before returning. Copy it off the box, or give a copy to `keyway log verify --checkpoints`.
public struct LogCheckpointFile: LogCheckpointSink {
    public let url: URL
    public var name: String { "file \(url.path)" }

    public init(url: URL) { self.url = url }

    /// `keyway.db` → `keyway.checkpoints`.
    public static func defaultLocation(forDatabase database: URL) -> URL {
        database.deletingPathExtension().appendingPathExtension("checkpoints")
    }

    public func publish(_ checkpoint: LogCheckpoint) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = try encoder.encode(checkpoint) + Data("\n".utf8)
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw AccessError.invalid("checkpoint file \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw AccessError.invalid("checkpoint file \(url.path): could not append (\(String(cString: strerror(errno))))")
        }
    }

    /// Every checkpoint in the file, oldest first; a line that is not one is an error naming it.
    public func read() throws -> [LogCheckpoint] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw AccessError.notFound(what: "checkpoint file", url.path)
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).enumerated().map { index, line in
            do {
                return try decoder.decode(LogCheckpoint.self, from: Data(line))
            } catch {
                throw AccessError.invalid("checkpoint file \(url.path), line \(index + 1): not a checkpoint")
            }
        }
    }
}

/// Checkpoints as lines of the service log, which journald and syslog carry off the box.
public struct LogCheckpointServiceLog: LogCheckpointSink {
    let logger: Logger
    public var name: String { "service log" }

    public init(logger: Logger) { self.logger = logger }

    public func publish(_ checkpoint: LogCheckpoint) throws {
        logger.notice("activity log checkpoint", metadata: [
            "seq": "\(checkpoint.sequence)", "head": "\(checkpoint.head)", "keyed_from": "\(checkpoint.keyedFrom)",
            "at_ms": "\(checkpoint.atMilliseconds)", "signature": "\(checkpoint.signature)",
        ])
    }
}

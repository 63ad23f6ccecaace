import Crypto
import Foundation
import GRDB

// MARK: - Messages: a share link or passcode sent to its recipient, queued in the credential's own transaction

extension Schema {
    /// The message outbox, beside the webhook outbox and delivered by the same dispatcher: a row exists only if its
    /// credential committed, and stays until the relay or gateway took it (then its sealed text is wiped), so a
    /// restart loses nothing. The text holds the link or code, so it is sealed (`AccessStore.sealMessage`).
    static let messagesSchema = """
        CREATE TABLE message_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, recipient_masked TEXT NOT NULL,
            credential_id TEXT NOT NULL, sealed BLOB NOT NULL, created_ms INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0, last_attempt_ms INTEGER,
            last_error TEXT, sent_ms INTEGER, dropped_ms INTEGER);
        CREATE INDEX message_outbox_pending ON message_outbox(next_attempt_ms, id) WHERE sent_ms IS NULL AND dropped_ms IS NULL;
        """
}

/// How a message reaches its recipient.
public enum MessageChannel: String, Sendable, Hashable, Codable, CaseIterable {
    case email
    case sms

    /// The channel a recipient's address calls for: an e-mail address or a phone number (`+` and 6 to 15 digits).
    public static func of(_ recipient: String) -> MessageChannel? {
        if MessageRecipient.isEmail(recipient) { return .email }
        if MessageRecipient.isPhone(recipient) { return .sms }
        return nil
    }
}

/// Recipients as the log and the API show them: enough to recognise, not enough to harvest.
public enum MessageRecipient {
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && text.utf8.count <= 254 && !text.contains { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" || $0 == "," }
    }

    static func isPhone(_ text: String) -> Bool {
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return (6...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A recipient as typed, with a phone number's spaces, dashes, dots and brackets taken out (people type
    /// `+44 7700 900123`; a gateway wants `+447700900123`); anything else is kept as it is.
    public static func normalized(_ text: String) -> String {
        let compact = text.filter { !" -.()\u{A0}".contains($0) }
        return compact != text && isPhone(compact) ? compact : text
    }

    /// `g***@example.org`, `+44*******89`.
    public static func masked(_ text: String) -> String {
        if isEmail(text), let at = text.firstIndex(of: "@") {
            return String(text[text.startIndex]) + "***" + text[at...]
        }
        let plus = text.hasPrefix("+") ? "+" : ""
        let digits = Array(text.dropFirst(plus.count))
        guard digits.count > 4 else { return String(repeating: "*", count: digits.count) }
        return plus + String(digits.prefix(2)) + String(repeating: "*", count: digits.count - 4) + String(digits.suffix(2))
    }
}

/// A message to send once the credential it carries exists: `compose` writes it around the link or code, which is
/// made inside the credential's transaction and never stored in the clear.
public struct MessageRequest: Sendable {
    public let channel: MessageChannel
    public let to: String
    public let compose: @Sendable (_ secret: String) -> MessageText

    public init(channel: MessageChannel, to: String, compose: @escaping @Sendable (_ secret: String) -> MessageText) {
        self.channel = channel
        self.to = to
        self.compose = compose
    }
}

/// What a message says (an SMS has no subject: its gateway sends `text` only).
public struct MessageText: Sendable, Hashable, Codable {
    public let subject: String
    public let text: String

    public init(subject: String, text: String) {
        self.subject = subject
        self.text = text
    }
}

/// The next message due: everything needed to send it.
public struct DueMessage: Sendable {
    public let id: Int64
    public let channel: MessageChannel
    public let to: String
    public let toMasked: String
    public let credentialID: String
    public let message: MessageText
    public let attempts: Int
    /// The credential was revoked or ended meanwhile: the message is dropped, not sent.
    public let stale: Bool
}

/// One outbox row as listed: never its text or full recipient.
public struct QueuedMessage: Sendable, Hashable, Codable {
    public let id: Int64
    public let channel: String
    public let toMasked: String
    public let credentialID: String
    public let attempts: Int
    public let lastError: String?
    public let sent: Date?
    public let dropped: Date?
}

extension AccessStore {
    /// Messages handed to the sender at once; the rest wait for the next round.
    static let messagesPerRound = 20

    /// Queues `request` for the credential just made, in its transaction (`db`).
    func queueMessage(_ request: MessageRequest, credentialID: String, secret: String, at date: Date, _ db: Database) throws {
        guard MessageChannel.of(request.to) == request.channel else {
            throw AccessError.invalid("'\(request.to.prefix(60))' is not an address for \(request.channel.rawValue)")
        }
        let sealed = try sealMessage(SealedMessage(to: request.to, message: request.compose(secret)), credentialID: credentialID)
        try db.execute(sql: """
            INSERT INTO message_outbox (channel, recipient_masked, credential_id, sealed, created_ms) VALUES (?, ?, ?, ?, ?)
            """, arguments: [request.channel.rawValue, MessageRecipient.masked(request.to), credentialID, sealed, Self.milliseconds(date)])
    }

    /// Messages due to be sent (their wait after a failure is over), oldest first.
    public func dueMessages(at date: Date) throws -> [DueMessage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, m.channel, m.recipient_masked, m.credential_id, m.sealed, m.attempts,
                       c.revoked_at IS NOT NULL OR coalesce(c.valid_until <= ?, 0) OR c.id IS NULL AS stale
                FROM message_outbox m LEFT JOIN credential c ON c.id = m.credential_id
                WHERE m.sent_ms IS NULL AND m.dropped_ms IS NULL AND m.next_attempt_ms <= ?
                ORDER BY m.next_attempt_ms, m.id LIMIT ?
                """, arguments: [date.timeIntervalSince1970, Self.milliseconds(date), Self.messagesPerRound]).map { row in
                let credentialID: String = row["credential_id"]
                guard let channel = MessageChannel(rawValue: row["channel"]) else {
                    throw AccessError.corrupt("message \(row["id"] as Int64) has an unknown channel")
                }
                let opened = try openMessage(row["sealed"], credentialID: credentialID)
                return DueMessage(id: row["id"], channel: channel, to: opened.to, toMasked: row["recipient_masked"], credentialID: credentialID,
                                  message: opened.message, attempts: row["attempts"], stale: row["stale"])
            }
        }
    }

    /// The relay or gateway took it: done, its text wiped, and logged with the recipient masked.
    public func markMessageSent(_ message: DueMessage, via: String, at date: Date) throws {
        try change { db in
            try db.execute(sql: """
                UPDATE message_outbox SET sent_ms = ?, last_attempt_ms = ?, last_error = NULL, attempts = attempts + 1, sealed = x'' WHERE id = ?
                """, arguments: [Self.milliseconds(date), Self.milliseconds(date), message.id])
            try log.append(ActivityDraft(at: date, kind: .message, event: "sent", credentialID: message.credentialID,
                                         detail: "\(message.channel.rawValue) to \(message.toMasked) via \(via)", actor: "keyway"), in: db)
        }
    }

    /// An attempt failed: the message waits until `retryAt`. The first failure is logged (the outbox keeps the latest).
    public func markMessageFailed(_ message: DueMessage, error: String, retryAt: Date, at date: Date) throws {
        try change { db in
            try db.execute(sql: """
                UPDATE message_outbox SET attempts = attempts + 1, last_attempt_ms = ?, last_error = ?, next_attempt_ms = ? WHERE id = ?
                """, arguments: [Self.milliseconds(date), String(error.prefix(300)), Self.milliseconds(retryAt), message.id])
            if message.attempts == 0 {
                try log.append(ActivityDraft(at: date, kind: .message, event: "failed", credentialID: message.credentialID,
                                             detail: "\(message.channel.rawValue) to \(message.toMasked): \(error.prefix(200)); retrying",
                                             actor: "keyway"), in: db)
            }
        }
    }

    /// Its credential was revoked or ended before it went out: it is not sent, and its text is wiped.
    public func dropMessage(_ message: DueMessage, at date: Date) throws {
        try change { db in
            try db.execute(sql: "UPDATE message_outbox SET dropped_ms = ?, sealed = x'' WHERE id = ?",
                           arguments: [Self.milliseconds(date), message.id])
            try log.append(ActivityDraft(at: date, kind: .message, event: "dropped", credentialID: message.credentialID,
                                         detail: "\(message.channel.rawValue) to \(message.toMasked): the credential ended before it was sent",
                                         actor: "keyway"), in: db)
        }
    }

    /// Outbox rows, newest first.
    public func messages(limit: Int = 100) throws -> [QueuedMessage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_outbox ORDER BY id DESC LIMIT ?", arguments: [max(1, min(limit, 10_000))]).map { row in
                QueuedMessage(id: row["id"], channel: row["channel"], toMasked: row["recipient_masked"], credentialID: row["credential_id"],
                              attempts: row["attempts"], lastError: row["last_error"], sent: Self.date(milliseconds: row["sent_ms"]),
                              dropped: Self.date(milliseconds: row["dropped_ms"]))
            }
        }
    }

    // MARK: Sealing

    private struct SealedMessage: Codable {
        let to: String
        let message: MessageText
    }

    /// A message carries a link or code, and a database copy (a backup, a support bundle) must not reveal it: it is
    /// sealed (AES-GCM) with a key derived from the site's secret file, bound to its credential.
    private var messageKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: secrets.codeKey, info: Data("keyway message outbox v1".utf8), outputByteCount: 32)
    }

    private func sealMessage(_ message: SealedMessage, credentialID: String) throws -> Data {
        guard let sealed = try AES.GCM.seal(try JSONEncoder().encode(message), using: messageKey,
                                            authenticating: Data(credentialID.utf8)).combined else {
            throw AccessError.corrupt("could not seal a message")
        }
        return sealed
    }

    private func openMessage(_ sealed: Data, credentialID: String) throws -> SealedMessage {
        do {
            let opened = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: messageKey, authenticating: Data(credentialID.utf8))
            return try JSONDecoder().decode(SealedMessage.self, from: opened)
        } catch {
            throw AccessError.corrupt("the message for \(credentialID) does not open with this site's secrets")
        }
    }
}

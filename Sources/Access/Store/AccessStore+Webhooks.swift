import Crypto
import Foundation
import GRDB

// MARK: - Webhooks: subscriptions, and an outbox written in the same transaction as the activity row

extension Schema {
    /// A trigger on `activity` fills the outbox: an event exists only if its row committed, and every committed row
    /// that a subscription asks for is in the outbox, whoever wrote it (the service, the CLI). Rows stay until a
    /// receiver answers 2xx (then `delivered_ms` is set), so a restart loses nothing.
    static var webhooksSchema: String {
        """
        CREATE TABLE webhook_subscription (
            id TEXT PRIMARY KEY, url TEXT NOT NULL, sealed_secret BLOB NOT NULL, created_at REAL NOT NULL, created_by TEXT);
        CREATE TABLE webhook_subscription_event (
            subscription_id TEXT NOT NULL REFERENCES webhook_subscription(id), event_type TEXT NOT NULL,
            PRIMARY KEY (event_type, subscription_id)) WITHOUT ROWID;
        CREATE TABLE webhook_event_source (
            event_type TEXT NOT NULL, kind TEXT NOT NULL, event TEXT, outcome TEXT, credential_kind TEXT, shared INTEGER);
        CREATE TABLE webhook_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, subscription_id TEXT NOT NULL, activity_seq INTEGER NOT NULL,
            event_type TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,
            last_attempt_ms INTEGER, last_status INTEGER, last_error TEXT, delivered_ms INTEGER);
        CREATE INDEX webhook_outbox_pending ON webhook_outbox(subscription_id, id) WHERE delivered_ms IS NULL;
        CREATE INDEX webhook_outbox_delivered ON webhook_outbox(delivered_ms) WHERE delivered_ms IS NOT NULL;
        CREATE TRIGGER activity_webhook_outbox AFTER INSERT ON activity
        WHEN EXISTS (SELECT 1 FROM webhook_subscription_event)
        BEGIN
            INSERT INTO webhook_outbox (subscription_id, activity_seq, event_type)
            SELECT e.subscription_id, NEW.seq, m.event_type
            FROM webhook_event_source m JOIN webhook_subscription_event e ON e.event_type = m.event_type
            WHERE m.kind = NEW.kind AND (m.event IS NULL OR m.event IS NEW.event) AND (m.outcome IS NULL OR m.outcome IS NEW.outcome)
              AND (m.credential_kind IS NULL OR m.credential_kind = (SELECT kind FROM credential WHERE id = NEW.credential_id))
              AND (m.shared IS NULL OR m.shared = (SELECT parent_id IS NOT NULL FROM credential WHERE id = NEW.credential_id))
            ORDER BY e.subscription_id, m.event_type;
        END;
        """
    }

    /// A subscription to `all` (its one event row is `WebhookEvents.allMarker`) gets every event, kinds added later
    /// included: the trigger matches that row against every source. Before, `all` was stored as the names it meant.
    static let webhookEveryEventSchema = """
        DROP TRIGGER activity_webhook_outbox;
        CREATE TRIGGER activity_webhook_outbox AFTER INSERT ON activity
        WHEN EXISTS (SELECT 1 FROM webhook_subscription_event)
        BEGIN
            INSERT INTO webhook_outbox (subscription_id, activity_seq, event_type)
            SELECT e.subscription_id, NEW.seq, m.event_type
            FROM webhook_event_source m JOIN webhook_subscription_event e ON e.event_type IN (m.event_type, '\(WebhookEvents.allMarker)')
            WHERE m.kind = NEW.kind AND (m.event IS NULL OR m.event IS NEW.event) AND (m.outcome IS NULL OR m.outcome IS NEW.outcome)
              AND (m.credential_kind IS NULL OR m.credential_kind = (SELECT kind FROM credential WHERE id = NEW.credential_id))
              AND (m.shared IS NULL OR m.shared = (SELECT parent_id IS NOT NULL FROM credential WHERE id = NEW.credential_id))
            ORDER BY e.subscription_id, m.event_type;
        END;
        """

    /// Makes `webhook_event_source` exactly `WebhookEventSource.all`, in one transaction, writing only when they
    /// differ: the table is the code's mapping, so a database made before an event existed raises it from now on.
    static func syncWebhookEventSources(_ writer: some DatabaseWriter) throws {
        let wanted = WebhookEventSource.all.map(\.columns)
        func stored(_ db: Database) throws -> [[DatabaseValue]] {
            try Row.fetchAll(db, sql: """
                SELECT event_type, kind, event, outcome, credential_kind, shared FROM webhook_event_source
                ORDER BY rowid
                """).map { Array($0.databaseValues) }
        }
        guard try writer.read(stored) != wanted else { return }
        try writer.write { db in
            guard try stored(db) != wanted else { return }
            try db.execute(sql: "DELETE FROM webhook_event_source")
            for columns in wanted {
                try db.execute(sql: "INSERT INTO webhook_event_source VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: StatementArguments(columns))
            }
        }
    }
}

extension WebhookEventSource {
    /// The row of `webhook_event_source` this source is.
    fileprivate var columns: [DatabaseValue] {
        [type.rawValue.databaseValue, kind.rawValue.databaseValue, event.databaseValue, outcome.databaseValue,
         credentialKind?.rawValue.databaseValue ?? .null, shared.databaseValue]
    }
}

/// A webhook subscription as listed (never its secret), with its delivery state.
public struct WebhookSubscription: Sendable, Hashable, Codable {
    public let id: String
    public let url: String
    public let events: [String]
    public let createdAt: Date
    /// Events waiting for this receiver, and the oldest one's attempts and last answer.
    public let pending: Int
    public let attempts: Int
    public let lastStatus: Int?
    public let lastError: String?
    public let lastDelivered: Date?
}

/// A new subscription; its secret is shown once (only its sealed form is stored).
public struct CreatedWebhook: Sendable, Hashable {
    public let subscription: WebhookSubscription
    public let secret: String
}

/// One outbox row: an event for one subscription.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    public let id: Int64
    public let subscription: String
    public let type: String
    public let sequence: Int64
    public let attempts: Int
    public let lastAttempt: Date?
    public let lastStatus: Int?
    public let lastError: String?
    public let nextAttempt: Date?
    public let delivered: Date?
}

/// The next event due for one subscription: everything needed to send it.
public struct DueWebhook: Sendable {
    public let delivery: Int64
    public let subscription: String
    public let url: String
    public let secret: String
    public let type: String
    public let attempts: Int
    public let body: Data
}

extension AccessStore {
    /// Bounds on what a subscription may hold.
    public static let webhookURLMaximumLength = 2048
    public static let webhookSubscriptionsMaximum = 100

    /// Subscribes `url` (http or https, no credentials in it) to some events; the secret (32 random bytes as hex, or
    /// one given, 32 to 256 characters) is returned once and stored sealed with a key derived from the site's secret.
    public func addWebhook(url: String, events: WebhookEvents, secret given: String? = nil,
                           actor: String = "keyway", at date: Date = Date()) throws -> CreatedWebhook {
        try Self.requireWebhookURL(url)
        guard !events.isEmpty else { throw AccessError.invalid("a webhook needs at least one event") }
        if let given, !(32...256).contains(given.utf8.count) || given.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw AccessError.invalid("a webhook secret is 32 to 256 characters without spaces")
        }
        let secret = given ?? SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        let id = Identifier.make("hook")
        let sealed = try sealWebhookSecret(secret, subscription: id)
        try change { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM webhook_subscription") ?? 0
            guard count < Self.webhookSubscriptionsMaximum else {
                throw AccessError.invalid("at most \(Self.webhookSubscriptionsMaximum) webhook subscriptions")
            }
            try db.execute(sql: "INSERT INTO webhook_subscription (id, url, sealed_secret, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, url, sealed, date.timeIntervalSince1970, actor])
            for name in events.stored {
                try db.execute(sql: "INSERT INTO webhook_subscription_event (subscription_id, event_type) VALUES (?, ?)",
                               arguments: [id, name])
            }
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "webhook_added",
                                         detail: "\(id) \(url) " + events.names.joined(separator: ","), actor: actor), in: db)
        }
        return CreatedWebhook(subscription: try webhooks().first { $0.id == id }!, secret: secret)
    }

    /// Removes a subscription and every event still waiting for it.
    public func removeWebhook(_ id: String, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            guard let url = try String.fetchOne(db, sql: "SELECT url FROM webhook_subscription WHERE id = ?", arguments: [id]) else {
                throw AccessError.notFound(what: "webhook", id)
            }
            try db.execute(sql: "DELETE FROM webhook_outbox WHERE subscription_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM webhook_subscription_event WHERE subscription_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM webhook_subscription WHERE id = ?", arguments: [id])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "webhook_removed", detail: "\(id) \(url)", actor: actor), in: db)
        }
    }

    public func webhooks() throws -> [WebhookSubscription] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.url, s.created_at,
                       (SELECT group_concat(event_type, ',') FROM
                           (SELECT event_type FROM webhook_subscription_event WHERE subscription_id = s.id ORDER BY event_type)) AS events,
                       (SELECT count(*) FROM webhook_outbox WHERE subscription_id = s.id AND delivered_ms IS NULL) AS pending,
                       (SELECT max(delivered_ms) FROM webhook_outbox WHERE subscription_id = s.id) AS last_delivered_ms,
                       h.attempts, h.last_status, h.last_error
                FROM webhook_subscription s
                LEFT JOIN webhook_outbox h ON h.id = (SELECT min(id) FROM webhook_outbox WHERE subscription_id = s.id AND delivered_ms IS NULL)
                ORDER BY s.created_at, s.id
                """).map { row in
                WebhookSubscription(id: row["id"], url: row["url"],
                                    events: (row["events"] as String? ?? "").split(separator: ",").map { $0 == WebhookEvents.allMarker ? "all" : String($0) },
                                    createdAt: Date(timeIntervalSince1970: row["created_at"]), pending: row["pending"], attempts: row["attempts"] ?? 0, lastStatus: row["last_status"],
                                    lastError: row["last_error"], lastDelivered: Self.date(milliseconds: row["last_delivered_ms"]))
            }
        }
    }

    /// Outbox rows, newest first: pending and delivered (delivered rows are kept a week).
    public func webhookDeliveries(subscription: String? = nil, pendingOnly: Bool = false, limit: Int = 100) throws -> [WebhookDelivery] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM webhook_outbox WHERE (? IS NULL OR subscription_id = ?) AND (NOT ? OR delivered_ms IS NULL)
                ORDER BY id DESC LIMIT ?
                """, arguments: [subscription, subscription, pendingOnly, max(1, min(limit, 10_000))]).map { row in
                WebhookDelivery(id: row["id"], subscription: row["subscription_id"], type: row["event_type"], sequence: row["activity_seq"],
                                attempts: row["attempts"], lastAttempt: Self.date(milliseconds: row["last_attempt_ms"]),
                                lastStatus: row["last_status"], lastError: row["last_error"],
                                nextAttempt: row["delivered_ms"] == nil ? Self.date(milliseconds: row["next_attempt_ms"]) : nil,
                                delivered: Self.date(milliseconds: row["delivered_ms"]))
            }
        }
    }

    /// For each subscription, its oldest undelivered event if it is due: events go out in order per subscription,
    /// and one failing receiver holds back only its own.
    public func dueWebhooks(at date: Date) throws -> [DueWebhook] {
        try pool.read { db in
            let heads = try Row.fetchAll(db, sql: """
                SELECT o.id, o.subscription_id, o.event_type, o.activity_seq, o.attempts, o.next_attempt_ms, s.url, s.sealed_secret
                FROM webhook_subscription s JOIN webhook_outbox o
                  ON o.id = (SELECT min(id) FROM webhook_outbox WHERE subscription_id = s.id AND delivered_ms IS NULL)
                WHERE o.next_attempt_ms <= ?
                """, arguments: [Self.milliseconds(date)])
            return try heads.map { row in
                let sequence: Int64 = row["activity_seq"]
                let typeName: String = row["event_type"]
                guard let type = WebhookEventType(rawValue: typeName),
                      let activity = try Row.fetchOne(db, sql: "SELECT * FROM activity WHERE seq = ?", arguments: [sequence]) else {
                    throw AccessError.corrupt("webhook outbox row \(row["id"] as Int64) names no event")
                }
                let subscription: String = row["subscription_id"]
                return DueWebhook(delivery: row["id"], subscription: subscription, url: row["url"],
                                  secret: try openWebhookSecret(row["sealed_secret"], subscription: subscription), type: typeName,
                                  attempts: row["attempts"], body: WebhookPayload(type: type, entry: try ActivityLog.entry(from: activity)).body)
            }
        }
    }

    /// A receiver answered 2xx: the event is done.
    public func markWebhookDelivered(_ delivery: Int64, status: Int, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE webhook_outbox SET delivered_ms = ?, last_attempt_ms = ?, last_status = ?, last_error = NULL, attempts = attempts + 1
                WHERE id = ?
                """, arguments: [Self.milliseconds(date), Self.milliseconds(date), status, delivery])
        }
    }

    /// An attempt failed (an answer other than 2xx, or none): the event stays, and its subscription waits until `retryAt`.
    public func markWebhookFailed(_ delivery: Int64, status: Int?, error: String?, retryAt: Date, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE webhook_outbox SET attempts = attempts + 1, last_attempt_ms = ?, last_status = ?, last_error = ?, next_attempt_ms = ?,
                                          first_failed_ms = coalesce(first_failed_ms, ?)
                WHERE id = ?
                """, arguments: [Self.milliseconds(date), status, error.map { String($0.prefix(300)) }, Self.milliseconds(retryAt),
                                 Self.milliseconds(date), delivery])
        }
    }

    /// Forgets delivered events older than `age` (the undelivered are never dropped).
    public func pruneDeliveredWebhooks(olderThan age: TimeInterval, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_outbox WHERE delivered_ms IS NOT NULL AND delivered_ms < ?",
                           arguments: [Self.milliseconds(date - age)])
        }
    }

    /// Logs each passcode that ran out (its window ended or its uses are spent) and was not logged so yet: an
    /// `expired` row per passcode, which raises `passcode.expired`. Returns how many.
    @discardableResult
    public func logExpiredPasscodes(at date: Date) throws -> Int {
        try pool.write { db in
            let expired = try String.fetchAll(db, sql: """
                SELECT c.id FROM credential c
                WHERE c.kind = 'passcode' AND c.revoked_at IS NULL AND (c.valid_until <= ? OR c.uses_left = 0)
                  AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.credential_id = c.id AND a.kind = 'credential_revoked' AND a.event = 'expired')
                ORDER BY c.valid_until, c.id
                """, arguments: [date.timeIntervalSince1970])
            for id in expired {
                let usesLeft = try Int.fetchOne(db, sql: "SELECT uses_left FROM credential WHERE id = ?", arguments: [id])
                try log.append(ActivityDraft(at: date, kind: .credentialRevoked, event: "expired", credentialID: id,
                                             detail: usesLeft == 0 ? "no uses left" : "validity ended", actor: "keyway"), in: db)
            }
            return expired.count
        }
    }

    // MARK: Secrets

    /// A subscription's secret must be usable for signing, so it cannot be hashed: it is sealed (AES-GCM) with a key
    /// derived from the site's secret file (0600, never in the database), bound to its subscription id. A copy of
    /// the database alone (a backup, a support bundle) reveals no webhook secret.
    private var webhookKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: secrets.codeKey, info: Data("keyway webhook secrets v1".utf8), outputByteCount: 32)
    }

    private func sealWebhookSecret(_ secret: String, subscription: String) throws -> Data {
        guard let sealed = try AES.GCM.seal(Data(secret.utf8), using: webhookKey, authenticating: Data(subscription.utf8)).combined else {
            throw AccessError.corrupt("could not seal a webhook secret")
        }
        return sealed
    }

    private func openWebhookSecret(_ sealed: Data, subscription: String) throws -> String {
        do {
            let opened = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: webhookKey, authenticating: Data(subscription.utf8))
            return String(decoding: opened, as: UTF8.self)
        } catch {
            throw AccessError.corrupt("the secret of webhook \(subscription) does not open with this site's secrets")
        }
    }

    static func requireWebhookURL(_ text: String) throws {
        guard text.utf8.count <= webhookURLMaximumLength else {
            throw AccessError.invalid("a webhook URL is at most \(webhookURLMaximumLength) characters")
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw AccessError.invalid("a webhook URL is http:// or https:// with a host")
        }
        guard url.user == nil, url.password == nil else {
            throw AccessError.invalid("a webhook URL holds no credentials (the signature authenticates Keyway)")
        }
        guard url.fragment == nil else { throw AccessError.invalid("a webhook URL has no #fragment") }
        if let port = url.port, !(1...65535).contains(port) { throw AccessError.invalid("a webhook URL's port is 1 to 65535") }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        // Dates come from this process's clock and arithmetic on it; clamp rather than trap on a wild one.
        return milliseconds.isFinite ? Int64(max(min(milliseconds, 9e15), -9e15)) : 0
    }

    static func date(milliseconds: Int64?) -> Date? {
        milliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}

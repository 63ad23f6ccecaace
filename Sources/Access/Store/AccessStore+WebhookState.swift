import Foundation
import GRDB

// MARK: - Each webhook subscription's delivery state, for `keyway status`

extension Schema {
    /// Set by an outbox row's first failed attempt and kept: deliveries go in order, so while the oldest pending row
    /// fails its receiver has been failing since then.
    static let webhookStateSchema = "ALTER TABLE webhook_outbox ADD COLUMN first_failed_ms INTEGER;"
}

/// How deliveries to one subscription stand: what waits, since when, and whether its receiver is failing.
public struct WebhookState: Sendable, Hashable, Codable {
    public let id: String
    public let url: String
    /// Events not yet delivered.
    public let pending: Int
    /// When the oldest of them happened (its activity row's time).
    public let oldestPending: Date?
    /// The first failed attempt at the oldest pending event: the receiver has failed every attempt since. nil when
    /// nothing is pending or it has not failed yet.
    public let failingSince: Date?
    /// Its last failed attempt's error (or `HTTP <status>` when the receiver answered).
    public let lastError: String?

    public init(id: String, url: String, pending: Int, oldestPending: Date?, failingSince: Date?, lastError: String?) {
        self.id = id
        self.url = url
        self.pending = pending
        self.oldestPending = oldestPending
        self.failingSince = failingSince
        self.lastError = lastError
    }
}

extension AccessStore {
    public func webhookStates() throws -> [WebhookState] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.url,
                       (SELECT count(*) FROM webhook_outbox WHERE subscription_id = s.id AND delivered_ms IS NULL) AS pending,
                       a.at_ms AS oldest_ms, h.attempts, coalesce(h.first_failed_ms, h.last_attempt_ms) AS failed_ms, h.last_status, h.last_error
                FROM webhook_subscription s
                LEFT JOIN webhook_outbox h ON h.id = (SELECT min(id) FROM webhook_outbox WHERE subscription_id = s.id AND delivered_ms IS NULL)
                LEFT JOIN activity a ON a.seq = h.activity_seq
                ORDER BY s.created_at, s.id
                """).map { row in
                let failed = (row["attempts"] as Int? ?? 0) > 0
                let status: Int? = row["last_status"]
                return WebhookState(
                    id: row["id"], url: row["url"], pending: row["pending"], oldestPending: Self.date(milliseconds: row["oldest_ms"]),
                    failingSince: failed ? Self.date(milliseconds: row["failed_ms"]) : nil,
                    lastError: failed ? (row["last_error"] as String?) ?? status.map { "HTTP \($0)" } : nil)
            }
        }
    }
}

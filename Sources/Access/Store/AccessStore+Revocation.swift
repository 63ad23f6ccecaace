import Foundation
import GRDB

// MARK: - Revocation, cascading to shared keys

extension AccessStore {
    /// Revokes a credential at once, recording who, when and why; a key takes every share made from it along.
    /// Returns the ids revoked.
    @discardableResult
    public func revoke(_ id: String, reason: String? = nil, actor: String = "keyway", at date: Date = Date()) throws -> [String] {
        try change { db in
            guard let credential = try CredentialRow.fetchOne(db, key: id) else {
                throw AccessError.notFound(what: "credential", id)
            }
            guard credential.revokedAt == nil else { throw AccessError.conflict("\(id) is already revoked") }
            return try revokeTree(id, reason: reason, actor: actor, at: date, db)
        }
    }

    /// Revokes a credential and every unrevoked share below it, inside the caller's transaction.
    func revokeTree(_ id: String, reason: String?, actor: String, at date: Date, _ db: Database) throws -> [String] {
        let ids = try String.fetchAll(db, sql: """
            WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT c.id FROM credential c JOIN tree ON c.parent_id = tree.id)
            SELECT c.id FROM credential c JOIN tree USING (id) WHERE c.revoked_at IS NULL
            """, arguments: [id])
        for revoked in ids {
            try db.execute(sql: "UPDATE credential SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE id = ?",
                           arguments: [date.timeIntervalSince1970, actor, reason, revoked])
            try log.append(ActivityDraft(at: date, kind: .credentialRevoked, event: "revoked", credentialID: revoked,
                                         detail: revoked == id ? reason : "cascade from \(id)", actor: actor), in: db)
        }
        return ids
    }
}

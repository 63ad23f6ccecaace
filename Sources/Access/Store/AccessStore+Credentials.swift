import Foundation
import GRDB

// MARK: - Credentials of every kind: listing, and what their creation shares

extension AccessStore {
    /// Credentials, optionally one person's and only those active at `activeAt`.
    public func credentials(person: String? = nil, activeAt: Date? = nil) throws -> [Credential] {
        try pool.read { db in
            let personID = try person.map { try resolve($0, in: PersonRow.self, db) }
            let ids = try String.fetchAll(db, sql: "SELECT id FROM credential WHERE person_id IS ? OR ? IS NULL ORDER BY created_at, id",
                                          arguments: [personID, personID])
            return try ids.map { try credential($0, db) }.filter { credential in activeAt.map(credential.isActive(at:)) ?? true }
        }
    }

    public func credential(_ id: String) throws -> Credential {
        try pool.read { try credential(id, $0) }
    }

    func credential(_ id: String, _ db: Database) throws -> Credential {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT \(CredentialRow.selectionSQL(table: "c")), p.name AS person_name, s.name AS schedule_name
            FROM credential c LEFT JOIN person p ON p.id = c.person_id LEFT JOIN schedule s ON s.id = c.schedule_id
            WHERE c.id = ?
            """, arguments: [id]) else { throw AccessError.notFound(what: "credential", id) }
        let credential = CredentialRow(row: row)
        let doors = try String.fetchAll(db, sql: """
            SELECT d.name FROM credential_door cd JOIN door d ON d.id = cd.door_id WHERE cd.credential_id = ? ORDER BY d.name
            """, arguments: [id])
        let date = { (value: Double?) in value.map(Date.init(timeIntervalSince1970:)) }
        return Credential(
            id: credential.id, kind: CredentialKind(rawValue: credential.kind) ?? .card, person: row["person_name"],
            label: credential.label, shown: credential.card?.description ?? credential.codeMask, doors: doors,
            validFrom: date(credential.validFrom), validUntil: date(credential.validUntil), schedule: row["schedule_name"],
            usesLeft: credential.usesLeft, duress: credential.duress, parent: credential.parentID, recipient: credential.recipient,
            mayShare: credential.mayShare, revokedAt: date(credential.revokedAt), revokedBy: credential.revokedBy,
            revokedReason: credential.revokedReason)
    }

    func logCreated(_ id: String, personID: String?, detail: String, actor: String, at date: Date, _ db: Database) throws {
        try log.append(ActivityDraft(at: date, kind: .credentialCreated, credentialID: id, personID: personID,
                                             detail: detail.isEmpty ? nil : detail, actor: actor), in: db)
    }

    func requireWindow(_ from: Date?, _ until: Date?) throws {
        if let from, let until, until <= from { throw AccessError.invalid("the validity window ends before it starts") }
    }
}

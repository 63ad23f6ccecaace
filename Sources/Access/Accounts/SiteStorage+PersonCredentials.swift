import Foundation
import GRDB

/// One person's credentials of every kind (cards, PINs, keys, passcodes), as the managers' People page needs them
/// (part of `AccessStorage`). A code's digits and a key's token are never in them: only their mask or id.
public protocol PersonCredentialStorage: Sendable {
    /// A person's (id or name) credentials, newest first, at most `limit`.
    func credentials(ofPerson person: String, limit: Int) async throws -> [IssuedCredential]
    /// One of a person's (id or name) credentials; nil when it is not theirs (or does not exist).
    func credential(_ id: String, ofPerson person: String) async throws -> IssuedCredential?
    /// Enrolls a card for a person (id or name), as `keyway cards add` does.
    func addCard(person: String, card: CardData, validFrom: Date?, validUntil: Date?, actor: String, at date: Date) async throws -> IssuedCredential
}

extension SQLiteSiteStorage: PersonCredentialStorage {
    public func credentials(ofPerson person: String, limit: Int) async throws -> [IssuedCredential] {
        try await blocking { [store] in
            try store.pool.read { db in
                let personID = try store.resolve(person, in: PersonRow.self, db)
                let ids = try String.fetchAll(db, sql: """
                    SELECT id FROM credential WHERE person_id = ? ORDER BY created_at DESC, id DESC LIMIT ?
                    """, arguments: [personID, max(1, limit)])
                return try ids.map { try Self.issued($0, store, db) }
            }
        }
    }

    public func credential(_ id: String, ofPerson person: String) async throws -> IssuedCredential? {
        try await blocking { [store] in
            try store.pool.read { db in
                let personID = try store.resolve(person, in: PersonRow.self, db)
                guard try String.fetchOne(db, sql: "SELECT id FROM credential WHERE id = ? AND person_id = ?", arguments: [id, personID]) != nil else {
                    return nil
                }
                return try Self.issued(id, store, db)
            }
        }
    }

    public func addCard(person: String, card: CardData, validFrom: Date?, validUntil: Date?, actor: String,
                        at date: Date) async throws -> IssuedCredential {
        try await blocking { [store] in
            let card = try store.addCard(person: person, card: card, validFrom: validFrom, validUntil: validUntil, actor: actor, at: date)
            return try store.pool.read { db in try Self.issued(card.id, store, db) }
        }
    }
}

import Foundation
import GRDB

// MARK: - Guest passes: the checks and records every share and resident passcode passes through

extension AccessStore {
    /// Called inside a share's transaction, after its row is written: the share stays within its parent's doors
    /// (`addKey` already ends it no later than its parent); its issuer (the holder at the root of its chain of
    /// shares) is recorded. Throwing rolls the share back.
    func admitShare(_ id: String, of parentID: String, at date: Date, _ db: Database) throws {
        let share = try credential(id, db)
        let parent = try credential(parentID, db)
        if let door = Set(share.doors).subtracting(parent.doors).sorted().first {
            throw AccessError.invalid("key \(parentID) does not open \(door)")
        }
        if let issuerID = try issuer(of: parentID, db) { try recordIssuer(of: id, personID: issuerID, db) }
    }

    /// Called inside a resident's passcode transaction, after its row is written: records its issuer.
    func admitPasscode(_ passcode: Credential, issuedBy issuer: String, uses: UseLimit, at date: Date, _ db: Database) throws {
        try recordIssuer(of: passcode.id, personID: try resolve(issuer, in: PersonRow.self, db), db)
    }

    /// A rotated code stays its issuer's guest pass.
    func carryIssuer(from old: String, to new: String, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO credential_issuer (credential_id, person_id, unit_id)
            SELECT ?, person_id, unit_id FROM credential_issuer WHERE credential_id = ?
            """, arguments: [new, old])
    }
}

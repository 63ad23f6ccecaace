import Foundation
import GRDB

// MARK: - Guest passes: the checks and records every share and resident passcode passes through

extension AccessStore {
    /// Called inside a share's transaction, after its row is written: the share stays within its parent's doors (`addKey` already ends it no later than its parent)
    /// and the sharing policy, else it is refused with the rule that refused it (and rolled back); its issuer (the
    /// holder at the root of its chain of shares) is recorded.
    func admitShare(_ id: String, of parentID: String, at date: Date, _ db: Database) throws {
        let share = try credential(id, db)
        let parent = try credential(parentID, db)
        let outside = Set(share.doors).subtracting(parent.doors).sorted()
        if let door = outside.first {
            throw SharingRefusal(rule: .withinParent, door: door, reason: "key \(parentID) does not open \(door)")
        }
        let issuerID = try issuer(of: parentID, db)
        if let issuerID { try recordIssuer(of: id, personID: issuerID, db) }
        try enforcePolicy(on: share, kind: .share(parentIsShare: parent.parent != nil, reshareable: share.mayShare),
                          issuerID: issuerID, at: date, db)
    }

    /// Called inside a resident's passcode transaction, after its row is written: the issuer must open every door
    /// themselves, and the sharing policy must allow it; its issuer is recorded.
    func admitPasscode(_ passcode: Credential, issuedBy issuer: String, uses: UseLimit, at date: Date, _ db: Database) throws {
        let issuerID = try resolve(issuer, in: PersonRow.self, db)
        let suspended = try Bool.fetchOne(db, sql: "SELECT suspended FROM person WHERE id = ?", arguments: [issuerID]) ?? true
        if suspended { throw SharingRefusal(rule: .issuerAccess, door: nil, reason: "\(issuer) is suspended") }
        let theirs = try doorsOpened(by: issuerID, at: date, db)
        if let door = passcode.doors.first(where: { !theirs.contains($0) }) {
            throw SharingRefusal(rule: .issuerAccess, door: door, reason: "\(issuer) cannot open \(door)")
        }
        try recordIssuer(of: passcode.id, personID: issuerID, db)
        try enforcePolicy(on: passcode, kind: .passcode(uses: uses), issuerID: issuerID, at: date, db)
    }

    /// A rotated code stays its issuer's guest pass.
    func carryIssuer(from old: String, to new: String, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO credential_issuer (credential_id, person_id, unit_id)
            SELECT ?, person_id, unit_id FROM credential_issuer WHERE credential_id = ?
            """, arguments: [new, old])
    }

    private func enforcePolicy(on pass: Credential, kind: GuestPassRequest.Kind, issuerID: String?, at date: Date, _ db: Database) throws {
        var rules: [String: SharingRules] = [:]
        for door in pass.doors {
            rules[door] = try effectiveRules(doorID: resolve(door, in: DoorRow.self, db), db)
        }
        let request = GuestPassRequest(kind: kind, doors: rules, validFrom: pass.validFrom, validUntil: pass.validUntil, at: date,
                                       activeInUnit: try activeGuestPasses(ofIssuer: issuerID, at: date, db))
        if let refusal = request.refusal() { throw refusal }
    }

    /// Active guest passes of the issuer's unit (of the issuer alone if they live in none), the new one included.
    private func activeGuestPasses(ofIssuer issuerID: String?, at date: Date, _ db: Database) throws -> Int {
        guard let issuerID else { return 1 }
        return try Int.fetchOne(db, sql: """
            SELECT count(*) FROM credential_issuer i JOIN credential c ON c.id = i.credential_id
            WHERE c.revoked_at IS NULL AND (c.valid_until IS NULL OR c.valid_until > ?1) AND (c.uses_left IS NULL OR c.uses_left > 0)
              AND CASE WHEN (SELECT unit_id FROM unit_resident WHERE person_id = ?2) IS NULL THEN i.person_id = ?2
                       ELSE i.unit_id = (SELECT unit_id FROM unit_resident WHERE person_id = ?2) END
            """, arguments: [date.timeIntervalSince1970, issuerID]) ?? 0
    }

    /// The doors (names) a person opens with their groups or a key they hold.
    private func doorsOpened(by personID: String, at date: Date, _ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: """
            SELECT d.name FROM person_group pg JOIN group_door gd ON gd.group_id = pg.group_id JOIN door d ON d.id = gd.door_id
            WHERE pg.person_id = ?1
            UNION
            SELECT d.name FROM credential c JOIN credential_door cd ON cd.credential_id = c.id JOIN door d ON d.id = cd.door_id
            WHERE c.person_id = ?1 AND c.kind = 'key' AND c.revoked_at IS NULL AND (c.valid_until IS NULL OR c.valid_until > ?2)
            """, arguments: [personID, date.timeIntervalSince1970]))
    }
}

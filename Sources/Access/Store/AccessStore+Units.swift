import Foundation
import GRDB

// MARK: - Units (apartments, suites): residents, move-in and move-out, and what a unit's residents issued

extension Schema {
    /// A person lives in at most one unit. Each guest pass (a share or a resident's passcode) records who issued it
    /// and their unit at the time, so a unit's guest access is listed and revoked as a whole.
    static let unitsSchema = """
        CREATE TABLE unit (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL);
        CREATE TABLE unit_resident (
            person_id TEXT PRIMARY KEY REFERENCES person(id), unit_id TEXT NOT NULL REFERENCES unit(id),
            moved_in_at REAL NOT NULL);
        CREATE INDEX unit_resident_unit ON unit_resident(unit_id);
        CREATE TABLE credential_issuer (
            credential_id TEXT PRIMARY KEY REFERENCES credential(id), person_id TEXT NOT NULL REFERENCES person(id),
            unit_id TEXT REFERENCES unit(id));
        CREATE INDEX credential_issuer_person ON credential_issuer(person_id);
        CREATE INDEX credential_issuer_unit ON credential_issuer(unit_id);
        -- A credential's last use, found without scanning the log.
        CREATE INDEX activity_credential ON activity(credential_id, at_ms) WHERE credential_id IS NOT NULL;
        """
}

struct UnitRow: NamedRecord {
    static let databaseTableName = "unit"
    static let noun = "unit"
    init(row: Row) {}
}

/// An apartment or suite and who lives there.
public struct Unit: Sendable, Hashable, Codable {
    public let id: String
    public let name: String
    /// Names, sorted.
    public let residents: [String]
}

/// A guest pass a unit's resident issued: a share of a key, or a passcode.
public struct GuestPass: Sendable, Hashable, Codable {
    public let credential: Credential
    /// The resident who issued it (their name).
    public let issuer: String
    /// The last granted entry with it, if any.
    public let lastUsed: Date?
}

/// What a move-out did, in the one transaction that did it.
public struct MoveOut: Sendable, Hashable, Codable {
    public let unit: String
    /// The residents who left (names).
    public let residents: [String]
    /// Every credential revoked: guest passes the residents issued, their own credentials, and the shares below them.
    public let revoked: [String]
}

extension AccessStore {
    @discardableResult
    public func addUnit(name: String, actor: String = "keyway", at date: Date = Date()) throws -> Unit {
        try requireName(name, for: UnitRow.self)
        try requireBounded(name, what: "a unit name")
        let unit = Unit(id: Identifier.make("unit"), name: name, residents: [])
        return try change { db in
            try requireUnused(name, in: UnitRow.self, db)
            try db.execute(sql: "INSERT INTO unit (id, name, created_at) VALUES (?, ?, ?)",
                           arguments: [unit.id, name, date.timeIntervalSince1970])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "unit_added", detail: name, actor: actor), in: db)
            return unit
        }
    }

    public func units() throws -> [Unit] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM unit ORDER BY name").map { row in
                let id: String = row["id"]
                return Unit(id: id, name: row["name"], residents: try residentNames(ofUnit: id, db))
            }
        }
    }

    public func unit(_ text: String) throws -> Unit {
        try pool.read { db in
            let id = try resolve(text, in: UnitRow.self, db)
            return Unit(id: id, name: try name(of: id, in: UnitRow.self, db), residents: try residentNames(ofUnit: id, db))
        }
    }

    /// The unit a person lives in (its name), if any.
    public func unit(ofPerson person: String) throws -> String? {
        try pool.read { db in
            let personID = try resolve(person, in: PersonRow.self, db)
            return try String.fetchOne(db, sql: "SELECT u.name FROM unit_resident r JOIN unit u ON u.id = r.unit_id WHERE r.person_id = ?",
                                       arguments: [personID])
        }
    }

    /// A person moves into a unit; someone living elsewhere must move out of it first.
    public func moveIn(person: String, unit: String, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let personID = try resolve(person, in: PersonRow.self, db)
            let unitID = try resolve(unit, in: UnitRow.self, db)
            if let current = try String.fetchOne(db, sql: "SELECT unit_id FROM unit_resident WHERE person_id = ?", arguments: [personID]) {
                throw AccessError.conflict("\(person) already lives in \(try name(of: current, in: UnitRow.self, db)); move them out first")
            }
            try db.execute(sql: "INSERT INTO unit_resident (person_id, unit_id, moved_in_at) VALUES (?, ?, ?)",
                           arguments: [personID, unitID, date.timeIntervalSince1970])
            try log.append(ActivityDraft(at: date, kind: .personChanged, event: "moved_in", personID: personID,
                                         detail: try name(of: unitID, in: UnitRow.self, db), actor: actor), in: db)
        }
    }

    /// Everyone in a unit (or one `person` of it) moves out, in one transaction: every guest pass they issued is
    /// revoked, with the shares below it, and their own credentials are revoked (or the person suspended, or left
    /// alone) as the site's sharing policy says (`onMoveOut`); each revocation and move is logged.
    @discardableResult
    public func moveOut(unit: String, person: String? = nil, actor: String = "keyway", at date: Date = Date()) throws -> MoveOut {
        try change { db in
            let unitID = try resolve(unit, in: UnitRow.self, db)
            let unitName = try name(of: unitID, in: UnitRow.self, db)
            var residents = try String.fetchAll(db, sql: "SELECT person_id FROM unit_resident WHERE unit_id = ?", arguments: [unitID])
            if let person {
                let personID = try resolve(person, in: PersonRow.self, db)
                guard residents.contains(personID) else { throw AccessError.invalid("\(person) does not live in \(unitName)") }
                residents = [personID]
            }
            let reason = "move-out of \(unitName)"
            // What the residents issued (the whole unit's, earlier residents' too, when the unit empties), then what
            // they hold: revoking a held key takes every share of it along.
            let issued = try String.fetchAll(db, sql: """
                SELECT i.credential_id FROM credential_issuer i JOIN credential c ON c.id = i.credential_id
                WHERE c.revoked_at IS NULL AND (i.person_id IN (SELECT value FROM json_each(?)) OR (? AND i.unit_id = ?))
                ORDER BY c.created_at, c.id
                """, arguments: [Self.jsonArray(residents), person == nil, unitID])
            let onMoveOut = try siteRules(db).onMoveOut ?? .revoke
            let held = onMoveOut != .revoke ? [] : try String.fetchAll(db, sql: """
                SELECT id FROM credential WHERE revoked_at IS NULL AND person_id IN (SELECT value FROM json_each(?))
                ORDER BY created_at, id
                """, arguments: [Self.jsonArray(residents)])
            var revoked: [String] = []
            for id in issued + held where !revoked.contains(id) {
                revoked += try revokeTree(id, reason: reason, actor: actor, at: date, db)
            }
            var names: [String] = []
            for personID in residents {
                names.append(try name(of: personID, in: PersonRow.self, db))
                try db.execute(sql: "DELETE FROM unit_resident WHERE person_id = ?", arguments: [personID])
                if onMoveOut == .suspend {
                    try db.execute(sql: "UPDATE person SET suspended = 1 WHERE id = ?", arguments: [personID])
                    try log.append(ActivityDraft(at: date, kind: .personChanged, event: "suspended", personID: personID,
                                                 detail: reason, actor: actor), in: db)
                }
                try log.append(ActivityDraft(at: date, kind: .personChanged, event: "moved_out", personID: personID,
                                             detail: unitName, actor: actor), in: db)
            }
            return MoveOut(unit: unitName, residents: names.sorted(), revoked: revoked)
        }
    }

    /// The guest passes a unit's residents issued (shares and passcodes), newest first, with their issuer, uses
    /// left and last use; `activeAt` keeps only those active then.
    public func guestPasses(ofUnit unit: String, activeAt: Date? = nil) throws -> [GuestPass] {
        try pool.read { db in
            let unitID = try resolve(unit, in: UnitRow.self, db)
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.credential_id, p.name AS issuer,
                       (SELECT max(a.at_ms) FROM activity a
                        WHERE a.credential_id = i.credential_id AND a.kind = 'decision' AND a.outcome = 'grant') AS last_used_ms
                FROM credential_issuer i JOIN person p ON p.id = i.person_id JOIN credential c ON c.id = i.credential_id
                WHERE i.unit_id = ? ORDER BY c.created_at DESC, c.id
                """, arguments: [unitID])
            return try rows.compactMap { row in
                let credential = try credential(row["credential_id"], db)
                if let activeAt, !credential.isActive(at: activeAt) || credential.usesLeft == 0 { return nil }
                let lastUsed: Int64? = row["last_used_ms"]
                return GuestPass(credential: credential, issuer: row["issuer"],
                                 lastUsed: lastUsed.map { Date(timeIntervalSince1970: Double($0) / 1000) })
            }
        }
    }

    /// Records who issued a guest pass and the unit they live in now.
    func recordIssuer(of credentialID: String, personID: String, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO credential_issuer (credential_id, person_id, unit_id)
            VALUES (?, ?, (SELECT unit_id FROM unit_resident WHERE person_id = ?))
            """, arguments: [credentialID, personID, personID])
    }

    /// Who issued a credential: its recorded issuer, else (for a key) its holder.
    func issuer(of credentialID: String, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT coalesce((SELECT person_id FROM credential_issuer WHERE credential_id = ?), person_id) FROM credential WHERE id = ?
            """, arguments: [credentialID, credentialID])
    }

    private func residentNames(ofUnit unitID: String, _ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT p.name FROM unit_resident r JOIN person p ON p.id = r.person_id WHERE r.unit_id = ? ORDER BY p.name
            """, arguments: [unitID])
    }

    /// Text from outside held to a length every listing can show.
    func requireBounded(_ text: String, what: String, maximum: Int = 200) throws {
        guard text.count <= maximum else { throw AccessError.invalid("\(what) is longer than \(maximum) characters") }
    }

    static func jsonArray(_ values: [String]) -> String {
        // Plain identifiers: encoding cannot fail.
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

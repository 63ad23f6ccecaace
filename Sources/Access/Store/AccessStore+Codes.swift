import Foundation
import GRDB

// MARK: - PINs and passcodes: generation, collision check, rotation

extension AccessStore {
    /// A person's PIN (their groups' doors; the second factor of card and PIN). A duress PIN opens like the PIN
    /// (where the door allows) and raises a silent alarm.
    @discardableResult
    public func addPIN(person: String, code: String? = nil, duress: Bool = false, validUntil: Date? = nil,
                       actor: String = "keyway", at date: Date = Date()) throws -> IssuedCode {
        try addCode(kind: .pin, person: person, label: nil, doors: [], validFrom: nil, validUntil: validUntil, schedule: nil,
                    uses: .unlimited, code: code, duress: duress, rotatedFrom: nil, actor: actor, at: date)
    }

    /// A passcode for its own doors: temporary (window, weekly schedule, N uses) or per person.
    @discardableResult
    public func createPasscode(_ request: PasscodeRequest, actor: String = "keyway", at date: Date = Date()) throws -> IssuedCode {
        guard (request.person == nil) != (request.label == nil) else {
            throw AccessError.invalid("a passcode is either a person's or labelled (give one of person and label)")
        }
        guard !request.doors.isEmpty else { throw AccessError.invalid("a passcode needs at least one door") }
        return try change { db in
            let issued = try insertCode(kind: .passcode, person: request.person, label: request.label, doors: request.doors,
                                        validFrom: request.validFrom, validUntil: request.validUntil, schedule: request.schedule,
                                        uses: request.uses, code: request.code, duress: request.duress, rotatedFrom: nil,
                                        actor: actor, at: date, db)
            if let issuer = request.issuedBy { try admitPasscode(issued.credential, issuedBy: issuer, uses: request.uses, at: date, db) }
            if let message = request.message { try queueMessage(message, credentialID: issued.credential.id, secret: issued.code, at: date, db) }
            return issued
        }
    }

    /// Replaces a PIN or passcode by a new code from `effective`; the old one keeps working for `overlap` after
    /// that, then is refused. The new one inherits everything else.
    @discardableResult
    public func rotateCode(_ id: String, effective: Date, overlap: TimeInterval, code: String? = nil,
                           actor: String = "keyway", at date: Date = Date()) throws -> IssuedCode {
        let oldEnd = effective + overlap
        return try change { db in
            // Read inside the write transaction: a revocation racing the rotation commits either before (refused
            // here) or after (it revokes the old code, and the new one is the replacement it was meant to be).
            let old = try credential(id, db)
            guard old.kind.isCode else { throw AccessError.invalid("\(id) is a \(old.kind.rawValue), not a PIN or passcode") }
            guard old.isActive(at: date) || (old.validFrom.map { $0 > date } ?? false) && old.revokedAt == nil else {
                throw AccessError.invalid("\(id) is no longer active")
            }
            let issued = try insertCode(kind: old.kind, person: old.person, label: old.label, doors: old.doors,
                                        validFrom: max(effective, old.validFrom ?? effective), validUntil: old.validUntil,
                                        schedule: old.schedule, uses: old.usesLeft.map(UseLimit.count) ?? .unlimited, code: code,
                                        duress: old.duress, rotatedFrom: id, actor: actor, at: date, db)
            try carryIssuer(from: id, to: issued.credential.id, db)
            try db.execute(sql: "UPDATE credential SET valid_until = min(coalesce(valid_until, ?), ?) WHERE id = ?",
                           arguments: [oldEnd.timeIntervalSince1970, oldEnd.timeIntervalSince1970, id])
            try log.append(ActivityDraft(at: date, kind: .credentialRevoked, event: "rotated", credentialID: id,
                                                 detail: "replaced by \(issued.credential.id); refused from \(SiteTime.format(oldEnd, timeZone: timeZone))",
                                                 actor: actor), in: db)
            return issued
        }
    }

    private func addCode(kind: CredentialKind, person: String?, label: String?, doors: [String], validFrom: Date?, validUntil: Date?,
                         schedule: String?, uses: UseLimit, code: String?, duress: Bool, rotatedFrom: String?,
                         actor: String, at date: Date) throws -> IssuedCode {
        try change { db in
            try insertCode(kind: kind, person: person, label: label, doors: doors, validFrom: validFrom, validUntil: validUntil,
                           schedule: schedule, uses: uses, code: code, duress: duress, rotatedFrom: rotatedFrom, actor: actor, at: date, db)
        }
    }

    private func insertCode(kind: CredentialKind, person: String?, label: String?, doors: [String], validFrom: Date?, validUntil: Date?,
                            schedule: String?, uses: UseLimit, code: String?, duress: Bool, rotatedFrom: String?,
                            actor: String, at date: Date, _ db: Database) throws -> IssuedCode {
        try requireWindow(validFrom, validUntil)
        if let code {
            do { try codePolicy.validate(code) } catch { throw AccessError.invalid(error.description) }
        }
        let usesLeft: Int? = switch uses {
        case .unlimited: nil
        case .count(let count): count
        }
        let id = Identifier.make(kind == .pin ? "pin" : "pass")
        let personID = try person.map { try resolve($0, in: PersonRow.self, db) }
        let doorIDs = try doors.map { try resolve($0, in: DoorRow.self, db) }
        let scheduleID = try schedule.map { try resolve($0, in: ScheduleRow.self, db) }
        let chosen = try code ?? generateUnusedCode(at: date, db)
        let digest = secrets.digest(ofCode: chosen)
        if try codeInUse(digest, at: date, db) {
            throw AccessError.invalid(CodePolicy.Rejection.collision.description)
        }
        try db.execute(sql: """
            INSERT INTO credential (id, kind, person_id, label, code_digest, code_mask, duress, valid_from, valid_until, schedule_id,
                                    uses_left, rotated_from, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, kind.rawValue, personID, label, digest.bytes, CodePolicy.mask(chosen), duress,
                             validFrom?.timeIntervalSince1970, validUntil?.timeIntervalSince1970, scheduleID, usesLeft,
                             rotatedFrom, date.timeIntervalSince1970, actor])
        for doorID in Set(doorIDs) {
            try db.execute(sql: "INSERT INTO credential_door (credential_id, door_id) VALUES (?, ?)", arguments: [id, doorID])
        }
        try logCreated(id, personID: personID, detail: [label, duress ? "duress" : nil, rotatedFrom.map { "rotates \($0)" }]
            .compactMap { $0 }.joined(separator: "; "), actor: actor, at: date, db)
        return IssuedCode(credential: try credential(id, db), code: chosen)
    }

    /// Active (unrevoked, unexpired) codes with this digest: a new code must not collide with any.
    private func codeInUse(_ digest: CodeDigest, at date: Date, _ db: Database) throws -> Bool {
        typealias Columns = CredentialRow.Columns
        return try !CredentialRow
            .filter(Columns.codeDigest == digest.bytes && Columns.revokedAt == nil
                    && (Columns.validUntil == nil || Columns.validUntil > date.timeIntervalSince1970))
            .isEmpty(db)
    }

    private func generateUnusedCode(at date: Date, _ db: Database) throws -> String {
        for _ in 0..<100 {
            let code = codePolicy.generate()
            if try !codeInUse(secrets.digest(ofCode: code), at: date, db) { return code }
        }
        throw AccessError.conflict("could not find a free code; use longer codes")
    }
}

import Foundation
import GRDB

/// The allowlist in SQLite and everything managers do to it. Each change is one transaction that also appends its
/// activity row, so nothing is ever half-written; after it commits, `afterCommit` brings the cache up to date.
public final class AccessStore: Sendable {
    let pool: DatabasePool
    let secrets: SiteSecrets
    public let timeZone: TimeZone
    let clock: SiteClock
    let codePolicy = CodePolicy()
    private let afterCommit: @Sendable (DatabasePool) throws -> Void

    /// Opens (creating and migrating) the database; the secrets default to `keyway.secret` beside it.
    public static func open(database: URL, secrets: URL? = nil, timeZone: TimeZone) throws -> AccessStore {
        try AccessStore(database: database, secrets: secrets, timeZone: timeZone)
    }

    private init(database: URL, secrets: URL?, timeZone: TimeZone) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: database.path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        self.secrets = try Self.secrets(at: secrets ?? SiteSecrets.defaultLocation(forDatabase: database), for: pool, database: database)
        self.timeZone = timeZone
        clock = SiteClock(timeZone: timeZone)
        afterCommit = { _ in }
    }

    /// The secrets the database was created with: made on first use and recorded by fingerprint, so a later
    /// open with other (or freshly created) secrets is refused rather than silently failing every code.
    private static func secrets(at file: URL, for pool: DatabasePool, database: URL) throws -> SiteSecrets {
        let recorded = try pool.read { db in try Data.fetchOne(db, sql: "SELECT fingerprint FROM site_secrets") }
        let secrets = try SiteSecrets.load(at: file, creatingMissing: recorded == nil)
        switch recorded {
        case nil:
            try pool.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO site_secrets (id, fingerprint) VALUES (1, ?)", arguments: [secrets.fingerprint])
            }
            return try Self.secrets(at: file, for: pool, database: database)
        case secrets.fingerprint?:
            return secrets
        default:
            throw SecretFileError.notThisDatabase(file, database: database)
        }
    }

    /// The same database, with a cache to bring up to date after each change.
    init(sharing store: AccessStore, afterCommit: @escaping @Sendable (DatabasePool) throws -> Void) {
        pool = store.pool
        secrets = store.secrets
        timeZone = store.timeZone
        clock = store.clock
        self.afterCommit = afterCommit
    }

    /// One change: a write transaction, then the cache.
    private func change<T>(_ body: (Database) throws -> T) throws -> T {
        let result: T
        do {
            result = try pool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AccessError.conflict("that would clash with what exists: \(error.message ?? "constraint failed")")
        }
        try afterCommit(pool)
        return result
    }

    // MARK: People

    @discardableResult
    public func addPerson(name: String, kind: PersonKind = .resident, actor: String = "keyway", at date: Date = Date()) throws -> Person {
        try requireName(name, "person")
        let person = Person(id: Identifier.make("per"), name: name, kind: kind, suspended: false, vacationStart: nil, vacationEnd: nil)
        return try change { db in
            try requireUnused(name, in: "person", db)
            try db.execute(sql: "INSERT INTO person (id, name, kind, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [person.id, name, kind.rawValue, date.timeIntervalSince1970])
            try ActivityLog.append(ActivityDraft(at: date, kind: .personChanged, event: "added", personID: person.id,
                                                 detail: "\(kind.rawValue) \(name)", actor: actor), in: db)
            return person
        }
    }

    public func people() throws -> [Person] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, kind, suspended, vacation_start, vacation_end FROM person ORDER BY name").map { row in
                Person(id: row[0], name: row[1], kind: PersonKind(rawValue: row[2]) ?? .resident, suspended: row[3],
                       vacationStart: row[4], vacationEnd: row[5])
            }
        }
    }

    /// Suspends or reinstates a person: all their credentials stop (or resume) at once.
    public func setSuspended(_ person: String, _ suspended: Bool, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let id = try resolve(person, in: "person", db)
            try db.execute(sql: "UPDATE person SET suspended = ? WHERE id = ?", arguments: [suspended, id])
            try ActivityLog.append(ActivityDraft(at: date, kind: .personChanged, event: suspended ? "suspended" : "reinstated",
                                                 personID: id, actor: actor), in: db)
        }
    }

    /// Suspends a person's access from the first day to the last (inclusive, site days `YYYY-MM-DD`); nil clears it.
    public func setVacation(_ person: String, from start: String?, until end: String?, actor: String = "keyway", at date: Date = Date()) throws {
        guard (start == nil) == (end == nil), start.map({ $0 <= end! }) ?? true else {
            throw AccessError.invalid("a vacation needs a first and a last day, in order")
        }
        try change { db in
            let id = try resolve(person, in: "person", db)
            try db.execute(sql: "UPDATE person SET vacation_start = ?, vacation_end = ? WHERE id = ?", arguments: [start, end, id])
            try ActivityLog.append(ActivityDraft(at: date, kind: .personChanged, event: "vacation", personID: id,
                                                 detail: start.map { "\($0)…\(end!)" } ?? "cleared", actor: actor), in: db)
        }
    }

    // MARK: Doors, schedules, holidays, groups

    @discardableResult
    public func addDoor(name: String, mode: DoorMode = .card, scheduledMode: DoorMode? = nil, modeSchedule: String? = nil,
                        duressGrants: Bool = true, actor: String = "keyway", at date: Date = Date()) throws -> Door {
        try requireName(name, "door")
        guard (scheduledMode == nil) == (modeSchedule == nil) else {
            throw AccessError.invalid("a scheduled mode needs its schedule, and a mode schedule its mode")
        }
        return try change { db in
            try requireUnused(name, in: "door", db)
            let scheduleID = try modeSchedule.map { try resolve($0, in: "schedule", db) }
            let door = Door(id: Identifier.make("door"), name: name, mode: mode, scheduledMode: scheduledMode,
                            modeSchedule: scheduleID, duressGrants: duressGrants)
            try db.execute(sql: "INSERT INTO door (id, name, mode, scheduled_mode, mode_schedule_id, duress_grants) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [door.id, name, mode.rawValue, scheduledMode?.rawValue, scheduleID, duressGrants])
            try ActivityLog.append(ActivityDraft(at: date, kind: .policyChanged, event: "door_added", door: name,
                                                 detail: mode.rawValue, actor: actor), in: db)
            return door
        }
    }

    /// The door of that name, created with `mode` when missing (an existing door keeps its mode).
    @discardableResult
    public func ensureDoor(name: String, mode: DoorMode, actor: String = "keyway") throws -> Door {
        if let door = try doors().first(where: { $0.name == name }) { return door }
        do {
            return try addDoor(name: name, mode: mode, actor: actor)
        } catch AccessError.conflict {
            // Another process created it in between.
            guard let door = try doors().first(where: { $0.name == name }) else { throw AccessError.notFound(what: "door", name) }
            return door
        }
    }

    /// Changes a door's base mode (e.g. into and out of lockdown).
    public func setMode(door: String, _ mode: DoorMode, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let id = try resolve(door, in: "door", db)
            try db.execute(sql: "UPDATE door SET mode = ? WHERE id = ?", arguments: [mode.rawValue, id])
            try ActivityLog.append(ActivityDraft(at: date, kind: .policyChanged, event: "door_mode", door: try name(of: id, in: "door", db),
                                                 detail: mode.rawValue, actor: actor), in: db)
        }
    }

    public func doors() throws -> [Door] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.id, d.name, d.mode, d.scheduled_mode, s.name, d.duress_grants
                FROM door d LEFT JOIN schedule s ON s.id = d.mode_schedule_id ORDER BY d.name
                """).map { row in
                Door(id: row[0], name: row[1], mode: DoorMode(rawValue: row[2]) ?? .lockdown,
                     scheduledMode: (row[3] as String?).flatMap(DoorMode.init(rawValue:)), modeSchedule: row[4], duressGrants: row[5])
            }
        }
    }

    @discardableResult
    public func addSchedule(name: String, intervals: [ScheduleInterval], openOnHolidays: Bool = false,
                            actor: String = "keyway", at date: Date = Date()) throws -> ScheduleRecord {
        try requireName(name, "schedule")
        guard !intervals.isEmpty, intervals.allSatisfy({ !$0.days.isEmpty && $0.start != $0.end }) else {
            throw AccessError.invalid("a schedule needs days and a time range that is not empty")
        }
        let schedule = ScheduleRecord(id: Identifier.make("sch"), name: name)
        return try change { db in
            try requireUnused(name, in: "schedule", db)
            try db.execute(sql: "INSERT INTO schedule (id, name, open_on_holidays) VALUES (?, ?, ?)",
                           arguments: [schedule.id, name, openOnHolidays])
            for interval in intervals {
                try db.execute(sql: "INSERT INTO schedule_interval (schedule_id, days, start_minute, end_minute) VALUES (?, ?, ?, ?)",
                               arguments: [schedule.id, interval.days.rawValue, interval.start.minutes, interval.end.minutes])
            }
            try ActivityLog.append(ActivityDraft(at: date, kind: .policyChanged, event: "schedule_added", detail: name, actor: actor), in: db)
            return schedule
        }
    }

    /// A holiday: a site day (`YYYY-MM-DD`) on which schedules are closed unless they are open on holidays.
    public func addHoliday(day: String, name: String? = nil, actor: String = "keyway", at date: Date = Date()) throws {
        guard SiteTime.parseDay(day) != nil else { throw AccessError.invalid("a holiday is a date YYYY-MM-DD, not '\(day)'") }
        try change { db in
            guard try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM holiday WHERE day = ?)", arguments: [day])! else {
                throw AccessError.conflict("\(day) is already a holiday")
            }
            try db.execute(sql: "INSERT INTO holiday (day, name) VALUES (?, ?)", arguments: [day, name])
            try ActivityLog.append(ActivityDraft(at: date, kind: .policyChanged, event: "holiday_added",
                                                 detail: [day, name].compactMap { $0 }.joined(separator: " "), actor: actor), in: db)
        }
    }

    /// A group of doors, each open always or on a schedule.
    @discardableResult
    public func addGroup(name: String, doors: [(door: String, schedule: String?)], actor: String = "keyway",
                         at date: Date = Date()) throws -> AccessGroup {
        try requireName(name, "group")
        guard !doors.isEmpty else { throw AccessError.invalid("a group needs at least one door") }
        let group = AccessGroup(id: Identifier.make("grp"), name: name)
        return try change { db in
            try requireUnused(name, in: "access_group", db)
            try db.execute(sql: "INSERT INTO access_group (id, name) VALUES (?, ?)", arguments: [group.id, name])
            for (door, schedule) in doors {
                let doorID = try resolve(door, in: "door", db)
                try db.execute(sql: "INSERT INTO group_door (group_id, door_id, schedule_id) VALUES (?, ?, ?)",
                               arguments: [group.id, doorID, try schedule.map { try resolve($0, in: "schedule", db) }])
            }
            try ActivityLog.append(ActivityDraft(at: date, kind: .policyChanged, event: "group_added", detail: name, actor: actor), in: db)
            return group
        }
    }

    /// Adds a person to a group: their cards and PINs open its doors on its schedules.
    public func grant(person: String, group: String, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let personID = try resolve(person, in: "person", db)
            let groupID = try resolve(group, in: "access_group", db)
            try db.execute(sql: "INSERT OR IGNORE INTO person_group (person_id, group_id) VALUES (?, ?)", arguments: [personID, groupID])
            try ActivityLog.append(ActivityDraft(at: date, kind: .personChanged, event: "granted", personID: personID,
                                                 detail: try name(of: groupID, in: "access_group", db), actor: actor), in: db)
        }
    }

    // MARK: Credentials

    @discardableResult
    public func addCard(person: String, card: CardData, validFrom: Date? = nil, validUntil: Date? = nil,
                        actor: String = "keyway", at date: Date = Date()) throws -> Credential {
        let ids = try addCards([CardEnrollment(person: person, card: card, validFrom: validFrom, validUntil: validUntil)], actor: actor, at: date)
        return try credential(ids[0])
    }

    /// Enrolls many cards in one transaction (all or none), e.g. when migrating from another system; returns their ids.
    @discardableResult
    public func addCards(_ enrollments: [CardEnrollment], actor: String = "keyway", at date: Date = Date()) throws -> [String] {
        for enrollment in enrollments {
            try requireWindow(enrollment.validFrom, enrollment.validUntil)
            if case .fields(_, _, let number) = enrollment.card, number > UInt64(Int64.max) {
                throw AccessError.invalid("card number \(number) is out of range")
            }
        }
        return try change { db in
            var people: [String: String] = [:]
            return try enrollments.map { enrollment in
                let personID = try people[enrollment.person] ?? resolve(enrollment.person, in: "person", db)
                people[enrollment.person] = personID
                return try insertCard(enrollment, personID: personID, actor: actor, at: date, db)
            }
        }
    }

    private func insertCard(_ enrollment: CardEnrollment, personID: String, actor: String, at date: Date, _ db: Database) throws -> String {
        let card = enrollment.card
        if let holder = try AllowlistQueries.credentials(for: .card(card), in: db)
            .first(where: { !$0.revoked && ($0.validUntil.map { $0 > date.timeIntervalSince1970 } ?? true) }) {
            throw AccessError.conflict("card \(RuleEngine.shown(card)) is already assigned (\(holder.id)); revoke it first")
        }
        let fields: (format: String?, facility: Int64?, number: Int64?, bits: String?) = switch card {
        case .fields(let format, let facility, let number): (format, facility.map { Int64($0) }, Int64(number), nil)
        case .raw(let bits): (nil, nil, nil, AllowlistQueries.bitString(bits))
        }
        let id = Identifier.make("card")
        try db.execute(sql: """
            INSERT INTO credential (id, kind, person_id, card_format, facility, card_number, card_bits, valid_from, valid_until,
                                    created_at, created_by)
            VALUES (?, 'card', ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, personID, fields.format, fields.facility, fields.number, fields.bits,
                             enrollment.validFrom?.timeIntervalSince1970, enrollment.validUntil?.timeIntervalSince1970,
                             date.timeIntervalSince1970, actor])
        try logCreated(id, personID: personID, detail: RuleEngine.shown(card), actor: actor, at: date, db)
        return id
    }

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
        return try addCode(kind: .passcode, person: request.person, label: request.label, doors: request.doors,
                           validFrom: request.validFrom, validUntil: request.validUntil, schedule: request.schedule,
                           uses: request.uses, code: request.code, duress: request.duress, rotatedFrom: nil, actor: actor, at: date)
    }

    /// Replaces a PIN or passcode by a new code from `effective`; the old one keeps working for `overlap` after
    /// that, then is refused. The new one inherits everything else.
    @discardableResult
    public func rotateCode(_ id: String, effective: Date, overlap: TimeInterval, code: String? = nil,
                           actor: String = "keyway", at date: Date = Date()) throws -> IssuedCode {
        let old = try pool.read { try credential(id, $0) }
        guard old.kind.isCode else { throw AccessError.invalid("\(id) is a \(old.kind.rawValue), not a PIN or passcode") }
        guard old.isActive(at: date) || (old.validFrom.map { $0 > date } ?? false) && old.revokedAt == nil else {
            throw AccessError.invalid("\(id) is no longer active")
        }
        let oldEnd = effective + overlap
        return try change { db in
            let issued = try insertCode(kind: old.kind, person: old.person, label: old.label, doors: old.doors,
                                        validFrom: max(effective, old.validFrom ?? effective), validUntil: old.validUntil,
                                        schedule: old.schedule, uses: old.usesLeft.map(UseLimit.count) ?? .unlimited, code: code,
                                        duress: old.duress, rotatedFrom: id, actor: actor, at: date, db)
            try db.execute(sql: "UPDATE credential SET valid_until = min(coalesce(valid_until, ?), ?) WHERE id = ?",
                           arguments: [oldEnd.timeIntervalSince1970, oldEnd.timeIntervalSince1970, id])
            try ActivityLog.append(ActivityDraft(at: date, kind: .credentialRevoked, event: "rotated", credentialID: id,
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
        let personID = try person.map { try resolve($0, in: "person", db) }
        let doorIDs = try doors.map { try resolve($0, in: "door", db) }
        let scheduleID = try schedule.map { try resolve($0, in: "schedule", db) }
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
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM credential WHERE code_digest = ? AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > ?))
            """, arguments: [digest.bytes, date.timeIntervalSince1970])!
    }

    private func generateUnusedCode(at date: Date, _ db: Database) throws -> String {
        for _ in 0..<100 {
            let code = codePolicy.generate()
            if try !codeInUse(secrets.digest(ofCode: code), at: date, db) { return code }
        }
        throw AccessError.conflict("could not find a free code; use longer codes")
    }

    /// A digital key for a person's doors; `mayShare` lets them share it on.
    @discardableResult
    public func issueKey(person: String, doors: [String], validUntil: Date? = nil, mayShare: Bool = false,
                         actor: String = "keyway", at date: Date = Date()) throws -> IssuedKey {
        guard !doors.isEmpty else { throw AccessError.invalid("a key needs at least one door") }
        try requireWindow(date, validUntil)
        return try addKey(person: person, recipient: nil, parent: nil, doors: doors, validUntil: validUntil,
                          mayShare: mayShare, actor: actor, at: date)
    }

    /// Shares a key that allows it with a recipient (an email or phone number): a new key for the same doors,
    /// linked to its parent, that ends no later than it and cannot be shared on. Revoking the parent revokes it.
    @discardableResult
    public func shareKey(_ id: String, to recipient: String, validUntil: Date? = nil, actor: String = "keyway",
                         at date: Date = Date()) throws -> IssuedKey {
        guard Self.isRecipient(recipient) else {
            throw AccessError.invalid("'\(recipient)' is neither an email address nor a phone number")
        }
        let parent = try pool.read { try credential(id, $0) }
        guard parent.kind == .key else { throw AccessError.invalid("\(id) is not a digital key") }
        guard parent.isActive(at: date) else { throw AccessError.invalid("key \(id) is not active") }
        guard parent.mayShare else { throw AccessError.invalid("key \(id) may not be shared") }
        let until = [validUntil, parent.validUntil].compactMap { $0 }.min()
        try requireWindow(date, until)
        return try addKey(person: nil, recipient: recipient, parent: id, doors: parent.doors, validUntil: until,
                          mayShare: false, actor: actor, at: date)
    }

    static func isRecipient(_ text: String) -> Bool {
        let email = text.split(separator: "@", omittingEmptySubsequences: false)
        if email.count == 2, !email[0].isEmpty, email[1].contains("."), !text.contains(" ") { return true }
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return (6...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private func addKey(person: String?, recipient: String?, parent: String?, doors: [String], validUntil: Date?, mayShare: Bool,
                        actor: String, at date: Date) throws -> IssuedKey {
        let id = Identifier.make("key")
        let token = try DigitalKeyToken(keyID: id, expiry: validUntil).encoded(signingWith: secrets.signingKey)
        return try change { db in
            let personID = try person.map { try resolve($0, in: "person", db) }
            let doorIDs = try Set(doors.map { try resolve($0, in: "door", db) })
            try db.execute(sql: """
                INSERT INTO credential (id, kind, person_id, valid_until, parent_id, may_share, recipient, created_at, created_by)
                VALUES (?, 'key', ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, personID, validUntil?.timeIntervalSince1970, parent, mayShare, recipient,
                                 date.timeIntervalSince1970, actor])
            for doorID in doorIDs {
                try db.execute(sql: "INSERT INTO credential_door (credential_id, door_id) VALUES (?, ?)", arguments: [id, doorID])
            }
            try logCreated(id, personID: personID, detail: [parent.map { "shared from \($0)" }, recipient.map { "to \($0)" }]
                .compactMap { $0 }.joined(separator: " "), actor: actor, at: date, db)
            return IssuedKey(credential: try credential(id, db), token: token)
        }
    }

    /// Revokes a credential at once, recording who, when and why; a key takes every share made from it along.
    /// Returns the ids revoked.
    @discardableResult
    public func revoke(_ id: String, reason: String? = nil, actor: String = "keyway", at date: Date = Date()) throws -> [String] {
        try change { db in
            guard let revokedAt = try Row.fetchOne(db, sql: "SELECT revoked_at FROM credential WHERE id = ?", arguments: [id]) else {
                throw AccessError.notFound(what: "credential", id)
            }
            guard (revokedAt[0] as Double?) == nil else { throw AccessError.conflict("\(id) is already revoked") }
            let ids = try String.fetchAll(db, sql: """
                WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT c.id FROM credential c JOIN tree ON c.parent_id = tree.id)
                SELECT c.id FROM credential c JOIN tree USING (id) WHERE c.revoked_at IS NULL
                """, arguments: [id])
            for revoked in ids {
                try db.execute(sql: "UPDATE credential SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE id = ?",
                               arguments: [date.timeIntervalSince1970, actor, reason, revoked])
                try ActivityLog.append(ActivityDraft(at: date, kind: .credentialRevoked, event: "revoked", credentialID: revoked,
                                                     detail: revoked == id ? reason : "cascade from \(id)", actor: actor), in: db)
            }
            return ids
        }
    }

    /// Credentials, optionally one person's and only those active at `activeAt`.
    public func credentials(person: String? = nil, activeAt: Date? = nil) throws -> [Credential] {
        try pool.read { db in
            let personID = try person.map { try resolve($0, in: "person", db) }
            let ids = try String.fetchAll(db, sql: "SELECT id FROM credential WHERE person_id IS ? OR ? IS NULL ORDER BY created_at, id",
                                          arguments: [personID, personID])
            return try ids.map { try credential($0, db) }.filter { credential in activeAt.map(credential.isActive(at:)) ?? true }
        }
    }

    public func credential(_ id: String) throws -> Credential {
        try pool.read { try credential(id, $0) }
    }

    private func credential(_ id: String, _ db: Database) throws -> Credential {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT c.id, c.kind, p.name, c.label, c.card_format, c.facility, c.card_number, c.card_bits, c.code_mask,
                   c.valid_from, c.valid_until, s.name, c.uses_left, c.duress, c.parent_id, c.recipient, c.may_share,
                   c.revoked_at, c.revoked_by, c.revoked_reason
            FROM credential c LEFT JOIN person p ON p.id = c.person_id LEFT JOIN schedule s ON s.id = c.schedule_id
            WHERE c.id = ?
            """, arguments: [id]) else { throw AccessError.notFound(what: "credential", id) }
        let doors = try String.fetchAll(db, sql: """
            SELECT d.name FROM credential_door cd JOIN door d ON d.id = cd.door_id WHERE cd.credential_id = ? ORDER BY d.name
            """, arguments: [id])
        let shown: String? = if let number: Int64 = row[6], let format: String = row[4] {
            RuleEngine.shown(.fields(format: format, facility: (row[5] as Int64?).map { UInt32(truncatingIfNeeded: $0) },
                                     number: UInt64(bitPattern: number)))
        } else if let bits: String = row[7] {
            "card raw \(bits)"
        } else {
            row[8]
        }
        let date = { (value: Double?) in value.map(Date.init(timeIntervalSince1970:)) }
        return Credential(
            id: row[0], kind: CredentialKind(rawValue: row[1]) ?? .card, person: row[2], label: row[3], shown: shown, doors: doors,
            validFrom: date(row[9]), validUntil: date(row[10]), schedule: row[11], usesLeft: row[12], duress: row[13],
            parent: row[14], recipient: row[15], mayShare: row[16], revokedAt: date(row[17]), revokedBy: row[18], revokedReason: row[19])
    }

    private func logCreated(_ id: String, personID: String?, detail: String, actor: String, at date: Date, _ db: Database) throws {
        try ActivityLog.append(ActivityDraft(at: date, kind: .credentialCreated, credentialID: id, personID: personID,
                                             detail: detail.isEmpty ? nil : detail, actor: actor), in: db)
    }

    // MARK: Activity log

    /// Log rows after `sequence` (0: from the start), optionally since a time and at one door (id or name).
    public func activity(after sequence: Int64 = 0, since: Date? = nil, door: String? = nil, limit: Int? = nil) throws -> [ActivityEntry] {
        try pool.read { db in
            let doorName = try door.map { try name(of: resolve($0, in: "door", db), in: "door", db) }
            return try ActivityLog.entries(after: sequence, since: since, door: doorName, limit: limit, in: db)
        }
    }

    /// Checks the whole hash chain.
    public func verifyLog() throws -> LogVerification {
        try pool.read { try ActivityLog.verify(in: $0) }
    }

    // MARK: Names and ids

    /// An id or an exact name, in one of the named tables.
    func resolve(_ text: String, in table: String, _ db: Database) throws -> String {
        let ids = try String.fetchAll(db, sql: "SELECT id FROM \(table) WHERE id = ? OR name = ? LIMIT 2", arguments: [text, text])
        guard ids.count == 1 else { throw AccessError.notFound(what: Self.noun[table] ?? table, text) }
        return ids[0]
    }

    /// Resolves a door (id or name) to its name: decisions and the log name doors as the bridge does.
    public func doorName(_ text: String) throws -> String {
        try pool.read { db in try name(of: resolve(text, in: "door", db), in: "door", db) }
    }

    private func name(of id: String, in table: String, _ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT name FROM \(table) WHERE id = ?", arguments: [id]) ?? id
    }

    private static let noun = ["person": "person", "door": "door", "schedule": "schedule", "access_group": "group"]

    private func requireName(_ name: String, _ what: String) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name == name.trimmingCharacters(in: .whitespaces) else {
            throw AccessError.invalid("a \(what) name must not be empty or start or end with spaces")
        }
    }

    private func requireUnused(_ name: String, in table: String, _ db: Database) throws {
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE name = ? OR id = ?)", arguments: [name, name])! {
            throw AccessError.conflict("a \(Self.noun[table] ?? table) named '\(name)' already exists")
        }
    }

    private func requireWindow(_ from: Date?, _ until: Date?) throws {
        if let from, let until, until <= from { throw AccessError.invalid("the validity window ends before it starts") }
    }
}

/// Identifiers that say what they name (`per_…`, `card_…`, `key_…`): a prefix and 10 random base-32 characters,
/// 15 characters at most so they stay inline in memory.
enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    static func make(_ prefix: String) -> String {
        var random = SystemRandomNumberGenerator()
        return prefix + "_" + String((0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
    }
}

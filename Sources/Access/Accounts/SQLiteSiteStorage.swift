import Foundation
import GRDB

/// `AccountStorage` and `AccessStorage` on the site's SQLite database, through the access core (so changes reach
/// its verification cache before they return). SQLite calls block, so each runs on a thread of its own queue, never
/// on the few cooperative threads the doors are served from.
public final class SQLiteSiteStorage: AccountStorage, AccessStorage, Sendable {
    let access: AccessControl
    var store: AccessStore { access.store }
    public let siteID: String
    private static let queue = DispatchQueue(label: "keyway.api.storage", attributes: .concurrent)

    public init(access: AccessControl) throws {
        self.access = access
        siteID = try access.store.pool.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT site_id FROM api_site") else {
                throw AccessError.corrupt("the site has no id (api_site is empty)")
            }
            return id
        }
    }

    func blocking<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    // MARK: Accounts

    public func addUser(_ new: NewUser, actor: String, at date: Date) async throws -> User {
        try await blocking { [store, siteID] in
            try store.change { db in
                guard try !Bool(exists: "SELECT 1 FROM api_user WHERE email = ?", [new.email], db) else {
                    throw AccessError.conflict("an account with the e-mail \(new.email) exists")
                }
                let personID = try new.person.map { try store.resolve($0, in: PersonRow.self, db) }
                let id = "usr_" + UUID().uuidString.lowercased()
                try db.execute(sql: """
                    INSERT INTO api_user (id, site_id, email, name, role, person_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, siteID, new.email, new.name, new.role.rawValue, personID, date.timeIntervalSince1970, actor])
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "user_added", personID: personID,
                                                   detail: "\(id) \(new.role.rawValue) \(new.email)", actor: actor), in: db)
                return try Self.user(id: id, db)!
            }
        }
    }

    public func users() async throws -> [User] {
        try await blocking { [store] in
            try store.pool.read { db in try Row.fetchAll(db, sql: Self.userSelection + " ORDER BY u.created_at, u.id").map(Self.user(from:)) }
        }
    }

    public func user(id: String) async throws -> User? {
        try await blocking { [store] in try store.pool.read { try Self.user(id: id, $0) } }
    }

    public func user(email: String) async throws -> User? {
        try await blocking { [store] in
            try store.pool.read { db in try Row.fetchOne(db, sql: Self.userSelection + " WHERE u.email = ?", arguments: [email]).map(Self.user(from:)) }
        }
    }

    public func setDisabled(user id: String, _ disabled: Bool, actor: String, at date: Date) async throws -> User {
        try await blocking { [store] in
            try store.change { db in
                try db.execute(sql: "UPDATE api_user SET disabled = ? WHERE id = ?", arguments: [disabled, id])
                guard db.changesCount == 1, let user = try Self.user(id: id, db) else { throw AccessError.notFound(what: "user", id) }
                if disabled {
                    try db.execute(sql: "UPDATE api_session SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                                   arguments: [date.timeIntervalSince1970, id])
                }
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: disabled ? "user_disabled" : "user_enabled",
                                                   personID: user.personID, detail: id, actor: actor), in: db)
                return user
            }
        }
    }

    public func setRole(user id: String, _ role: Role, person: String?, actor: String, at date: Date) async throws -> User {
        try await blocking { [store] in
            try store.change { db in
                let personID = try person.map { try store.resolve($0, in: PersonRow.self, db) }
                try db.execute(sql: "UPDATE api_user SET role = ?, person_id = ? WHERE id = ?", arguments: [role.rawValue, personID, id])
                guard db.changesCount == 1, let user = try Self.user(id: id, db) else { throw AccessError.notFound(what: "user", id) }
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "user_role_changed", personID: personID,
                                                   detail: "\(id) \(role.rawValue)\(user.person.map { " \($0)" } ?? "")", actor: actor), in: db)
                return user
            }
        }
    }

    public func passwordHash(user id: String) async throws -> String? {
        try await blocking { [store] in
            try store.pool.read { db in try String.fetchOne(db, sql: "SELECT password_hash FROM api_user WHERE id = ?", arguments: [id]) }
        }
    }

    public func addPasswordLink(user id: String, digest: Data, expiresAt: Date, actor: String, at date: Date) async throws {
        try await blocking { [store] in
            try store.change { db in
                guard try Self.user(id: id, db) != nil else { throw AccessError.notFound(what: "user", id) }
                try db.execute(sql: "UPDATE api_password_link SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                               arguments: [date.timeIntervalSince1970, id])
                try db.execute(sql: "INSERT INTO api_password_link (digest, user_id, expires_at) VALUES (?, ?, ?)",
                               arguments: [digest, id, expiresAt.timeIntervalSince1970])
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "password_link_made", detail: id, actor: actor), in: db)
            }
        }
    }

    public func usePasswordLink(digest: Data, passwordHash: String, at date: Date) async throws -> User? {
        try await blocking { [store] in
            try store.change { db -> User? in
                guard let userID = try String.fetchOne(db, sql: """
                    SELECT user_id FROM api_password_link WHERE digest = ? AND used_at IS NULL AND expires_at > ?
                    """, arguments: [digest, date.timeIntervalSince1970]) else { return nil }
                try db.execute(sql: "UPDATE api_password_link SET used_at = ? WHERE digest = ?", arguments: [date.timeIntervalSince1970, digest])
                try db.execute(sql: "UPDATE api_user SET password_hash = ? WHERE id = ?", arguments: [passwordHash, userID])
                try db.execute(sql: "UPDATE api_session SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                               arguments: [date.timeIntervalSince1970, userID])
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "password_set", detail: userID, actor: userID), in: db)
                return try Self.user(id: userID, db)
            }
        }
    }

    // MARK: Sessions

    public func startSession(_ session: NewSession, at date: Date) async throws {
        try await blocking { [store] in
            try store.change { db in
                try db.execute(sql: """
                    INSERT INTO api_session (digest, id, user_id, csrf_digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [session.digest, session.id, session.userID, session.csrfDigest, date.timeIntervalSince1970,
                                     session.expiresAt.timeIntervalSince1970])
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "logged_in", detail: session.id,
                                                   actor: session.userID), in: db)
            }
        }
    }

    public func session(digest: Data, at date: Date) async throws -> (session: SessionRecord, user: User)? {
        try await blocking { [store] in
            try store.pool.read { db in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT id, user_id, csrf_digest, expires_at FROM api_session WHERE digest = ? AND ended_at IS NULL AND expires_at > ?
                    """, arguments: [digest, date.timeIntervalSince1970]), let user = try Self.user(id: row["user_id"], db) else { return nil }
                return (SessionRecord(id: row["id"], userID: row["user_id"], csrfDigest: row["csrf_digest"],
                                      expiresAt: Date(timeIntervalSince1970: row["expires_at"])), user)
            }
        }
    }

    public func endSession(digest: Data, at date: Date) async throws {
        try await blocking { [store] in
            try store.change { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT id, user_id FROM api_session WHERE digest = ? AND ended_at IS NULL",
                                                 arguments: [digest]) else { return }
                try db.execute(sql: "UPDATE api_session SET ended_at = ? WHERE digest = ?", arguments: [date.timeIntervalSince1970, digest])
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "logged_out", detail: row["id"],
                                                   actor: row["user_id"]), in: db)
            }
        }
    }

    // MARK: Tokens

    public func addToken(_ token: NewAPIToken, actor: String, at date: Date) async throws -> APIToken {
        try await blocking { [store, siteID] in
            try store.change { db in
                try db.execute(sql: """
                    INSERT INTO api_token (id, site_id, digest, user_id, name, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [token.id, siteID, token.digest, token.userID, token.name, token.role.rawValue,
                                     date.timeIntervalSince1970, token.expiresAt?.timeIntervalSince1970])
                for door in Set(token.doors ?? []) {
                    try db.execute(sql: "INSERT OR IGNORE INTO api_token_door (token_id, door_id) VALUES (?, ?)",
                                   arguments: [token.id, try store.resolve(door, in: DoorRow.self, db)])
                }
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "token_created",
                                                   detail: "\(token.id) \(token.role.rawValue) \(token.name)", actor: actor), in: db)
                return try Self.token(id: token.id, db)!
            }
        }
    }

    public func tokens(user id: String?) async throws -> [APIToken] {
        try await blocking { [store] in
            try store.pool.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM api_token WHERE user_id = ? OR ? IS NULL ORDER BY created_at, id", arguments: [id, id])
                    .compactMap { try Self.token(id: $0, db) }
            }
        }
    }

    /// The last use is written when the one recorded is a minute old or more: a busy integration does not take the
    /// database's write lock (which the doors' decisions need) on every request.
    public func token(digest: Data, at date: Date) async throws -> (token: APIToken, user: User)? {
        try await blocking { [store] in
            let found = try store.pool.read { db -> (token: APIToken, user: User)? in
                guard let id = try String.fetchOne(db, sql: """
                    SELECT id FROM api_token WHERE digest = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                    """, arguments: [digest, date.timeIntervalSince1970]),
                    let token = try Self.token(id: id, db), let user = try Self.user(id: token.userID, db) else { return nil }
                return (token, user)
            }
            if let found, found.token.lastUsedAt.map({ date.timeIntervalSince($0) >= 60 }) ?? true {
                try store.pool.write { db in
                    try db.execute(sql: "UPDATE api_token SET last_used_at = ? WHERE id = ?", arguments: [date.timeIntervalSince1970, found.token.id])
                }
            }
            return found
        }
    }

    public func revokeToken(_ id: String, actor: String, at date: Date) async throws -> APIToken {
        try await blocking { [store] in
            try store.change { db in
                try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               arguments: [date.timeIntervalSince1970, id])
                guard db.changesCount == 1, let token = try Self.token(id: id, db) else { throw AccessError.notFound(what: "active token", id) }
                try store.log.append(ActivityDraft(at: date, kind: .accountChanged, event: "token_revoked", detail: id, actor: actor), in: db)
                return token
            }
        }
    }

    // MARK: Keys, passcodes, doors, log

    public func doors() async throws -> [Door] {
        try await blocking { [store] in try store.doors() }
    }

    public func issueKey(person: String, doors: [String], validUntil: Date?, mayShare: Bool, actor: String, at date: Date) async throws -> IssuedKey {
        try await blocking { [store] in try store.issueKey(person: person, doors: doors, validUntil: validUntil, mayShare: mayShare, actor: actor, at: date) }
    }

    public func shareKey(_ id: String, to recipient: String, doors: [String]?, validFrom: Date?, validUntil: Date?, mayShare: Bool,
                         message: MessageRequest?, actor: String, at date: Date) async throws -> IssuedKey {
        try await blocking { [store] in
            try store.shareKey(id, to: recipient, doors: doors, validFrom: validFrom, validUntil: validUntil, mayShare: mayShare,
                               message: message, actor: actor, at: date)
        }
    }

    public func createPasscode(_ request: PasscodeRequest, actor: String, at date: Date) async throws -> IssuedCode {
        try await blocking { [store] in try store.createPasscode(request, actor: actor, at: date) }
    }

    public func rotateCode(_ id: String, overlap: TimeInterval, actor: String, at date: Date) async throws -> IssuedCode {
        try await blocking { [store] in try store.rotateCode(id, effective: date, overlap: overlap, actor: actor, at: date) }
    }

    public func credential(_ id: String) async throws -> IssuedCredential {
        try await blocking { [store] in try store.pool.read { db in try Self.issued(id, store, db) } }
    }

    public func credentials(_ query: CredentialQuery) async throws -> [IssuedCredential] {
        guard query.kind == .key || query.kind == .passcode else { throw AccessError.invalid("only keys and passcodes are listed here") }
        return try await blocking { [store] in
            try store.pool.read { db in
                var sql = "SELECT id FROM credential WHERE kind = ?"
                var arguments: [any DatabaseValueConvertible & Sendable] = [query.kind.rawValue]
                var owner: [String] = []
                if let person = query.personID {
                    owner.append("person_id = ?")
                    arguments.append(person)
                }
                if let issuer = query.issuedBy {
                    owner += ["created_by = ?", "(created_by >= ? AND created_by < ?)"]
                    let tokens = Self.viaTokens(of: issuer)
                    arguments += [issuer, tokens.from, tokens.before]
                }
                if let unit = query.issuedInUnit {
                    owner.append("id IN (SELECT credential_id FROM credential_issuer WHERE unit_id = ?)")
                    arguments.append(unit)
                }
                if !owner.isEmpty { sql += " AND (" + owner.joined(separator: " OR ") + ")" }
                if let date = query.activeAt {
                    sql += " AND revoked_at IS NULL AND (valid_from IS NULL OR valid_from <= ?) AND (valid_until IS NULL OR valid_until > ?)"
                    arguments += [date.timeIntervalSince1970, date.timeIntervalSince1970]
                }
                if let after = query.after {
                    sql += " AND rowid > coalesce((SELECT rowid FROM credential WHERE id = ?), 9223372036854775807)"
                    arguments.append(after)
                }
                sql += " ORDER BY rowid LIMIT \(max(1, query.limit))"
                return try String.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map { $0 as any DatabaseValueConvertible }))
                    .map { try Self.issued($0, store, db) }
            }
        }
    }

    public func revoke(_ id: String, reason: String?, actor: String, at date: Date) async throws -> [String] {
        try await blocking { [store] in try store.revoke(id, reason: reason, actor: actor, at: date) }
    }

    public func presentationToken(forKey id: String) async throws -> String {
        try await blocking { [store] in
            let key = try store.credential(id)
            guard key.kind == .key else { throw AccessError.invalid("\(id) is not a digital key") }
            return try DigitalKeyToken(keyID: id, expiry: key.validUntil).encoded(signingWith: store.secrets.signingKey)
        }
    }

    public func activity(_ query: ActivityQuery) async throws -> [ActivityEntry] {
        try await blocking { [store] in
            try store.pool.read { db in
                let (sql, arguments) = try Self.activityStatement(query, store: store, db)
                return try Row.fetchAll(db, sql: sql, arguments: arguments).map(ActivityLog.entry(from:))
            }
        }
    }

    /// The SQL of an activity page. Every filter is answered by an index walked newest first (migration `api2`),
    /// so a page costs about its length, not the log's. A resident's scope is a union of such walks (their person,
    /// their own actions, their tokens' actions, their credentials'), each limited to the page, then merged: an OR
    /// of them would read the whole log.
    static func activityStatement(_ query: ActivityQuery, store: AccessStore, _ db: Database) throws -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
            conditions.append(condition)
            arguments += values
        }
        if let from = query.from { add("at_ms >= ?", [Self.milliseconds(from)]) }
        if let until = query.until { add("at_ms < ?", [Self.milliseconds(until)]) }
        if let door = query.door { add("door = ?", [try store.name(of: store.resolve(door, in: DoorRow.self, db), in: DoorRow.self, db)]) }
        if let person = query.person { add("person_id = ?", [try store.resolve(person, in: PersonRow.self, db)]) }
        if let credential = query.credential { add("credential_id = ?", [credential]) }
        if let outcome = query.outcome { add("outcome = ?", [outcome]) }
        if let reason = query.reason { add("reason = ?", [reason]) }
        if let doors = query.doors {
            add("door IN (\(doors.map { _ in "?" }.joined(separator: ", ")))", doors)
        }
        if let after = query.after { add("seq > ?", [after]) }
        let order = query.after == nil ? "DESC" : "ASC"
        let limit = " ORDER BY seq \(order) LIMIT \(max(1, query.limit))"
        // A time range's page walks the time index newest first (ties by sequence) and stops at the page: ordered by
        // sequence, it would either sort the whole range or read the log down to the range. The cursor stays the
        // last row's sequence; the row's time is looked up with it.
        if query.scope == nil, query.after == nil, query.from != nil || query.until != nil {
            if let before = query.before { add("(at_ms, seq) < ((SELECT at_ms FROM activity WHERE seq = ?), ?)", [before, before]) }
            return ("SELECT * FROM activity INDEXED BY activity_at" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                        + " ORDER BY at_ms DESC, seq DESC LIMIT \(max(1, query.limit))", StatementArguments(arguments))
        }
        if let before = query.before { add("seq < ?", [before]) }
        func whereClause(_ extra: [String]) -> String {
            let all = extra + conditions
            return all.isEmpty ? "" : " WHERE " + all.joined(separator: " AND ")
        }
        guard let scope = query.scope else {
            return ("SELECT * FROM activity" + whereClause([]) + limit, StatementArguments(arguments))
        }
        let tokens = Self.viaTokens(of: scope.userID)
        let credentials = "SELECT id FROM credential WHERE person_id = ? UNION SELECT id FROM credential WHERE created_by = ? "
            + "UNION SELECT id FROM credential WHERE created_by >= ? AND created_by < ? "
            + "UNION SELECT credential_id FROM credential_issuer WHERE unit_id = ?"
        // Each walk is held to its own index: the planner, left to choose, takes a door's or a result's index
        // and reads thousands of other people's rows to find a resident's few.
        let branches: [(index: String, condition: String, values: [any DatabaseValueConvertible])] = [
            ("activity_person_seq", "person_id = ?", [scope.personID ?? ""]),
            ("activity_actor_seq", "actor = ?", [scope.userID]),
            ("activity_actor_seq", "actor >= ? AND actor < ?", [tokens.from, tokens.before]),
            ("activity_credential_seq", "credential_id IN (\(credentials))", [scope.personID ?? "", scope.userID, tokens.from, tokens.before,
                                                                             scope.unitID ?? ""]),
        ]
        var sql = "SELECT * FROM activity WHERE seq IN ("
        var all: [any DatabaseValueConvertible] = []
        for (index, branch) in branches.enumerated() {
            if index > 0 { sql += " UNION " }
            sql += "SELECT seq FROM (SELECT seq FROM activity INDEXED BY \(branch.index)" + whereClause([branch.condition]) + limit + ")"
            all += branch.values + arguments
        }
        return (sql + ")" + limit, StatementArguments(all))
    }

    // MARK: People

    public func people(search: String?, afterName: String?, limit: Int) async throws -> [Person] {
        try await blocking { [store] in
            try store.pool.read { db in
                var request = PersonRow.order(PersonRow.Columns.name).limit(max(1, limit))
                if let search {
                    // LIKE with its wildcards escaped: the text is matched as written.
                    let escaped = search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                        .replacingOccurrences(of: "_", with: "\\_")
                    request = request.filter(sql: "name LIKE ? ESCAPE '\\'", arguments: ["%" + escaped + "%"])
                }
                if let afterName { request = request.filter(PersonRow.Columns.name > afterName) }
                return try request.fetchAll(db).map(Self.person(from:))
            }
        }
    }

    public func addPerson(name: String, kind: PersonKind, actor: String, at date: Date) async throws -> Person {
        try await blocking { [store] in try store.addPerson(name: name, kind: kind, actor: actor, at: date) }
    }

    public func setSuspended(person: String, _ suspended: Bool, actor: String, at date: Date) async throws -> Person {
        try await blocking { [store] in
            try store.setSuspended(person, suspended, actor: actor, at: date)
            return try store.pool.read { db in
                guard let row = try PersonRow.fetchOne(db, key: try store.resolve(person, in: PersonRow.self, db)) else {
                    throw AccessError.notFound(what: "person", person)
                }
                return Self.person(from: row)
            }
        }
    }

    public func grant(person: String, group: String, actor: String, at date: Date) async throws {
        try await blocking { [store] in try store.grant(person: person, group: group, actor: actor, at: date) }
    }

    // MARK: Policy: groups, schedules, holidays

    public func addGroup(name: String, doors: [(door: String, schedule: String?)], actor: String, at date: Date) async throws -> AccessGroup {
        let doors = doors.map { DoorOnSchedule(door: $0.door, schedule: $0.schedule) }
        return try await blocking { [store] in
            try store.addGroup(name: name, doors: doors.map { ($0.door, $0.schedule) }, actor: actor, at: date)
        }
    }

    public func addSchedule(name: String, interval: ScheduleInterval, openOnHolidays: Bool, actor: String,
                            at date: Date) async throws -> ScheduleRecord {
        try await blocking { [store] in
            try store.addSchedule(name: name, intervals: [interval], openOnHolidays: openOnHolidays, actor: actor, at: date)
        }
    }

    public func addHoliday(day: String, name: String?, actor: String, at date: Date) async throws {
        try await blocking { [store] in try store.addHoliday(day: day, name: name, actor: actor, at: date) }
    }

    /// A group's door, Sendable to cross to the storage queue (a tuple of strings is not, to the compiler).
    private struct DoorOnSchedule: Sendable {
        let door: String
        let schedule: String?
    }

    private static func person(from row: PersonRow) -> Person {
        Person(id: row.id, name: row.name, kind: PersonKind(rawValue: row.kind) ?? .resident, suspended: row.suspended,
               vacationStart: row.vacationStart, vacationEnd: row.vacationEnd)
    }

    /// The range of actor strings an account's tokens write (`usr_… via tok_…`): an exact prefix as a range the
    /// indexes can use (LIKE would read the ids' underscores as wildcards). "!" follows the prefix's final space.
    private static func viaTokens(of userID: String) -> (from: String, before: String) {
        let prefix = APIActor.token("", of: userID)
        return (prefix, String(prefix.dropLast()) + "!")
    }

    // MARK: Rows

    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        // Dates come checked from the edge; anything beyond Int64 is clamped rather than trapping.
        guard value.isFinite else { return 0 }
        return value >= 9.2e18 ? Int64.max : value <= -9.2e18 ? Int64.min : Int64(value)
    }

    private static let userSelection = """
        SELECT u.*, p.name AS person_name FROM api_user u LEFT JOIN person p ON p.id = u.person_id
        """

    private static func user(id: String, _ db: Database) throws -> User? {
        try Row.fetchOne(db, sql: userSelection + " WHERE u.id = ?", arguments: [id]).map(user(from:))
    }

    private static func user(from row: Row) throws -> User {
        let roleText: String = row["role"]
        guard let role = Role(rawValue: roleText) else { throw AccessError.corrupt("account \(row["id"] as String) has an unknown role \(roleText)") }
        return User(id: row["id"], site: row["site_id"], email: row["email"], name: row["name"], role: role, personID: row["person_id"],
                    person: row["person_name"], disabled: row["disabled"], hasPassword: (row["password_hash"] as String?) != nil,
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    private static func token(id: String, _ db: Database) throws -> APIToken? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [id]) else { return nil }
        let roleText: String = row["role"]
        guard let role = Role(rawValue: roleText) else { throw AccessError.corrupt("token \(id) has an unknown role \(roleText)") }
        let doors = try String.fetchAll(db, sql: """
            SELECT d.name FROM api_token_door t JOIN door d ON d.id = t.door_id WHERE t.token_id = ? ORDER BY d.name
            """, arguments: [id])
        let date = { (value: Double?) in value.map(Date.init(timeIntervalSince1970:)) }
        return APIToken(id: id, site: row["site_id"], name: row["name"], role: role, doors: doors.isEmpty ? nil : doors, userID: row["user_id"],
                        createdAt: Date(timeIntervalSince1970: row["created_at"]), expiresAt: date(row["expires_at"]),
                        lastUsedAt: date(row["last_used_at"]), revokedAt: date(row["revoked_at"]))
    }

    static func issued(_ id: String, _ store: AccessStore, _ db: Database) throws -> IssuedCredential {
        let credential = try store.credential(id, db)
        let row = try Row.fetchOne(db, sql: """
            SELECT created_by, created_at, (SELECT unit_id FROM credential_issuer WHERE credential_id = credential.id) AS issuer_unit
            FROM credential WHERE id = ?
            """, arguments: [id])
        return IssuedCredential(credential: credential, issuer: row?["created_by"],
                                createdAt: Date(timeIntervalSince1970: row?["created_at"] ?? 0), issuerUnit: row?["issuer_unit"])
    }
}

private extension Bool {
    init(exists sql: String, _ arguments: StatementArguments, _ db: Database) throws {
        self = try Row.fetchOne(db, sql: sql, arguments: arguments) != nil
    }
}

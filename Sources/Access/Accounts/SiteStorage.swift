import Foundation

/// Accounts, password links, sessions and API tokens, as the HTTP API needs them. The API is written against this
/// protocol and `AccessStorage`, never against SQLite, so another backend (PostgreSQL for many sites) can be added.
/// Every secret arrives as a digest; every change is written to the activity log with its actor.
public protocol AccountStorage: Sendable {
    /// This site's globally unique id: every account and token belongs to it.
    var siteID: String { get }
    func addUser(_ user: NewUser, actor: String, at date: Date) async throws -> User
    func users() async throws -> [User]
    func user(id: String) async throws -> User?
    func user(email: String) async throws -> User?
    func setDisabled(user id: String, _ disabled: Bool, actor: String, at date: Date) async throws -> User
    /// Sets an account's role and person (id or name; nil: none); its sessions and tokens act with the new role at once.
    func setRole(user id: String, _ role: Role, person: String?, actor: String, at date: Date) async throws -> User
    func passwordHash(user id: String) async throws -> String?
    /// A one-time link to set the password; earlier unused links of the account stop working.
    func addPasswordLink(user id: String, digest: Data, expiresAt: Date, actor: String, at date: Date) async throws
    /// Uses a link (once, before it expires) to set the password; ends the account's sessions. nil: no such link.
    func usePasswordLink(digest: Data, passwordHash: String, at date: Date) async throws -> User?
    func startSession(_ session: NewSession, at date: Date) async throws
    /// A session not ended and not expired, with its account.
    func session(digest: Data, at date: Date) async throws -> (session: SessionRecord, user: User)?
    func endSession(digest: Data, at date: Date) async throws
    func addToken(_ token: NewAPIToken, actor: String, at date: Date) async throws -> APIToken
    /// Tokens, all or one account's.
    func tokens(user id: String?) async throws -> [APIToken]
    /// A token neither revoked nor expired, with its account; records the use.
    func token(digest: Data, at date: Date) async throws -> (token: APIToken, user: User)?
    func revokeToken(_ id: String, actor: String, at date: Date) async throws -> APIToken
}

/// The access core's keys, passcodes, doors and log, as the HTTP API needs them.
public protocol AccessStorage: UnitStorage, WebhookStorage, PersonCredentialStorage, AlertStorage, DirectoryStorage, Sendable {
    func doors() async throws -> [Door]
    func issueKey(person: String, doors: [String], validUntil: Date?, mayShare: Bool, actor: String, at date: Date) async throws -> IssuedKey
    /// A share of a key: doors a subset of its doors (nil: all), from `validFrom` (nil: now) to no later than it ends.
    func shareKey(_ id: String, to recipient: String, doors: [String]?, validFrom: Date?, validUntil: Date?, mayShare: Bool,
                  message: MessageRequest?, actor: String, at date: Date) async throws -> IssuedKey
    func createPasscode(_ request: PasscodeRequest, actor: String, at date: Date) async throws -> IssuedCode
    /// A new code in place of a PIN or passcode from `date`; the old one works `overlap` longer.
    func rotateCode(_ id: String, overlap: TimeInterval, actor: String, at date: Date) async throws -> IssuedCode
    func credential(_ id: String) async throws -> IssuedCredential
    /// Keys or passcodes (never cards or PINs), filtered in the database, a page at a time.
    func credentials(_ query: CredentialQuery) async throws -> [IssuedCredential]
    func revoke(_ id: String, reason: String?, actor: String, at date: Date) async throws -> [String]
    /// A key's presentation token, signed now (the same kind its holder got when it was issued).
    func presentationToken(forKey id: String) async throws -> String
    func activity(_ query: ActivityQuery) async throws -> [ActivityEntry]
    /// People by name, a page at a time: names containing `search` (case-insensitive), after `afterName`.
    func people(search: String?, afterName: String?, limit: Int) async throws -> [Person]
    func addPerson(name: String, kind: PersonKind, actor: String, at date: Date) async throws -> Person
    /// Suspends or reinstates a person (id or name): every credential of theirs stops or resumes at once.
    func setSuspended(person: String, _ suspended: Bool, actor: String, at date: Date) async throws -> Person
    /// Adds a person (id or name) to an access group (id or name).
    func grant(person: String, group: String, actor: String, at date: Date) async throws
    func addGroup(name: String, doors: [(door: String, schedule: String?)], actor: String, at date: Date) async throws -> AccessGroup
    func addSchedule(name: String, interval: ScheduleInterval, openOnHolidays: Bool, actor: String, at date: Date) async throws -> ScheduleRecord
    /// A holiday: a site day `YYYY-MM-DD`.
    func addHoliday(day: String, name: String?, actor: String, at date: Date) async throws
    /// Device-bound share links (see `AccessStore.registerDevice`): first device wins, the sharer may move it.
    func registerDevice(share id: String, publicKey: Data, at date: Date) async throws -> DeviceRegistration
    func deviceBinding(share id: String) async throws -> DeviceBinding?
    func deviceBindings(_ ids: [String]) async throws -> [String: DeviceBinding]
    /// True once per newer stamp signed by the bound key; false for a replay.
    func acceptDeviceStamp(share id: String, publicKey: Data, stampMs: Int64) async throws -> Bool
    func allowSecondDevice(share id: String, actor: String, at date: Date) async throws
    func refuseUnboundUnlock(share id: String, door: String, reason: String, at date: Date) async throws
    func setDeviceBinding(door: String, required: Bool, actor: String, at date: Date) async throws
    func deviceBindingRequired(door: String) async throws -> Bool
}

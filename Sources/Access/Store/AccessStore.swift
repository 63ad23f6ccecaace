import Foundation
import GRDB

/// The allowlist in SQLite and everything managers do to it. Each change is one transaction that also appends its
/// activity row, so nothing is ever half-written; after it commits, `afterCommit` brings the cache up to date.
public final class AccessStore: Sendable {
    let pool: DatabasePool
    let secrets: SiteSecrets
    /// The activity log, chained with the log key.
    let log: ActivityLog
    public let timeZone: TimeZone
    let clock: SiteClock
    let codePolicy: CodePolicy
    private let afterCommit: @Sendable (DatabasePool) throws -> Void

    /// Opens (creating unless `creating` is false, and migrating) the database; the secrets default to
    /// `keyway.secret` beside it, the log key to `keyway.log-key` beside the secrets.
    public static func open(database: URL, secrets: URL? = nil, timeZone: TimeZone, codePolicy: CodePolicy = CodePolicy(),
                            creating: Bool = true) throws -> AccessStore {
        try AccessStore(database: database, secrets: secrets, timeZone: timeZone, codePolicy: codePolicy, creating: creating)
    }

    private init(database: URL, secrets: URL?, timeZone: TimeZone, codePolicy: CodePolicy, creating: Bool) throws {
        self.codePolicy = codePolicy
        // Checked before SQLite opens it, which would create it.
        guard creating || FileManager.default.fileExists(atPath: database.path) else {
            throw AccessError.notFound(what: "database", database.path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: database.path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        let secretFile = secrets ?? SiteSecrets.defaultLocation(forDatabase: database)
        self.secrets = try Self.secrets(at: secretFile, for: pool, database: database)
        log = try ActivityLog.open(keyFile: ActivityLog.keyLocation(forSecret: secretFile), pool: pool)
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
        log = store.log
        codePolicy = store.codePolicy
        timeZone = store.timeZone
        clock = store.clock
        self.afterCommit = afterCommit
    }

    /// One change: a write transaction, then the cache.
    func change<T>(_ body: (Database) throws -> T) throws -> T {
        let result: T
        do {
            result = try pool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AccessError.conflict("that would clash with what exists: \(error.message ?? "constraint failed")")
        }
        try afterCommit(pool)
        return result
    }

    // MARK: Names and ids

    /// An id or an exact name, in one of the named tables.
    func resolve<Record: NamedRecord>(_ text: String, in _: Record.Type, _ db: Database) throws -> String {
        let ids = try Record.select(Record.idColumn, as: String.self)
            .filter(Record.idColumn == text || Record.nameColumn == text).limit(2).fetchAll(db)
        guard ids.count == 1 else { throw AccessError.notFound(what: Record.noun, text) }
        return ids[0]
    }

    /// Resolves a door (id or name) to its name: decisions and the log name doors as the bridge does.
    public func doorName(_ text: String) throws -> String {
        try pool.read { db in try name(of: resolve(text, in: DoorRow.self, db), in: DoorRow.self, db) }
    }

    func name<Record: NamedRecord>(of id: String, in _: Record.Type, _ db: Database) throws -> String {
        try Record.select(Record.nameColumn, as: String.self).filter(Record.idColumn == id).fetchOne(db) ?? id
    }

    func requireName<Record: NamedRecord>(_ name: String, for _: Record.Type) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name == name.trimmingCharacters(in: .whitespaces) else {
            throw AccessError.invalid("a \(Record.noun) name must not be empty or start or end with spaces")
        }
    }

    func requireUnused<Record: NamedRecord>(_ name: String, in _: Record.Type, _ db: Database) throws {
        guard try Record.filter(Record.nameColumn == name || Record.idColumn == name).isEmpty(db) else {
            throw AccessError.conflict("a \(Record.noun) named '\(name)' already exists")
        }
    }
}

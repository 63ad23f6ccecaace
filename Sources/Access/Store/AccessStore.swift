import Foundation
import GRDB
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// The file as opened, to notice it deleted or replaced under a running service.
    public let file: DatabaseFile
    let logSync: LogSync
    private let afterCommit: @Sendable (DatabasePool) throws -> Void

    /// Opens (creating unless `creating` is false, and migrating) the database; the secrets default to
    /// `keyway.secret` beside it, the log key to `keyway.log-key` beside the secrets. A missing database whose
    /// secrets exist was created and lost: it is created again only when `recreating` (`DatabaseMissingError`).
    /// `durability` says when decisions' rows are synced (`Durability`); changes made here are always synced first.
    /// A new database is readable by its owner only; an existing one that others may read is opened with a warning
    /// (it holds names, schedules and the log, never a code or key in clear: those are in the refused-if-loose secrets).
    public static func open(database: URL, secrets: URL? = nil, timeZone: TimeZone, codePolicy: CodePolicy = CodePolicy(),
                            creating: Bool = true, recreating: Bool = false, durability: Durability = .fast,
                            syncHooks: SyncHooks = SyncHooks(), logger: Logger = Logger(label: "keyway.access")) throws -> AccessStore {
        try AccessStore(database: database, secrets: secrets, timeZone: timeZone, codePolicy: codePolicy, creating: creating,
                        recreating: recreating, logSync: LogSync(durability: durability, hooks: syncHooks, logger: logger),
                        logger: logger)
    }

    private init(database: URL, secrets: URL?, timeZone: TimeZone, codePolicy: CodePolicy, creating: Bool, recreating: Bool,
                 logSync: LogSync, logger: Logger) throws {
        self.codePolicy = codePolicy
        self.logSync = logSync
        let secretFile = secrets ?? SiteSecrets.defaultLocation(forDatabase: database)
        // Checked before SQLite opens it, which would create it.
        if !FileManager.default.fileExists(atPath: database.path) {
            guard creating else { throw AccessError.notFound(what: "database", database.path) }
            if !recreating, FileManager.default.fileExists(atPath: secretFile.path) {
                let fingerprint = try SiteSecrets.load(at: secretFile, creatingMissing: false).fingerprint
                throw DatabaseMissingError(database: database, secrets: secretFile,
                                           fingerprint: fingerprint.prefix(8).map { String(format: "%02x", $0) }.joined())
            }
        }
        try Self.createOwnerOnly(database)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: database.path, configuration: configuration)
            try Schema.migrator.migrate(pool)
            try Schema.syncWebhookEventSources(pool)
        } catch {
            // SQLite says "unable to open database file" or "attempt to write a readonly database": say which file
            // cannot be written, and why.
            guard let readOnly = DatabaseFile.readOnly(database.path) else { throw error }
            throw AccessDatabaseFileError(path: database.path, doing: "open", reason: "\(readOnly): every decision is logged before a door opens, so "
                                          + "keyway needs to write it (\(error))")
        }
        file = try DatabaseFile(opened: database.path)
        Self.warnIfOthersCanRead(database, logger: logger)
        self.secrets = try Self.secrets(at: secretFile, for: pool, database: database)
        log = try ActivityLog.open(keyFile: ActivityLog.keyLocation(forSecret: secretFile), pool: pool)
        self.timeZone = timeZone
        clock = SiteClock(timeZone: timeZone)
        afterCommit = { _ in }
    }

    /// Creates the database file empty with mode 0600 unless it exists: SQLite would create it 0644 less the umask,
    /// and gives its -wal and -shm files the database's mode.
    private static func createOwnerOnly(_ database: URL) throws {
        let fd = openNewOwnerOnly(database.path)
        guard fd >= 0 else {
            if errno == EEXIST { return }
            throw AccessDatabaseFileError(path: database.path, doing: "create", reason: String(cString: strerror(errno)))
        }
        fchmod(fd, 0o600)
        close(fd)
    }

    /// One warning naming the database's files (itself, its -wal and -shm) that group or others may access.
    private static func warnIfOthersCanRead(_ database: URL, logger: Logger) {
        let loose = [database.path, database.path + "-wal", database.path + "-shm"].compactMap { path -> String? in
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return nil }
            return "\(path) \(String(status.st_mode & 0o777, radix: 8))"
        }
        guard !loose.isEmpty else { return }
        logger.warning("database file readable beyond its owner: chmod 600 it (and the database's -wal and -shm)", metadata: [
            "path": "\(database.path)", "modes": "\(loose.joined(separator: ", "))",
        ])
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
        file = store.file
        logSync = store.logSync
        timeZone = store.timeZone
        clock = store.clock
        self.afterCommit = afterCommit
    }

    /// One change: a write transaction synced to disk before it returns (a revocation must survive a power cut),
    /// then the cache.
    func change<T>(_ body: (Database) throws -> T) throws -> T {
        let result: T
        do {
            result = try write(body) { _ in true }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AccessError.conflict("that would clash with what exists: \(error.message ?? "constraint failed")")
        }
        try afterCommit(pool)
        return result
    }

    /// A write transaction on the database file as opened (refused once it is deleted or replaced), synced before
    /// it returns when `durableFirst` says so for its result (or in strict mode), otherwise shortly after.
    func write<T>(_ body: (Database) throws -> T, durableFirst: (T) -> Bool) throws -> T {
        if let problem = file.state.problem { throw AccessError.databaseFile(problem) }
        return try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            guard let result else { throw AccessError.corrupt("a write transaction ended without its result") }
            try logSync.committed(db, durableFirst: durableFirst(result), pool: pool)
            return result
        }
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

/// open(2) creating a new file 0600, never through a link; out of `AccessStore`'s scope, where `open` is its own.
private func openNewOwnerOnly(_ path: String) -> Int32 {
    open(path, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o600)
}

/// The database file could not be created, or looked at.
struct AccessDatabaseFileError: Error, CustomStringConvertible {
    let path: String
    let doing: String
    let reason: String
    var description: String { "cannot \(doing) the database \(path): \(reason)" }
}

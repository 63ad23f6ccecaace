import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization

/// How soon a decision's row reaches the disk (the `database: durability:` setting).
public enum Durability: String, Sendable, CaseIterable {
    /// Every decision's row is synced before the door moves: one sync on the card→relay path of every decision.
    case strict
    /// A use taken from a counted credential is synced before the door moves (else a power cut could hand the last use
    /// out twice); every other row within `LogSync.groupWindow` after, one sync for all the rows of that window.
    case fast
}

/// Test and benchmark hooks around each sync: a slow disk (a delay before the sync, as an SD card's tens of
/// milliseconds) and an observer told after each sync.
public struct SyncHooks: Sendable {
    public var delay: Duration
    public var observer: (@Sendable () -> Void)?

    public init(delay: Duration = .zero, observer: (@Sendable () -> Void)? = nil) {
        self.delay = delay
        self.observer = observer
    }
}

/// Makes commits durable. Connections commit with `synchronous = NORMAL` (the write-ahead log is written, not
/// synced); a commit that must survive a power cut before anything acts on it is followed by a sync of the log,
/// what `synchronous = FULL` would do at commit. The others are synced together shortly after, off the caller's path.
/// A sync covers every commit before it: the log is one file, written in order.
final class LogSync: Sendable {
    /// How long after a commit left unsynced the group's sync runs: long enough for the decision's relay command
    /// to be on the wire first, short enough that a power cut loses at most a few milliseconds of rows.
    static let groupWindow = DispatchTimeInterval.milliseconds(2)

    let durability: Durability
    private let hooks: SyncHooks
    private let logger: Logger
    private let scheduled = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "keyway.database.sync")

    init(durability: Durability, hooks: SyncHooks, logger: Logger) {
        self.durability = durability
        self.hooks = hooks
        self.logger = logger
    }

    /// After a commit on `db` (the writer, still held): syncs now when the commit must be durable first
    /// (always in strict mode), else schedules the group's sync.
    func committed(_ db: Database, durableFirst: Bool, pool: DatabasePool) throws {
        if durableFirst || durability == .strict {
            try sync(db)
        } else {
            syncSoon(pool)
        }
    }

    private func syncSoon(_ pool: DatabasePool) {
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.asyncAfter(deadline: .now() + Self.groupWindow) { [self] in
            // Cleared first: a commit from here on schedules the next sync (this one may or may not cover it).
            scheduled.store(false, ordering: .releasing)
            do {
                try pool.writeWithoutTransaction { try sync($0) }
            } catch {
                logger.error("the activity log could not be synced to disk", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Syncs the connection's write-ahead log through SQLite's own file (its fsync, its directory sync after creation).
    private func sync(_ db: Database) throws {
        if hooks.delay > .zero { Thread.sleep(forTimeInterval: hooks.delay / .seconds(1)) }
        var file: UnsafeMutablePointer<sqlite3_file>?
        let found = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file)
        guard found == SQLITE_OK, let file, let methods = file.pointee.pMethods, let xSync = methods.pointee.xSync else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the write-ahead log is not open (code \(found))")
        }
        let synced = xSync(file, SQLITE_SYNC_NORMAL)
        guard synced == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: synced), message: "syncing the write-ahead log failed")
        }
        hooks.observer?()
    }
}

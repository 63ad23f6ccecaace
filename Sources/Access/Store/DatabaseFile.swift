import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The database file as it was opened, and whether its path still leads to it. A file deleted or replaced under a
/// running service leaves SQLite reading and writing a file nobody will open again: every decision would be logged
/// into the void, and the next start would find another database or none. One stat(2), cheap enough to ask before
/// every decision. (The identity is taken once at open: the open connections keep the inode, so it cannot be reused.)
public struct DatabaseFile: Sendable {
    public let path: String
    private let device: UInt64
    private let inode: UInt64

    /// Why the database at `path` (or its folder, where SQLite makes its -wal and -shm files) cannot be written, if it
    /// cannot: a read-only mount (which binds root too), or permissions.
    static func readOnly(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        for (what, place) in [("the database file", path), ("the database's folder", folder.isEmpty ? "." : folder)] {
            var system = statvfs()
            if statvfs(place, &system) == 0, system.f_flag & UInt(ST_RDONLY) != 0 { return "\(what) is on a read-only file system" }
            if access(place, W_OK) != 0, errno == EACCES || errno == EROFS { return "\(what) is not writable by this user" }
        }
        return nil
    }

    /// Whether the path still leads to the file that is open.
    public enum State: String, Sendable, Equatable {
        case intact
        /// Nothing (or nothing readable) at the path: deleted, moved, its folder gone.
        case missing
        /// Another file at the path: the open one was replaced (a copy restored over it, a file moved in).
        case replaced
    }

    init(opened path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw AccessDatabaseFileError(path: path, doing: "stat", reason: String(cString: strerror(errno)))
        }
        self.path = path
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    public var state: State {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .intact : .replaced
    }
}

extension DatabaseFile.State {
    /// What it means for the service, for a fault and the log.
    public var problem: String? {
        switch self {
        case .intact: nil
        case .missing: "the database file is gone from its path (deleted or moved): every decision is denied until it is back"
        case .replaced: "another file is at the database's path (the open one was replaced): every decision is denied; put the original back or restart the service"
        }
    }
}

/// A start on a missing database whose secrets show one existed: it was deleted or moved, and creating an empty one
/// would silently make every card unknown and the log start afresh.
public struct DatabaseMissingError: Error, CustomStringConvertible {
    public let database: URL
    public let secrets: URL
    /// The first bytes of the secrets' fingerprint (which the lost database recorded), to match a backup.
    public let fingerprint: String

    public var description: String {
        "the database \(database.path) is missing, but its secrets \(secrets.path) exist (fingerprint \(fingerprint)): it was created "
            + "and then deleted or moved. Restore it from a backup, or start `keyway serve --create-database` to begin an empty one "
            + "with these secrets (every card unknown, the log restarted)"
    }
}

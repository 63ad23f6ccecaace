import Crypto
import Foundation
import GRDB

/// The log key: the HMAC key the activity log is chained with, in its own 0600 file beside the site secrets.
extension ActivityLog {
    /// `keyway.secret` → `keyway.log-key`.
    static func keyLocation(forSecret secret: URL) -> URL {
        secret.deletingPathExtension().appendingPathExtension("log-key")
    }

    /// Reads the log key and, the first time, records where the keyed chain starts: row 1 of a new database, or
    /// the marker row appended after the rows of a database chained before keys existed. The key is created only
    /// while no keyed chain exists; once one does, a missing or different key is refused (a fresh key would make
    /// every keyed row look forged).
    static func open(keyFile: URL, pool: DatabasePool, at date: Date = Date()) throws -> ActivityLog {
        let recorded = try pool.read { try Data.fetchOne($0, sql: "SELECT key_fingerprint FROM log_chain") }
        let keyBytes: Data
        do {
            keyBytes = try SecretFile.read(at: keyFile, length: 32, creatingMissing: recorded == nil) {
                SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            }
        } catch SecretFileError.missing {
            throw LogKeyError.missing(keyFile)
        }
        let log = ActivityLog(key: SymmetricKey(data: keyBytes))
        if let recorded {
            guard recorded == log.fingerprint else { throw LogKeyError.notThisLog(keyFile) }
            return log
        }
        try pool.write { db in
            guard try keyedFrom(in: db) == nil else { return } // another process keyed it first
            let next = (try Int64.fetchOne(db, sql: "SELECT max(seq) FROM activity") ?? 0) + 1
            try db.execute(sql: "INSERT INTO log_chain (id, keyed_from, key_fingerprint) VALUES (1, ?, ?)",
                           arguments: [next, log.fingerprint])
            if next > 1 {
                try log.append(ActivityDraft(at: date, kind: .logKeyed,
                                             detail: "rows from here on are chained with the log key; rows before keep their SHA-256 links",
                                             actor: "keyway"), in: db)
            }
        }
        return try open(keyFile: keyFile, pool: pool, at: date)
    }
}

public enum LogKeyError: Error, CustomStringConvertible {
    case missing(URL)
    case notThisLog(URL)

    public var description: String {
        switch self {
        case .missing(let url):
            "log key file \(url.path) is missing, and the database's activity log is chained with it: restore it "
                + "(a new key would make every row look forged)"
        case .notThisLog(let url):
            "log key file \(url.path) is not the one the database's activity log is chained with: restore the right one"
        }
    }
}

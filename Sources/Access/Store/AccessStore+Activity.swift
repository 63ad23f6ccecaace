import Foundation
import GRDB

// MARK: - Activity log: reading and verifying

extension AccessStore {
    /// Log rows after `sequence` (0: from the start), optionally since a time and at one door (id or name).
    public func activity(after sequence: Int64 = 0, since: Date? = nil, door: String? = nil, limit: Int? = nil) throws -> [ActivityEntry] {
        try pool.read { db in
            let doorName = try door.map { try name(of: resolve($0, in: DoorRow.self, db), in: DoorRow.self, db) }
            return try ActivityLog.entries(after: sequence, since: since, door: doorName, limit: limit, in: db)
        }
    }

    /// Checks the whole chain, and holds it against checkpoints (signed by this site) made earlier.
    public func verifyLog(against checkpoints: [LogCheckpoint] = []) throws -> LogVerification {
        try pool.read { try log.verify(in: $0, against: checkpoints, publicKey: secrets.signingKey.publicKey) }
    }

    /// A signed checkpoint of the log as it stands (nil while it is empty).
    public func checkpoint(at date: Date = Date()) throws -> LogCheckpoint? {
        let (last, keyedFrom) = try pool.read { db in
            (try Row.fetchOne(db, sql: "SELECT seq, hash FROM activity ORDER BY seq DESC LIMIT 1"), try ActivityLog.keyedFrom(in: db))
        }
        guard let last, let keyedFrom else { return nil }
        return try LogCheckpoint.signed(sequence: last["seq"], head: ActivityLog.hex(last["hash"]), keyedFrom: keyedFrom,
                                        at: date, with: secrets.signingKey)
    }
}

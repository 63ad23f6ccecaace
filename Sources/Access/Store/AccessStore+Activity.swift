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

    /// Checks the whole hash chain.
    public func verifyLog() throws -> LogVerification {
        try pool.read { try ActivityLog.verify(in: $0) }
    }
}

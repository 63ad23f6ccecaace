import Foundation
import GRDB

extension SQLiteSiteStorage: AlertStorage {
    public func alerts(_ query: AlertQuery) async throws -> [Alert] {
        try await blocking { [store] in
            try store.pool.read { db in try Self.alerts(query, db) }
        }
    }

    public func acknowledgeAlert(_ sequence: Int64, actor: String, at date: Date) async throws -> Alert? {
        try await blocking { [store] in
            try store.change { db -> Alert? in
                var one = AlertQuery(limit: 1)
                one.sequence = sequence
                guard let alert = try Self.alerts(one, db).first else { return nil }
                guard alert.acknowledgedBy == nil else { return alert }
                try db.execute(sql: "INSERT INTO alert_acknowledgement (seq, acknowledged_by, acknowledged_at) VALUES (?, ?, ?)",
                               arguments: [sequence, actor, date.timeIntervalSince1970])
                try store.log.append(ActivityDraft(at: date, kind: .alarm, event: "alert_acknowledged", door: alert.entry.door,
                                                   detail: "\(alert.kind.rawValue) #\(sequence)", actor: actor), in: db)
                return try Self.alerts(one, db).first
            }
        }
    }

    /// Walks the partial index of alert rows (`AlertSource.indexedRows`), newest first, so a page costs about its
    /// length however long the log is; `INDEXED BY` makes a query the index cannot answer an error, not a scan.
    static func alerts(_ query: AlertQuery, _ db: Database) throws -> [Alert] {
        let sources = AlertSource.all.filter { query.kinds?.contains($0.alert) ?? true }
        guard !sources.isEmpty else { return [] }
        var conditions = [AlertSource.indexedRows, "(" + sources.map(\.condition).joined(separator: " OR ") + ")"]
        var arguments: [any DatabaseValueConvertible] = []
        func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
            conditions.append(condition)
            arguments += values
        }
        if let from = query.from { add("at_ms >= ?", [milliseconds(from)]) }
        if let until = query.until { add("at_ms < ?", [milliseconds(until)]) }
        if let door = query.door { add("door = ?", [door]) }
        if let doors = query.doors { add("door IN (\(doors.map { _ in "?" }.joined(separator: ", ")))", doors) }
        if let sequence = query.sequence { add("activity.seq = ?", [sequence]) }
        if let before = query.before { add("activity.seq < ?", [before]) }
        if let after = query.after { add("activity.seq > ?", [after]) }
        if let acknowledged = query.acknowledged { conditions.append("acknowledged_by IS \(acknowledged ? "NOT " : "")NULL") }
        let order = query.after != nil && query.before == nil ? "ASC" : "DESC"
        // Who acknowledged, by their account's name (an API token's actor is `<user> via <token>`).
        let sql = "SELECT activity.*, acknowledged_by, acknowledged_at, api_user.name AS acknowledged_by_name FROM activity INDEXED BY activity_alert "
            + "LEFT JOIN alert_acknowledgement ON alert_acknowledgement.seq = activity.seq "
            + "LEFT JOIN api_user ON api_user.id = CASE WHEN instr(acknowledged_by, ' via ') > 0 "
            + "THEN substr(acknowledged_by, 1, instr(acknowledged_by, ' via ') - 1) ELSE acknowledged_by END WHERE "
            + conditions.joined(separator: " AND ") + " ORDER BY activity.seq \(order) LIMIT \(max(1, query.limit))"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).compactMap { row in
            let entry = try ActivityLog.entry(from: row)
            guard let kind = AlertSource.kind(of: entry) else { return nil }
            let at: Double? = row["acknowledged_at"]
            return Alert(kind: kind, entry: entry, acknowledgedBy: row["acknowledged_by"], acknowledgedByName: row["acknowledged_by_name"],
                         acknowledgedAt: at.map(Date.init(timeIntervalSince1970:)))
        }
    }
}

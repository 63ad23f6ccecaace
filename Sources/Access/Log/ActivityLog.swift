import Crypto
import Foundation
import GRDB

/// What an activity row is about.
public enum ActivityKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A decision on a presentation (`outcome`, `reason`).
    case decision
    /// An alarm (`event` names it: duress, keypad lockout).
    case alarm
    /// A door or reader event (`event` names it).
    case door
    case credentialCreated = "credential_created"
    case credentialRevoked = "credential_revoked"
    case personChanged = "person_changed"
    case policyChanged = "policy_changed"
}

/// One row of the activity log, as stored.
public struct ActivityEntry: Sendable, Hashable, Codable {
    public let sequence: Int64
    /// Millisecond precision: the chain hashes the stored milliseconds.
    public let at: Date
    public let kind: ActivityKind
    public let event: String?
    public let door: String?
    public let reader: String?
    public let credentialID: String?
    public let personID: String?
    /// `grant` or `deny` for decisions.
    public let outcome: String?
    public let reason: String?
    /// Free text: a masked presentation (`••••`, a card's fields), a revocation's reason. Never a PIN or token.
    public let detail: String?
    /// Who made a change (`revoked_by`, `created_by`).
    public let actor: String?
}

/// A row about to be appended: everything but its place in the chain.
struct ActivityDraft: Sendable {
    var at: Date
    var kind: ActivityKind
    var event: String? = nil
    var door: String? = nil
    var reader: String? = nil
    var credentialID: String? = nil
    var personID: String? = nil
    var outcome: String? = nil
    var reason: String? = nil
    var detail: String? = nil
    var actor: String? = nil
}

/// The result of checking the chain from the first row.
public struct LogVerification: Sendable, Hashable {
    public let rowsChecked: Int
    /// The hash of the last row: anchor it off the box to detect a truncated tail.
    public let head: String?
    /// The first row whose link or hash does not match, and why.
    public let firstBroken: (sequence: Int64, problem: String)?

    public var isIntact: Bool { firstBroken == nil }

    public static func == (a: LogVerification, b: LogVerification) -> Bool {
        a.rowsChecked == b.rowsChecked && a.head == b.head
            && a.firstBroken?.sequence == b.firstBroken?.sequence && a.firstBroken?.problem == b.firstBroken?.problem
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rowsChecked); hasher.combine(head) }
}

/// The append-only, hash-chained activity log. Appends happen inside the caller's write transaction, so a
/// decision and its row (and a consumed use) commit together or not at all.
enum ActivityLog {
    static let genesis = Data(count: 32)

    @discardableResult
    static func append(_ draft: ActivityDraft, in db: Database) throws -> Int64 {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM activity ORDER BY seq DESC LIMIT 1")
        let sequence: Int64 = (last?["seq"] ?? 0) + 1
        let previous: Data = last?["hash"] ?? genesis
        let atMilliseconds = Int64((draft.at.timeIntervalSince1970 * 1000).rounded())
        let entry = ActivityEntry(
            sequence: sequence, at: Date(timeIntervalSince1970: Double(atMilliseconds) / 1000), kind: draft.kind,
            event: draft.event, door: draft.door, reader: draft.reader, credentialID: draft.credentialID,
            personID: draft.personID, outcome: draft.outcome, reason: draft.reason, detail: draft.detail, actor: draft.actor)
        try db.execute(
            sql: """
                INSERT INTO activity (seq, at_ms, kind, event, door, reader, credential_id, person_id, outcome, reason,
                                      detail, actor, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [sequence, atMilliseconds, draft.kind.rawValue, draft.event, draft.door, draft.reader,
                        draft.credentialID, draft.personID, draft.outcome, draft.reason, draft.detail, draft.actor,
                        previous, chainHash(previous: previous, entry: entry)])
        return sequence
    }

    /// `SHA-256(previous hash || canonical row)`. The canonical row length-prefixes every field (`-` for none)
    /// so no two different rows share an encoding, whatever their text holds.
    static func chainHash(previous: Data, entry: ActivityEntry) -> Data {
        let fields: [String?] = [
            String(entry.sequence), String(Int64((entry.at.timeIntervalSince1970 * 1000).rounded())), entry.kind.rawValue,
            entry.event, entry.door, entry.reader, entry.credentialID, entry.personID, entry.outcome, entry.reason,
            entry.detail, entry.actor,
        ]
        let canonical = fields.map { field in field.map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: "|")
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: Data(canonical.utf8))
        return Data(hasher.finalize())
    }

    static func entry(from row: Row) throws -> ActivityEntry {
        let kindText: String = row["kind"]
        guard let kind = ActivityKind(rawValue: kindText) else {
            throw AccessError.corrupt("activity row \(row["seq"] as Int64) has an unknown kind \(kindText)")
        }
        return ActivityEntry(
            sequence: row["seq"], at: Date(timeIntervalSince1970: Double(row["at_ms"] as Int64) / 1000), kind: kind,
            event: row["event"], door: row["door"], reader: row["reader"], credentialID: row["credential_id"],
            personID: row["person_id"], outcome: row["outcome"], reason: row["reason"], detail: row["detail"],
            actor: row["actor"])
    }

    /// Walks the chain from the first row and stops at the first row that does not link or hash.
    static func verify(in db: Database) throws -> LogVerification {
        var previous = genesis
        var expectedSequence: Int64 = 1
        var checked = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM activity ORDER BY seq")
        while let row = try rows.next() {
            let sequence: Int64 = row["seq"]
            let problem: String?
            if sequence != expectedSequence {
                problem = "row \(expectedSequence) is missing"
            } else if (row["prev_hash"] as Data) != previous {
                problem = "does not link to the previous row"
            } else if let entry = try? entry(from: row), chainHash(previous: previous, entry: entry) == row["hash"] {
                problem = nil
            } else {
                problem = "content does not match its hash"
            }
            if let problem {
                return LogVerification(rowsChecked: checked, head: nil, firstBroken: (min(sequence, expectedSequence), problem))
            }
            previous = row["hash"]
            expectedSequence += 1
            checked += 1
        }
        return LogVerification(rowsChecked: checked, head: checked == 0 ? nil : previous.map { String(format: "%02x", $0) }.joined(), firstBroken: nil)
    }

    /// Rows after `sequence`, optionally since a time and at one door, oldest first.
    static func entries(after sequence: Int64, since: Date?, door: String?, limit: Int?, in db: Database) throws -> [ActivityEntry] {
        var conditions = ["seq > ?"]
        var arguments: StatementArguments = [sequence]
        if let since {
            conditions.append("at_ms >= ?")
            _ = arguments.append(contentsOf: [Int64((since.timeIntervalSince1970 * 1000).rounded())])
        }
        if let door {
            conditions.append("door = ?")
            _ = arguments.append(contentsOf: [door])
        }
        let limitClause = limit.map { " LIMIT \($0)" } ?? ""
        return try Row.fetchAll(db, sql: "SELECT * FROM activity WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq" + limitClause,
                                arguments: arguments).map(entry(from:))
    }
}

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
    /// An HTTP API account, session or token was created, changed or revoked (`event` says which).
    case accountChanged = "account_changed"
    /// A share link bound to a device, opened on a second one, or moved to it (`event` says which).
    case deviceBinding = "device_binding"
    /// A share link or passcode sent to its recipient, or not (`event`: sent, failed, dropped; the recipient masked).
    case message
    /// The first row of the keyed chain in a database that had rows before the chain was keyed.
    case logKeyed = "log_keyed"
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

/// The result of checking the chain from the first row, and against any checkpoints given.
public struct LogVerification: Sendable, Hashable {
    public let rowsChecked: Int
    /// The hash of the last row.
    public let head: String?
    /// The first row of the keyed chain (1 unless the database had rows before the chain was keyed).
    public let keyedFrom: Int64
    /// Checkpoints whose signature, row and hash all agree with the log.
    public let checkpointsChecked: Int
    /// The latest checkpoint given (agreeing or not).
    public let lastCheckpoint: LogCheckpoint?
    /// The first row whose link or hash does not match, or that a checkpoint contradicts, and why.
    public let firstBroken: (sequence: Int64, problem: String)?

    public var isIntact: Bool { firstBroken == nil }

    public static func == (a: LogVerification, b: LogVerification) -> Bool {
        a.rowsChecked == b.rowsChecked && a.head == b.head && a.keyedFrom == b.keyedFrom
            && a.checkpointsChecked == b.checkpointsChecked && a.lastCheckpoint == b.lastCheckpoint
            && a.firstBroken?.sequence == b.firstBroken?.sequence && a.firstBroken?.problem == b.firstBroken?.problem
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rowsChecked); hasher.combine(head) }
}

/// The append-only, chained activity log. Appends happen inside the caller's write transaction, so a
/// decision and its row (and a consumed use) commit together or not at all.
///
/// Each row stores `HMAC-SHA256(log key, previous hash || canonical row)`: without the log key (its own 0600 file,
/// `keyway.log-key` beside the site secrets) nobody can re-hash an edited row. Rows written before the chain was
/// keyed keep their `SHA-256(previous hash || canonical row)`; the keyed chain starts at a marked row
/// (`log_keyed`) that links to the last of them, so they stay covered. A truncated tail leaves no trace in the
/// chain itself: signed checkpoints kept off the database (`LogCheckpoint`) catch it.
struct ActivityLog: Sendable {
    let key: SymmetricKey
    static let genesis = Data(count: 32)

    /// Identifies the log key without revealing it: the database records it and refuses another key.
    var fingerprint: Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("keyway log key fingerprint".utf8), using: key))
    }

    @discardableResult
    func append(_ draft: ActivityDraft, in db: Database) throws -> Int64 {
        // Cached statements: every decision and change appends, and compiling these two each time cost more than running them.
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM activity ORDER BY seq DESC LIMIT 1"))
        let sequence: Int64 = (last?["seq"] ?? 0) + 1
        let previous: Data = last?["hash"] ?? Self.genesis
        let atMilliseconds = Int64((draft.at.timeIntervalSince1970 * 1000).rounded())
        let entry = ActivityEntry(
            sequence: sequence, at: Date(timeIntervalSince1970: Double(atMilliseconds) / 1000), kind: draft.kind,
            event: draft.event, door: draft.door, reader: draft.reader, credentialID: draft.credentialID,
            personID: draft.personID, outcome: draft.outcome, reason: draft.reason, detail: draft.detail, actor: draft.actor)
        try db.cachedStatement(
            sql: """
                INSERT INTO activity (seq, at_ms, kind, event, door, reader, credential_id, person_id, outcome, reason,
                                      detail, actor, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [sequence, atMilliseconds, draft.kind.rawValue, draft.event, draft.door, draft.reader,
                        draft.credentialID, draft.personID, draft.outcome, draft.reason, draft.detail, draft.actor,
                        previous, keyedHash(previous: previous, entry: entry)])
        return sequence
    }

    /// `HMAC-SHA256(log key, previous hash || canonical row)`.
    func keyedHash(previous: Data, entry: ActivityEntry) -> Data {
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: previous)
        mac.update(data: Self.canonical(entry))
        return Data(mac.finalize())
    }

    /// `SHA-256(previous hash || canonical row)`: rows written before the chain was keyed.
    static func unkeyedHash(previous: Data, entry: ActivityEntry) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical(entry))
        return Data(hasher.finalize())
    }

    /// The canonical row length-prefixes every field (`-` for none) so no two different rows share an encoding,
    /// whatever their text holds.
    static func canonical(_ entry: ActivityEntry) -> Data {
        let fields: [String?] = [
            String(entry.sequence), String(Int64((entry.at.timeIntervalSince1970 * 1000).rounded())), entry.kind.rawValue,
            entry.event, entry.door, entry.reader, entry.credentialID, entry.personID, entry.outcome, entry.reason,
            entry.detail, entry.actor,
        ]
        return Data(fields.map { field in field.map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: "|").utf8)
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

    /// The first row of the keyed chain, as recorded when the chain was keyed.
    static func keyedFrom(in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT keyed_from FROM log_chain")
    }

    /// Walks the chain from the first row and stops at the first row that does not link or hash; then holds
    /// every checkpoint (signed by `publicKey`) against it: a checkpoint beyond the last row means a truncated
    /// tail, a checkpoint whose hash differs means rows were rewritten.
    func verify(in db: Database, against checkpoints: [LogCheckpoint], publicKey: Curve25519.Signing.PublicKey) throws -> LogVerification {
        let checkpoints = checkpoints.sorted { $0.sequence < $1.sequence }
        guard let keyedFrom = try Self.keyedFrom(in: db) else {
            return LogVerification(rowsChecked: 0, head: nil, keyedFrom: 0, checkpointsChecked: 0, lastCheckpoint: checkpoints.last,
                                   firstBroken: (1, "the record of where the keyed chain starts is missing"))
        }
        func broken(_ sequence: Int64, _ problem: String, checked: Int, agreeing: Int = 0) -> LogVerification {
            LogVerification(rowsChecked: checked, head: nil, keyedFrom: keyedFrom, checkpointsChecked: agreeing,
                            lastCheckpoint: checkpoints.last, firstBroken: (sequence, problem))
        }
        let wanted = Set(checkpoints.map(\.sequence))
        var hashes: [Int64: Data] = [:]
        var previous = Self.genesis
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
            } else if let entry = try? Self.entry(from: row),
                      (sequence >= keyedFrom ? keyedHash(previous: previous, entry: entry) : Self.unkeyedHash(previous: previous, entry: entry)) == row["hash"] {
                problem = sequence == keyedFrom && keyedFrom > 1 && entry.kind != .logKeyed
                    ? "the keyed chain does not start with its marker row" : nil
            } else {
                problem = "content does not match its hash"
            }
            if let problem { return broken(min(sequence, expectedSequence), problem, checked: checked) }
            previous = row["hash"]
            if wanted.contains(sequence) { hashes[sequence] = previous }
            expectedSequence += 1
            checked += 1
        }
        if keyedFrom > 1 && Int64(checked) < keyedFrom {
            return broken(Int64(checked) + 1, "row \(checked + 1) is missing: the keyed chain starts at row \(keyedFrom)", checked: checked)
        }
        var agreeing = 0
        for checkpoint in checkpoints {
            let when = checkpoint.atDescription
            guard checkpoint.isSigned(by: publicKey) else {
                return broken(checkpoint.sequence, "the checkpoint of \(when) is not signed by this site", checked: checked, agreeing: agreeing)
            }
            guard checkpoint.keyedFrom == keyedFrom else {
                return broken(min(checkpoint.keyedFrom, keyedFrom),
                              "the checkpoint of \(when) has the keyed chain start at row \(checkpoint.keyedFrom), the database at row \(keyedFrom)",
                              checked: checked, agreeing: agreeing)
            }
            guard let hash = hashes[checkpoint.sequence] else {
                return broken(Int64(checked) + 1,
                              "truncated: the log ends at row \(checked), the checkpoint of \(when) covers row \(checkpoint.sequence)",
                              checked: checked, agreeing: agreeing)
            }
            guard Self.hex(hash) == checkpoint.head else {
                return broken(checkpoint.sequence, "row \(checkpoint.sequence) differs from the checkpoint of \(when): the log was rewritten",
                              checked: checked, agreeing: agreeing)
            }
            agreeing += 1
        }
        return LogVerification(rowsChecked: checked, head: checked == 0 ? nil : Self.hex(previous), keyedFrom: keyedFrom,
                               checkpointsChecked: agreeing, lastCheckpoint: checkpoints.last, firstBroken: nil)
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

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

import Foundation
import GRDB

// MARK: - The directory in bulk: units, people and their cards, imported all or nothing and exported a page at a time

/// A person as the directory import and export name them: by name, with their unit and whether they are suspended.
public struct DirectoryPerson: Sendable, Hashable {
    public var name: String
    public var kind: PersonKind
    public var unit: String?
    public var suspended: Bool

    public init(name: String, kind: PersonKind, unit: String?, suspended: Bool) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.suspended = suspended
    }
}

/// A card of a person (id or name), with its validity window.
public struct DirectoryCard: Sendable, Hashable {
    public var person: String
    public var card: CardData
    public var validFrom: Date?
    public var validUntil: Date?

    public init(person: String, card: CardData, validFrom: Date?, validUntil: Date?) {
        self.person = person
        self.card = card
        self.validFrom = validFrom
        self.validUntil = validUntil
    }
}

public enum DirectoryRecord: Sendable, Hashable {
    case unit(String)
    case person(DirectoryPerson)
    case card(DirectoryCard)
}

/// A record and the line of the file it starts on (problems name it).
public struct DirectoryLine: Sendable, Hashable {
    public var line: Int
    public var record: DirectoryRecord

    public init(line: Int, record: DirectoryRecord) {
        self.line = line
        self.record = record
    }
}

/// One change an import makes (or would make).
public struct DirectoryChange: Sendable, Hashable, Codable {
    public let line: Int
    /// `add_unit`, `add_person`, `move_in`, `suspend` or `add_card`.
    public let action: String
    /// The unit, person or card, as the activity log names it.
    public let subject: String
}

/// Why a record cannot be imported: its line and, where one field is at fault, which (`name`, `unit`, `number`, …).
public struct DirectoryProblem: Sendable, Hashable, Codable {
    public let line: Int
    public let field: String?
    public let message: String

    public init(line: Int, field: String?, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }
}

public struct DirectoryImportResult: Sendable, Hashable {
    /// True when the changes were committed: asked to, and not one problem.
    public let applied: Bool
    public let changes: [DirectoryChange]
    /// Records that match what the database holds already.
    public let unchanged: Int
    public let problems: [DirectoryProblem]
}

/// A person and their cards, as exported.
public struct DirectoryEntry: Sendable, Hashable {
    public let person: DirectoryPerson
    /// Cards neither revoked nor expired, in the order of their fields.
    public let cards: [DirectoryCard]
}

extension AccessStore {
    /// Imports units, then people (moved into their units, suspended where the file says so), then cards, in ONE
    /// transaction: committed only when `apply` and every record is sound, otherwise rolled back (a dry run does the
    /// very same work, so it finds every conflict the import would). An import adds what is missing and changes
    /// nothing that exists: a record that contradicts the database (another kind, another unit, a card someone else
    /// holds) is a problem, never an overwrite. Each change is logged with `actor`, as the single-record calls log it.
    public func importDirectory(_ lines: [DirectoryLine], apply: Bool, actor: String, at date: Date) throws -> DirectoryImportResult {
        struct RolledBack: Error { let result: DirectoryImportResult }
        do {
            return try change { db in
                var run = DirectoryImportRun()
                try importUnits(lines, &run, actor: actor, at: date, db)
                try importPeople(lines, &run, actor: actor, at: date, db)
                try importCards(lines, &run, actor: actor, at: date, db)
                let result = DirectoryImportResult(applied: apply && run.problems.isEmpty, changes: run.changes, unchanged: run.unchanged,
                                                   problems: run.problems.sorted { ($0.line, $0.field ?? "") < ($1.line, $1.field ?? "") })
                guard result.applied else { throw RolledBack(result: result) }
                return result
            }
        } catch let rolledBack as RolledBack {
            return rolledBack.result
        }
    }

    private func importUnits(_ lines: [DirectoryLine], _ run: inout DirectoryImportRun, actor: String, at date: Date, _ db: Database) throws {
        var seen: [String: Int] = [:]
        for case let (line, .unit(name)) in lines.map({ ($0.line, $0.record) }) {
            if let first = seen[name] { run.problem(line, "name", "unit '\(name)' is on line \(first) already"); continue }
            seen[name] = line
            if try unitID(named: name, db) != nil { run.unchanged += 1; continue }
            try db.execute(sql: "INSERT INTO unit (id, name, created_at) VALUES (?, ?, ?)",
                           arguments: [Identifier.make("unit"), name, date.timeIntervalSince1970])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "unit_added", detail: name, actor: actor), in: db)
            run.changes.append(DirectoryChange(line: line, action: "add_unit", subject: name))
        }
    }

    private func importPeople(_ lines: [DirectoryLine], _ run: inout DirectoryImportRun, actor: String, at date: Date, _ db: Database) throws {
        var seen: [String: Int] = [:]
        for case let (line, .person(person)) in lines.map({ ($0.line, $0.record) }) {
            if let first = seen[person.name] { run.problem(line, "name", "person '\(person.name)' is on line \(first) already"); continue }
            seen[person.name] = line
            var unitID: String?
            if let unit = person.unit {
                guard let id = try self.unitID(named: unit, db) else {
                    run.problem(line, "unit", "unknown unit '\(unit)': add a unit record for it or create it first")
                    continue
                }
                unitID = id
            }
            if let existing = try Row.fetchOne(db, sql: """
                SELECT p.id, p.kind, p.suspended, u.name AS unit FROM person p LEFT JOIN unit_resident r ON r.person_id = p.id
                LEFT JOIN unit u ON u.id = r.unit_id WHERE p.name = ?
                """, arguments: [person.name]) {
                let kind: String = existing["kind"], unit: String? = existing["unit"], suspended: Bool = existing["suspended"]
                var matches = true
                if kind != person.kind.rawValue {
                    run.problem(line, "kind", "\(person.name) is a \(kind) here, not a \(person.kind.rawValue); an import changes no one who exists")
                    matches = false
                }
                if unit != person.unit {
                    run.problem(line, "unit", "\(person.name) lives in \(unit.map { "unit \($0)" } ?? "no unit") here, not in "
                                + "\(person.unit.map { "unit \($0)" } ?? "none"); move them with move-in or move-out")
                    matches = false
                }
                if suspended != person.suspended {
                    run.problem(line, "suspended", "\(person.name) is \(suspended ? "" : "not ")suspended here; use suspend or reinstate")
                    matches = false
                }
                if matches { run.unchanged += 1 }
                continue
            }
            let id = Identifier.make("per")
            try db.execute(sql: "INSERT INTO person (id, name, kind, suspended, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, person.name, person.kind.rawValue, person.suspended, date.timeIntervalSince1970])
            try log.append(ActivityDraft(at: date, kind: .personChanged, event: "added", personID: id,
                                         detail: "\(person.kind.rawValue) \(person.name)", actor: actor), in: db)
            run.changes.append(DirectoryChange(line: line, action: "add_person", subject: person.name))
            if let unitID, let unit = person.unit {
                try db.execute(sql: "INSERT INTO unit_resident (person_id, unit_id, moved_in_at) VALUES (?, ?, ?)",
                               arguments: [id, unitID, date.timeIntervalSince1970])
                try log.append(ActivityDraft(at: date, kind: .personChanged, event: "moved_in", personID: id, detail: unit, actor: actor), in: db)
                run.changes.append(DirectoryChange(line: line, action: "move_in", subject: "\(person.name) → \(unit)"))
            }
            if person.suspended {
                try log.append(ActivityDraft(at: date, kind: .personChanged, event: "suspended", personID: id, actor: actor), in: db)
                run.changes.append(DirectoryChange(line: line, action: "suspend", subject: person.name))
            }
        }
    }

    private func importCards(_ lines: [DirectoryLine], _ run: inout DirectoryImportRun, actor: String, at date: Date, _ db: Database) throws {
        var seen: [CardData: Int] = [:]
        for case let (line, .card(card)) in lines.map({ ($0.line, $0.record) }) {
            let field = if case .raw = card.card { "bits" } else { "number" }
            if let first = seen[card.card] { run.problem(line, field, "\(card.card) is on line \(first) already"); continue }
            seen[card.card] = line
            if let from = card.validFrom, let until = card.validUntil, until <= from {
                run.problem(line, "valid_until", "the validity window ends before it starts")
                continue
            }
            guard let personID = try String.fetchOne(db, sql: "SELECT id FROM person WHERE name = ? OR id = ? LIMIT 1",
                                                     arguments: [card.person, card.person]) else {
                run.problem(line, "person", "no person '\(card.person)': add a person record for them or create them first")
                continue
            }
            if let holder = try activeHolder(of: card.card, at: date, db) {
                if holder.personID == personID, Self.sameInstant(holder.validFrom, card.validFrom),
                   Self.sameInstant(holder.validUntil, card.validUntil) {
                    run.unchanged += 1
                } else if holder.personID == personID {
                    run.problem(line, "valid_until", "\(card.card) is \(card.person)'s already with another validity window (\(holder.id))")
                } else {
                    run.problem(line, field, "\(card.card) is assigned to \(holder.name) (\(holder.id)); revoke it first")
                }
                continue
            }
            _ = try insertCard(CardEnrollment(person: personID, card: card.card, validFrom: card.validFrom, validUntil: card.validUntil),
                           personID: personID, actor: actor, at: date, db)
            run.changes.append(DirectoryChange(line: line, action: "add_card", subject: "\(card.card) for \(card.person)"))
        }
    }

    private func unitID(named name: String, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT id FROM unit WHERE name = ?", arguments: [name])
    }

    /// The credential holding a card now (neither revoked nor expired), if any.
    private func activeHolder(of card: CardData, at date: Date, _ db: Database) throws
        -> (id: String, personID: String?, name: String, validFrom: Double?, validUntil: Double?)? {
        let (condition, arguments): (String, StatementArguments) = switch card {
        case .fields(let format, let facility, let number):
            ("c.card_format = ? AND c.facility IS ? AND c.card_number = ?", [format, facility.map { Int64($0) }, Int64(bitPattern: number)])
        case .raw(let bits): ("c.card_bits = ?", [CredentialRow.bitString(bits)])
        }
        guard let row = try Row.fetchOne(db, sql: """
            SELECT c.id, c.person_id, p.name, c.valid_from, c.valid_until FROM credential c LEFT JOIN person p ON p.id = c.person_id
            WHERE \(condition) AND c.revoked_at IS NULL AND (c.valid_until IS NULL OR c.valid_until > ?) LIMIT 1
            """, arguments: arguments + [date.timeIntervalSince1970]) else { return nil }
        return (row["id"], row["person_id"], row["name"] ?? "nobody", row["valid_from"], row["valid_until"])
    }

    /// Windows compare to the millisecond: the CSV carries times to the millisecond.
    private static func sameInstant(_ stored: Double?, _ given: Date?) -> Bool {
        switch (stored, given) {
        case (nil, nil): true
        case let (stored?, given?): (stored * 1000).rounded() == (given.timeIntervalSince1970 * 1000).rounded()
        default: false
        }
    }

    // MARK: Export

    /// Units by name.
    public func directoryUnits() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM unit ORDER BY name") }
    }

    /// People by name after `afterName`, each with their cards that are neither revoked nor expired at `date`; never
    /// a PIN, passcode or key.
    public func directoryPage(afterName: String?, limit: Int, at date: Date) throws -> [DirectoryEntry] {
        try pool.read { db in
            let people = try Row.fetchAll(db, sql: """
                SELECT p.id, p.name, p.kind, p.suspended, u.name AS unit FROM person p LEFT JOIN unit_resident r ON r.person_id = p.id
                LEFT JOIN unit u ON u.id = r.unit_id WHERE ? IS NULL OR p.name > ? ORDER BY p.name LIMIT ?
                """, arguments: [afterName, afterName, max(1, limit)])
            var cards: [String: [DirectoryCard]] = [:]
            let names = Dictionary(people.map { ($0["id"] as String, $0["name"] as String) }, uniquingKeysWith: { first, _ in first })
            for chunk in Array(names.keys).chunked(500) {
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                for row in try Row.fetchAll(db, sql: """
                    SELECT person_id, card_format, facility, card_number, card_bits, valid_from, valid_until FROM credential
                    WHERE kind = 'card' AND person_id IN (\(marks)) AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > ?)
                    ORDER BY card_format, facility, card_number, card_bits, valid_from
                    """, arguments: StatementArguments(chunk) + [date.timeIntervalSince1970]) {
                    let personID: String = row["person_id"]
                    cards[personID, default: []].append(DirectoryCard(
                        person: names[personID] ?? personID, card: try Self.cardData(row), validFrom: Self.date(seconds: row["valid_from"]),
                        validUntil: Self.date(seconds: row["valid_until"])))
                }
            }
            return people.map { row in
                let id: String = row["id"]
                return DirectoryEntry(person: DirectoryPerson(name: row["name"], kind: PersonKind(rawValue: row["kind"]) ?? .resident,
                                                              unit: row["unit"], suspended: row["suspended"]),
                                      cards: cards[id] ?? [])
            }
        }
    }

    private static func cardData(_ row: Row) throws -> CardData {
        if let bits: String = row["card_bits"] { return .raw(bits: bits.map { $0 == "1" }) }
        guard let format: String = row["card_format"], let number: Int64 = row["card_number"], number >= 0 else {
            throw AccessError.corrupt("a card without its format and number")
        }
        let facility: Int64? = row["facility"]
        guard facility.map({ UInt32(exactly: $0) != nil }) ?? true else { throw AccessError.corrupt("a card's facility code is out of range") }
        return .fields(format: format, facility: facility.flatMap { UInt32(exactly: $0) }, number: UInt64(number))
    }

    private static func date(seconds: Double?) -> Date? { seconds.map { Date(timeIntervalSince1970: $0) } }
}

/// What an import found so far.
private struct DirectoryImportRun {
    var changes: [DirectoryChange] = []
    var unchanged = 0
    var problems: [DirectoryProblem] = []

    mutating func problem(_ line: Int, _ field: String?, _ message: String) {
        problems.append(DirectoryProblem(line: line, field: field, message: message))
    }
}

import Foundation
import GRDB

// MARK: - People: writes and listing

extension AccessStore {
    @discardableResult
    public func addPerson(name: String, kind: PersonKind = .resident, actor: String = "keyway", at date: Date = Date()) throws -> Person {
        try requireName(name, for: PersonRow.self)
        let person = Person(id: Identifier.make("per"), name: name, kind: kind, suspended: false, vacationStart: nil, vacationEnd: nil)
        return try change { db in
            try requireUnused(name, in: PersonRow.self, db)
            try db.execute(sql: "INSERT INTO person (id, name, kind, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [person.id, name, kind.rawValue, date.timeIntervalSince1970])
            try log.append(ActivityDraft(at: date, kind: .personChanged, event: "added", personID: person.id,
                                                 detail: "\(kind.rawValue) \(name)", actor: actor), in: db)
            return person
        }
    }

    public func people() throws -> [Person] {
        try pool.read { db in
            try PersonRow.order(PersonRow.Columns.name).fetchAll(db).map { row in
                Person(id: row.id, name: row.name, kind: PersonKind(rawValue: row.kind) ?? .resident, suspended: row.suspended,
                       vacationStart: row.vacationStart, vacationEnd: row.vacationEnd)
            }
        }
    }

    /// Suspends or reinstates a person: all their credentials stop (or resume) at once.
    public func setSuspended(_ person: String, _ suspended: Bool, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let id = try resolve(person, in: PersonRow.self, db)
            try db.execute(sql: "UPDATE person SET suspended = ? WHERE id = ?", arguments: [suspended, id])
            try log.append(ActivityDraft(at: date, kind: .personChanged, event: suspended ? "suspended" : "reinstated",
                                                 personID: id, actor: actor), in: db)
        }
    }

    /// Suspends a person's access from the first day to the last (inclusive, site days `YYYY-MM-DD`); nil clears it.
    public func setVacation(_ person: String, from start: String?, until end: String?, actor: String = "keyway", at date: Date = Date()) throws {
        let days: (first: String, last: String)?
        switch (start, end) {
        case (nil, nil): days = nil
        case let (first?, last?) where first <= last: days = (first, last)
        default: throw AccessError.invalid("a vacation needs a first and a last day, in order")
        }
        try change { db in
            let id = try resolve(person, in: PersonRow.self, db)
            try db.execute(sql: "UPDATE person SET vacation_start = ?, vacation_end = ? WHERE id = ?", arguments: [start, end, id])
            try log.append(ActivityDraft(at: date, kind: .personChanged, event: "vacation", personID: id,
                                                 detail: days.map { "\($0.first)…\($0.last)" } ?? "cleared", actor: actor), in: db)
        }
    }
}

import Foundation
import GRDB

/// A credential as the rule engine needs it: identity, owner, window, doors, flags. Small and inline
/// (short ids fit Swift's small-string form) so a million of them stay within the memory budget.
struct CredentialEntry: Sendable, Hashable {
    let id: String
    let kind: CredentialKind
    let personID: String?
    /// Unix seconds; nil: unbounded.
    let validFrom: Double?
    let validUntil: Double?
    /// Passcodes: their own weekly schedule.
    let scheduleID: String?
    /// Passcodes and keys name their doors; cards and PINs follow their person's groups.
    let doorIDs: [String]
    let usesCounted: Bool
    let duress: Bool
    /// Only ever true for rows read from SQLite: the cache holds no revoked credential.
    let revoked: Bool

    /// Columns `entry(from:doors:)` reads, in order.
    static let columns = """
        id, kind, person_id, valid_from, valid_until, schedule_id, uses_left IS NOT NULL, duress, revoked_at IS NOT NULL,
        card_format, facility, card_number, card_bits, code_digest
        """

    /// Decodes a row of `columns`, with where it is found: its card, its code digest or (keys) its id.
    static func decode(_ row: Row, doors: [String]) throws -> (entry: CredentialEntry, lookup: Lookup) {
        let kindText: String = row[1]
        guard let kind = CredentialKind(rawValue: kindText) else {
            throw AccessError.corrupt("credential \(row[0] as String) has an unknown kind \(kindText)")
        }
        let entry = CredentialEntry(
            id: row[0], kind: kind, personID: row[2], validFrom: row[3], validUntil: row[4], scheduleID: row[5],
            doorIDs: doors, usesCounted: row[6], duress: row[7], revoked: row[8])
        let lookup: Lookup
        switch kind {
        case .card:
            if let number: Int64 = row[11], let format: String = row[9] {
                lookup = .card(.fields(format: format, facility: (row[10] as Int64?).map { UInt32(truncatingIfNeeded: $0) },
                                       number: UInt64(bitPattern: number)))
            } else if let bits: String = row[12] {
                lookup = .card(.raw(bits: bits.map { $0 == "1" }))
            } else {
                throw AccessError.corrupt("card \(entry.id) has neither fields nor bits")
            }
        case .pin, .passcode:
            guard let digest: Data = row[13], digest.count == 32 else {
                throw AccessError.corrupt("code \(entry.id) has no digest")
            }
            lookup = .code(CodeDigest(bytes: digest))
        case .key:
            lookup = .key(entry.id)
        }
        return (entry, lookup)
    }

    enum Lookup: Hashable {
        case card(CardData)
        case code(CodeDigest)
        case key(String)
    }

    /// Of two live credentials found the same way, the cache keeps the one that stays valid longest
    /// (creation refuses a second *active* one, so the other can only be expired).
    func outlasts(_ other: CredentialEntry) -> Bool {
        (validUntil ?? .infinity) >= (other.validUntil ?? .infinity)
    }
}

struct PersonEntry: Sendable, Hashable {
    let id: String
    let name: String
    let suspended: Bool
    /// Site days as `YYYYMMDD`, inclusive: suspended from the start of the first day to the end of the last.
    let vacation: ClosedRange<Int>?
    let groupIDs: [String]

    static let columns = "id, name, suspended, vacation_start, vacation_end"

    static func decode(_ row: Row, groups: [String]) -> PersonEntry {
        let start = (row[3] as String?).flatMap(SiteClock.day), end = (row[4] as String?).flatMap(SiteClock.day)
        return PersonEntry(id: row[0], name: row[1], suspended: row[2],
                           vacation: start.flatMap { start in end.map { start...max(start, $0) } }, groupIDs: groups)
    }
}

struct DoorEntry: Sendable, Hashable {
    let id: String
    let name: String
    let mode: DoorMode
    /// The mode during `modeScheduleID`, when the door has one.
    let scheduledMode: DoorMode?
    let modeScheduleID: String?
    let duressGrants: Bool
}

/// The small, rarely changing part of the allowlist — doors, schedules, holidays, groups — as one immutable value.
struct SitePolicy: Sendable {
    let doorsByName: [String: DoorEntry]
    let schedules: [String: Schedule]
    /// Days as `YYYYMMDD`.
    let holidays: Set<Int>
    /// group id → door id → the schedule it is open on (nil: always).
    let groupDoors: [String: [String: String?]]

    static func load(from db: Database) throws -> SitePolicy {
        var intervals: [String: [ScheduleInterval]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT schedule_id, days, start_minute, end_minute FROM schedule_interval") {
            intervals[row[0], default: []].append(ScheduleInterval(
                days: Weekdays(rawValue: row[1]), start: TimeOfDay(minutes: row[2]), end: TimeOfDay(minutes: row[3])))
        }
        var schedules: [String: Schedule] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name, open_on_holidays FROM schedule") {
            let id: String = row[0]
            schedules[id] = Schedule(id: id, name: row[1], intervals: intervals[id] ?? [], openOnHolidays: row[2])
        }
        var doors: [String: DoorEntry] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name, mode, scheduled_mode, mode_schedule_id, duress_grants FROM door") {
            let modeText: String = row[2]
            guard let mode = DoorMode(rawValue: modeText) else { throw AccessError.corrupt("door \(row[1] as String) has mode \(modeText)") }
            let door = DoorEntry(id: row[0], name: row[1], mode: mode,
                                 scheduledMode: (row[3] as String?).flatMap(DoorMode.init(rawValue:)),
                                 modeScheduleID: row[4], duressGrants: row[5])
            doors[door.name] = door
        }
        var groupDoors: [String: [String: String?]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT group_id, door_id, schedule_id FROM group_door") {
            groupDoors[row[0], default: [:]][row[1]] = .some(row[2])
        }
        let holidays = Set(try String.fetchAll(db, sql: "SELECT day FROM holiday").compactMap(SiteClock.day))
        return SitePolicy(doorsByName: doors, schedules: schedules, holidays: holidays, groupDoors: groupDoors)
    }

    /// The mode a door is in at a moment: its scheduled mode while its mode schedule is open.
    func mode(of door: DoorEntry, at moment: SiteMoment) -> DoorMode {
        if let scheduledMode = door.scheduledMode, let id = door.modeScheduleID,
           schedules[id]?.verdict(at: moment) == .inside {
            return scheduledMode
        }
        return door.mode
    }
}

/// Reading credentials and people from SQLite: the cache's loader and the engine's fallback share these queries.
enum AllowlistQueries {
    static func doors(ofCredentials ids: [String], in db: Database) throws -> [String: [String]] {
        var doors: [String: [String]] = [:]
        for chunk in ids.chunked(500) {
            let rows = try Row.fetchAll(db, sql: "SELECT credential_id, door_id FROM credential_door WHERE credential_id IN (\(placeholders(chunk.count)))",
                                        arguments: StatementArguments(Array(chunk)))
            for row in rows { doors[row[0], default: []].append(row[1]) }
        }
        return doors
    }

    static func credentials(where condition: String, _ arguments: StatementArguments, in db: Database) throws
        -> [(entry: CredentialEntry, lookup: CredentialEntry.Lookup)] {
        let rows = try Row.fetchAll(db, sql: "SELECT \(CredentialEntry.columns) FROM credential WHERE \(condition)", arguments: arguments)
        let doors = try Self.doors(ofCredentials: rows.map { $0[0] }, in: db)
        return try rows.map { try CredentialEntry.decode($0, doors: doors[$0[0]] ?? []) }
    }

    static func credentials(for lookup: CredentialEntry.Lookup, in db: Database) throws -> [CredentialEntry] {
        switch lookup {
        case .card(.fields(let format, let facility, let number)):
            try credentials(where: "card_format = ? AND facility IS ? AND card_number = ?",
                            [format, facility.map { Int64($0) }, Int64(bitPattern: number)], in: db).map(\.entry)
        case .card(.raw(let bits)):
            try credentials(where: "card_bits = ?", [bitString(bits)], in: db).map(\.entry)
        case .code(let digest):
            try credentials(where: "code_digest = ?", [digest.bytes], in: db).map(\.entry)
        case .key(let id):
            try credentials(where: "id = ? AND kind = 'key'", [id], in: db).map(\.entry)
        }
    }

    static func people(_ ids: [String], in db: Database) throws -> [String: PersonEntry] {
        var people: [String: PersonEntry] = [:]
        for chunk in ids.chunked(500) {
            var groups: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT person_id, group_id FROM person_group WHERE person_id IN (\(placeholders(chunk.count)))",
                                        arguments: StatementArguments(Array(chunk))) {
                groups[row[0], default: []].append(row[1])
            }
            for row in try Row.fetchAll(db, sql: "SELECT \(PersonEntry.columns) FROM person WHERE id IN (\(placeholders(chunk.count)))",
                                        arguments: StatementArguments(Array(chunk))) {
                let person = PersonEntry.decode(row, groups: groups[row[0]] ?? [])
                people[person.id] = person
            }
        }
        return people
    }

    static func bitString(_ bits: [Bool]) -> String { String(bits.map { $0 ? "1" : "0" }) }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

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
    /// A share's parent key: its authority, checked at every decision.
    let parentID: String?

    /// Decodes a credential row, with where it is found: its card, its code digest or (keys) its id.
    static func decode(_ row: CredentialRow, doors: [String]) throws -> (entry: CredentialEntry, lookup: Lookup) {
        guard let kind = CredentialKind(rawValue: row.kind) else {
            throw AccessError.corrupt("credential \(row.id) has an unknown kind \(row.kind)")
        }
        let entry = CredentialEntry(
            id: row.id, kind: kind, personID: row.personID, validFrom: row.validFrom, validUntil: row.validUntil,
            scheduleID: row.scheduleID, doorIDs: doors, usesCounted: row.usesLeft != nil, duress: row.duress,
            revoked: row.revokedAt != nil, parentID: row.parentID)
        let lookup: Lookup
        switch kind {
        case .card:
            guard let card = row.card else { throw AccessError.corrupt("card \(entry.id) has neither fields nor bits") }
            lookup = .card(card)
        case .pin, .passcode:
            guard let digest = row.codeDigest, digest.count == 32 else {
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
}

extension PersonEntry {
    init(_ row: PersonRow, groups: [String]) {
        let start = row.vacationStart.flatMap(SiteClock.day), end = row.vacationEnd.flatMap(SiteClock.day)
        self.init(id: row.id, name: row.name, suspended: row.suspended,
                  vacation: start.flatMap { start in end.map { start...max(start, $0) } }, groupIDs: groups)
    }
}

struct DoorEntry: Sendable, Hashable {
    let id: String
    let name: String
    var mode: DoorMode
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
        for row in try ScheduleIntervalRow.fetchAll(db) {
            intervals[row.scheduleID, default: []].append(row.interval)
        }
        var schedules: [String: Schedule] = [:]
        for row in try ScheduleRow.fetchAll(db) {
            schedules[row.id] = Schedule(id: row.id, name: row.name, intervals: intervals[row.id] ?? [], openOnHolidays: row.openOnHolidays)
        }
        var doors: [String: DoorEntry] = [:]
        for row in try DoorRow.fetchAll(db) {
            guard let mode = DoorMode(rawValue: row.mode) else { throw AccessError.corrupt("door \(row.name) has mode \(row.mode)") }
            doors[row.name] = DoorEntry(id: row.id, name: row.name, mode: mode, scheduledMode: row.scheduledMode.flatMap(DoorMode.init(rawValue:)),
                                        modeScheduleID: row.modeScheduleID, duressGrants: row.duressGrants)
        }
        var groupDoors: [String: [String: String?]] = [:]
        for row in try GroupDoorRow.fetchAll(db) {
            groupDoors[row.groupID, default: [:]][row.doorID] = .some(row.scheduleID)
        }
        let days = try HolidayRow.select(HolidayRow.Columns.day, as: String.self).fetchAll(db)
        return SitePolicy(doorsByName: doors, schedules: schedules, holidays: Set(days.compactMap(SiteClock.day)), groupDoors: groupDoors)
    }

    /// The mode a door is in at a moment: its scheduled mode while its mode schedule is open. A lockdown outranks
    /// the schedule (an emergency stop no timetable may lift). On a clock that went back (`clockTrusted` false) the
    /// schedule cannot unlock the door: of its two modes, the one that is not `unlocked` holds.
    func mode(of door: DoorEntry, at moment: SiteMoment, clockTrusted: Bool = true) -> DoorMode {
        guard door.mode != .lockdown, let scheduledMode = door.scheduledMode, let id = door.modeScheduleID else { return door.mode }
        if !clockTrusted && (scheduledMode == .unlocked || door.mode == .unlocked) {
            return scheduledMode == .unlocked ? door.mode : scheduledMode
        }
        return schedules[id]?.verdict(at: moment) == .inside ? scheduledMode : door.mode
    }
}

/// Reading credentials and people from SQLite: the cache's loader and the engine's fallback share these queries.
enum AllowlistQueries {
    static func doors(ofCredentials ids: [String], in db: Database) throws -> [String: [String]] {
        var doors: [String: [String]] = [:]
        for chunk in ids.chunked(500) {
            for row in try CredentialDoorRow.filter(Array(chunk).contains(CredentialDoorRow.Columns.credentialID)).fetchAll(db) {
                doors[row.credentialID, default: []].append(row.doorID)
            }
        }
        return doors
    }

    static func credentials(_ request: QueryInterfaceRequest<CredentialRow>, in db: Database) throws
        -> [(entry: CredentialEntry, lookup: CredentialEntry.Lookup)] {
        try entries(try request.fetchAll(db), in: db)
    }

    /// The engine's fallback when the cache does not know a credential: on every read of an unknown card, so its
    /// statements are prepared once per connection rather than built and compiled each time.
    static func credentials(for lookup: CredentialEntry.Lookup, in db: Database) throws -> [CredentialEntry] {
        let (condition, arguments): (String, StatementArguments) = switch lookup {
        case .card(.fields(let format, let facility, let number)):
            ("card_format = ? AND facility IS ? AND card_number = ?", [format, facility.map { Int64($0) }, Int64(bitPattern: number)])
        case .card(.raw(let bits)):
            ("card_bits = ?", [CredentialRow.bitString(bits)])
        case .code(let digest):
            ("code_digest = ?", [digest.bytes])
        case .key(let id):
            ("id = ? AND kind = ?", [id, CredentialKind.key.rawValue])
        }
        let statement = try db.cachedStatement(
            sql: "SELECT \(CredentialRow.selectionSQL(table: "credential")) FROM credential WHERE \(condition)")
        return try entries(try CredentialRow.fetchAll(statement, arguments: arguments), in: db).map(\.entry)
    }

    private static func entries(_ rows: [CredentialRow], in db: Database) throws
        -> [(entry: CredentialEntry, lookup: CredentialEntry.Lookup)] {
        let doors = try Self.doors(ofCredentials: rows.map(\.id), in: db)
        return try rows.map { try CredentialEntry.decode($0, doors: doors[$0.id] ?? []) }
    }

    static func people(_ ids: [String], in db: Database) throws -> [String: PersonEntry] {
        var people: [String: PersonEntry] = [:]
        for chunk in ids.chunked(500) {
            var groups: [String: [String]] = [:]
            for row in try PersonGroupRow.filter(Array(chunk).contains(PersonGroupRow.Columns.personID)).fetchAll(db) {
                groups[row.personID, default: []].append(row.groupID)
            }
            for row in try PersonRow.filter(Array(chunk).contains(PersonRow.Columns.id)).fetchAll(db) {
                people[row.id] = PersonEntry(row, groups: groups[row.id] ?? [])
            }
        }
        return people
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

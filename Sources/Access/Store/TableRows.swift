import Foundation
import GRDB

// One record per table (see `Schema`), read by column name. The store turns them into the values it hands out;
// the allowlist and the cache into their entries.
//
// Hand-written `init(row:)` rather than `Decodable`: the cache decodes a million credential rows when it loads,
// and GRDB's Decodable path does more work per column than reading `row[column]`. Writes stay SQL, in the same
// transaction as their activity row.

/// Reads a row's values in the order its SELECT listed them, each named as it is read: `read(Columns.kind)`.
/// By place rather than by name because GRDB finds a value by name through a lowercased copy of the name and a hash,
/// which was a quarter of the time the cache took to load a million credentials. Debug builds (the tests) check each
/// name against the row's own column at that place, so a query that selects in another order fails at once.
struct SelectionReader {
    private let row: Row
    private var place = 0

    init(_ row: Row) { self.row = row }

    private mutating func next(_ column: Column) -> Int {
        assert(Array(row.columnNames).dropFirst(place).first == column.name,
               "column \(place) is \(Array(row.columnNames).dropFirst(place).first ?? "missing"), not \(column.name)")
        defer { place += 1 }
        return place
    }

    mutating func callAsFunction<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ column: Column) -> Value {
        row[next(column)]
    }

    mutating func callAsFunction<Value: DatabaseValueConvertible>(_ column: Column) -> Value {
        row[next(column)]
    }
}

/// A table of things managers name: a row has an `id` and a unique `name`, and either may be typed to mean it.
protocol NamedRecord: FetchableRecord, TableRecord {
    /// What the thing is called in messages (`no group 'Staff'`).
    static var noun: String { get }
}

extension NamedRecord {
    static var idColumn: Column { Column("id") }
    static var nameColumn: Column { Column("name") }
}

struct PersonRow: NamedRecord {
    static let databaseTableName = "person"
    static let noun = "person"

    enum Columns {
        static let id = Column("id")
        static let name = Column("name")
        static let kind = Column("kind")
        static let suspended = Column("suspended")
        static let vacationStart = Column("vacation_start")
        static let vacationEnd = Column("vacation_end")
    }

    let id: String
    let name: String
    let kind: String
    let suspended: Bool
    /// Site days `YYYY-MM-DD`, inclusive.
    let vacationStart: String?
    let vacationEnd: String?

    init(row: Row) {
        id = row[Columns.id]
        name = row[Columns.name]
        kind = row[Columns.kind]
        suspended = row[Columns.suspended]
        vacationStart = row[Columns.vacationStart]
        vacationEnd = row[Columns.vacationEnd]
    }
}

struct DoorRow: NamedRecord {
    static let databaseTableName = "door"
    static let noun = "door"

    enum Columns {
        static let id = Column("id")
        static let name = Column("name")
        static let mode = Column("mode")
        static let scheduledMode = Column("scheduled_mode")
        static let modeScheduleID = Column("mode_schedule_id")
        static let duressGrants = Column("duress_grants")
    }

    let id: String
    let name: String
    let mode: String
    let scheduledMode: String?
    let modeScheduleID: String?
    let duressGrants: Bool

    init(row: Row) {
        id = row[Columns.id]
        name = row[Columns.name]
        mode = row[Columns.mode]
        scheduledMode = row[Columns.scheduledMode]
        modeScheduleID = row[Columns.modeScheduleID]
        duressGrants = row[Columns.duressGrants]
    }
}

struct ScheduleRow: NamedRecord {
    static let databaseTableName = "schedule"
    static let noun = "schedule"

    enum Columns {
        static let id = Column("id")
        static let name = Column("name")
        static let openOnHolidays = Column("open_on_holidays")
    }

    let id: String
    let name: String
    let openOnHolidays: Bool

    init(row: Row) {
        id = row[Columns.id]
        name = row[Columns.name]
        openOnHolidays = row[Columns.openOnHolidays]
    }
}

struct ScheduleIntervalRow: FetchableRecord, TableRecord {
    static let databaseTableName = "schedule_interval"

    enum Columns {
        static let scheduleID = Column("schedule_id")
        static let days = Column("days")
        static let startMinute = Column("start_minute")
        static let endMinute = Column("end_minute")
    }

    let scheduleID: String
    let interval: ScheduleInterval

    init(row: Row) {
        scheduleID = row[Columns.scheduleID]
        interval = ScheduleInterval(days: Weekdays(rawValue: row[Columns.days]), start: TimeOfDay(minutes: row[Columns.startMinute]),
                                    end: TimeOfDay(minutes: row[Columns.endMinute]))
    }
}

struct HolidayRow: FetchableRecord, TableRecord {
    static let databaseTableName = "holiday"

    enum Columns {
        static let day = Column("day")
        static let name = Column("name")
    }

    /// `YYYY-MM-DD`, the primary key.
    let day: String
    let name: String?

    init(row: Row) {
        day = row[Columns.day]
        name = row[Columns.name]
    }
}

struct AccessGroupRow: NamedRecord {
    static let databaseTableName = "access_group"
    static let noun = "group"

    enum Columns {
        static let id = Column("id")
        static let name = Column("name")
    }

    let id: String
    let name: String

    init(row: Row) {
        id = row[Columns.id]
        name = row[Columns.name]
    }
}

struct GroupDoorRow: FetchableRecord, TableRecord {
    static let databaseTableName = "group_door"

    enum Columns {
        static let groupID = Column("group_id")
        static let doorID = Column("door_id")
        static let scheduleID = Column("schedule_id")
    }

    let groupID: String
    let doorID: String
    /// nil: always open.
    let scheduleID: String?

    init(row: Row) {
        groupID = row[Columns.groupID]
        doorID = row[Columns.doorID]
        scheduleID = row[Columns.scheduleID]
    }
}

struct PersonGroupRow: FetchableRecord, TableRecord {
    static let databaseTableName = "person_group"

    enum Columns {
        static let personID = Column("person_id")
        static let groupID = Column("group_id")
    }

    let personID: String
    let groupID: String

    init(row: Row) {
        personID = row[Columns.personID]
        groupID = row[Columns.groupID]
    }
}

struct CredentialRow: FetchableRecord, TableRecord {
    static let databaseTableName = "credential"

    enum Columns {
        static let id = Column("id")
        static let kind = Column("kind")
        static let personID = Column("person_id")
        static let label = Column("label")
        static let cardFormat = Column("card_format")
        static let facility = Column("facility")
        static let cardNumber = Column("card_number")
        static let cardBits = Column("card_bits")
        static let codeDigest = Column("code_digest")
        static let codeMask = Column("code_mask")
        static let duress = Column("duress")
        static let validFrom = Column("valid_from")
        static let validUntil = Column("valid_until")
        static let scheduleID = Column("schedule_id")
        static let usesLeft = Column("uses_left")
        static let parentID = Column("parent_id")
        static let mayShare = Column("may_share")
        static let recipient = Column("recipient")
        static let revokedAt = Column("revoked_at")
        static let revokedBy = Column("revoked_by")
        static let revokedReason = Column("revoked_reason")
    }

    /// The columns read, in the order every query of credentials selects them first (not `rotated_from`,
    /// `created_at`, `created_by`, which only people read). `init(row:)` reads them in this order.
    static let selection: [Column] = [
        Columns.id, Columns.kind, Columns.personID, Columns.label, Columns.cardFormat, Columns.facility, Columns.cardNumber,
        Columns.cardBits, Columns.codeDigest, Columns.codeMask, Columns.duress, Columns.validFrom, Columns.validUntil,
        Columns.scheduleID, Columns.usesLeft, Columns.parentID, Columns.mayShare, Columns.recipient, Columns.revokedAt,
        Columns.revokedBy, Columns.revokedReason,
    ]

    static var databaseSelection: [any SQLSelectable] { selection }

    /// `selection` for SQL written by hand: `c.id, c.kind, …` with `table` the alias of `credential`.
    static func selectionSQL(table: String) -> String {
        selection.map { "\(table).\($0.name)" }.joined(separator: ", ")
    }

    let id: String
    let kind: String
    let personID: String?
    let label: String?
    let cardFormat: String?
    let facility: Int64?
    let cardNumber: Int64?
    /// Raw cards: their bits as `0` and `1`.
    let cardBits: String?
    /// Codes: the keyed digest, never the code.
    let codeDigest: Data?
    let codeMask: String?
    let duress: Bool
    /// Unix seconds; nil: unbounded.
    let validFrom: Double?
    let validUntil: Double?
    let scheduleID: String?
    /// nil: unlimited.
    let usesLeft: Int?
    let parentID: String?
    let mayShare: Bool
    let recipient: String?
    let revokedAt: Double?
    let revokedBy: String?
    let revokedReason: String?

    /// Reads `selection` by place, each value named as it is read (`SelectionReader`): the cache decodes a million
    /// of these when it loads.
    init(row: Row) {
        var read = SelectionReader(row)
        id = read(Columns.id)
        kind = read(Columns.kind)
        personID = read(Columns.personID)
        label = read(Columns.label)
        cardFormat = read(Columns.cardFormat)
        facility = read(Columns.facility)
        cardNumber = read(Columns.cardNumber)
        cardBits = read(Columns.cardBits)
        codeDigest = read(Columns.codeDigest)
        codeMask = read(Columns.codeMask)
        duress = read(Columns.duress)
        validFrom = read(Columns.validFrom)
        validUntil = read(Columns.validUntil)
        scheduleID = read(Columns.scheduleID)
        usesLeft = read(Columns.usesLeft)
        parentID = read(Columns.parentID)
        mayShare = read(Columns.mayShare)
        recipient = read(Columns.recipient)
        revokedAt = read(Columns.revokedAt)
        revokedBy = read(Columns.revokedBy)
        revokedReason = read(Columns.revokedReason)
    }

    /// The card it holds: its fields in a named format, else its raw bits; nil for codes and keys.
    var card: CardData? {
        if let cardNumber, let cardFormat {
            .fields(format: cardFormat, facility: facility.map { UInt32(truncatingIfNeeded: $0) }, number: UInt64(bitPattern: cardNumber))
        } else if let cardBits {
            .raw(bits: cardBits.map { $0 == "1" })
        } else {
            nil
        }
    }

    /// How a card is stored: the inverse of `card`.
    static func bitString(_ bits: [Bool]) -> String { String(bits.map { $0 ? "1" : "0" }) }
}

struct CredentialDoorRow: FetchableRecord, TableRecord {
    static let databaseTableName = "credential_door"

    enum Columns {
        static let credentialID = Column("credential_id")
        static let doorID = Column("door_id")
    }

    let credentialID: String
    let doorID: String

    init(row: Row) {
        credentialID = row[Columns.credentialID]
        doorID = row[Columns.doorID]
    }
}

/// A row of the change feed the triggers fill (see `Schema.changeFeed`).
struct ChangeRow: FetchableRecord, TableRecord {
    static let databaseTableName = "change"

    enum Columns {
        static let sequence = Column("seq")
        static let entity = Column("entity")
        static let entityID = Column("entity_id")
    }

    let sequence: Int64
    /// `credential`, `person` or `policy`.
    let entity: String
    let entityID: String

    init(row: Row) {
        sequence = row[Columns.sequence]
        entity = row[Columns.entity]
        entityID = row[Columns.entityID]
    }
}

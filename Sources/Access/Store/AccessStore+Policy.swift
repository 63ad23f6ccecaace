import Foundation
import GRDB

// MARK: - Doors, schedules, holidays, groups and grants: writes and listing

extension AccessStore {
    @discardableResult
    public func addDoor(name: String, mode: DoorMode = .card, scheduledMode: DoorMode? = nil, modeSchedule: String? = nil,
                        duressGrants: Bool = true, actor: String = "keyway", at date: Date = Date()) throws -> Door {
        try requireName(name, for: DoorRow.self)
        guard (scheduledMode == nil) == (modeSchedule == nil) else {
            throw AccessError.invalid("a scheduled mode needs its schedule, and a mode schedule its mode")
        }
        return try change { db in
            try requireUnused(name, in: DoorRow.self, db)
            let scheduleID = try modeSchedule.map { try resolve($0, in: ScheduleRow.self, db) }
            let door = Door(id: Identifier.make("door"), name: name, mode: mode, scheduledMode: scheduledMode,
                            modeSchedule: scheduleID, duressGrants: duressGrants)
            try db.execute(sql: "INSERT INTO door (id, name, mode, scheduled_mode, mode_schedule_id, duress_grants) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [door.id, name, mode.rawValue, scheduledMode?.rawValue, scheduleID, duressGrants])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "door_added", door: name,
                                                 detail: mode.rawValue, actor: actor), in: db)
            return door
        }
    }

    /// The door of that name, created with `mode` when missing (an existing door keeps its mode).
    @discardableResult
    public func ensureDoor(name: String, mode: DoorMode, actor: String = "keyway") throws -> Door {
        if let door = try doors().first(where: { $0.name == name }) { return door }
        do {
            return try addDoor(name: name, mode: mode, actor: actor)
        } catch AccessError.conflict {
            // Another process created it in between.
            guard let door = try doors().first(where: { $0.name == name }) else { throw AccessError.notFound(what: DoorRow.noun, name) }
            return door
        }
    }

    /// Changes a door's base mode (e.g. into and out of lockdown).
    public func setMode(door: String, _ mode: DoorMode, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let id = try resolve(door, in: DoorRow.self, db)
            try db.execute(sql: "UPDATE door SET mode = ? WHERE id = ?", arguments: [mode.rawValue, id])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "door_mode", door: try name(of: id, in: DoorRow.self, db),
                                                 detail: mode.rawValue, actor: actor), in: db)
        }
    }

    public func doors() throws -> [Door] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.*, s.name AS mode_schedule_name
                FROM door d LEFT JOIN schedule s ON s.id = d.mode_schedule_id ORDER BY d.name
                """).map { row in
                let door = DoorRow(row: row)
                return Door(id: door.id, name: door.name, mode: DoorMode(rawValue: door.mode) ?? .lockdown,
                            scheduledMode: door.scheduledMode.flatMap(DoorMode.init(rawValue:)), modeSchedule: row["mode_schedule_name"],
                            duressGrants: door.duressGrants)
            }
        }
    }

    @discardableResult
    public func addSchedule(name: String, intervals: [ScheduleInterval], openOnHolidays: Bool = false,
                            actor: String = "keyway", at date: Date = Date()) throws -> ScheduleRecord {
        try requireName(name, for: ScheduleRow.self)
        guard !intervals.isEmpty, intervals.allSatisfy({ !$0.days.isEmpty && $0.start != $0.end }) else {
            throw AccessError.invalid("a schedule needs days and a time range that is not empty")
        }
        let schedule = ScheduleRecord(id: Identifier.make("sch"), name: name)
        return try change { db in
            try requireUnused(name, in: ScheduleRow.self, db)
            try db.execute(sql: "INSERT INTO schedule (id, name, open_on_holidays) VALUES (?, ?, ?)",
                           arguments: [schedule.id, name, openOnHolidays])
            for interval in intervals {
                try db.execute(sql: "INSERT INTO schedule_interval (schedule_id, days, start_minute, end_minute) VALUES (?, ?, ?, ?)",
                               arguments: [schedule.id, interval.days.rawValue, interval.start.minutes, interval.end.minutes])
            }
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "schedule_added", detail: name, actor: actor), in: db)
            return schedule
        }
    }

    /// A holiday: a site day (`YYYY-MM-DD`) on which schedules are closed unless they are open on holidays.
    public func addHoliday(day: String, name: String? = nil, actor: String = "keyway", at date: Date = Date()) throws {
        guard SiteTime.parseDay(day) != nil else { throw AccessError.invalid("a holiday is a date YYYY-MM-DD, not '\(day)'") }
        try change { db in
            guard try !HolidayRow.exists(db, key: day) else {
                throw AccessError.conflict("\(day) is already a holiday")
            }
            try db.execute(sql: "INSERT INTO holiday (day, name) VALUES (?, ?)", arguments: [day, name])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "holiday_added",
                                                 detail: [day, name].compactMap { $0 }.joined(separator: " "), actor: actor), in: db)
        }
    }

    /// A group of doors, each open always or on a schedule.
    @discardableResult
    public func addGroup(name: String, doors: [(door: String, schedule: String?)], actor: String = "keyway",
                         at date: Date = Date()) throws -> AccessGroup {
        try requireName(name, for: AccessGroupRow.self)
        guard !doors.isEmpty else { throw AccessError.invalid("a group needs at least one door") }
        let group = AccessGroup(id: Identifier.make("grp"), name: name)
        return try change { db in
            try requireUnused(name, in: AccessGroupRow.self, db)
            try db.execute(sql: "INSERT INTO access_group (id, name) VALUES (?, ?)", arguments: [group.id, name])
            for (door, schedule) in doors {
                let doorID = try resolve(door, in: DoorRow.self, db)
                try db.execute(sql: "INSERT INTO group_door (group_id, door_id, schedule_id) VALUES (?, ?, ?)",
                               arguments: [group.id, doorID, try schedule.map { try resolve($0, in: ScheduleRow.self, db) }])
            }
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "group_added", detail: name, actor: actor), in: db)
            return group
        }
    }

    /// Adds a person to a group: their cards and PINs open its doors on its schedules.
    public func grant(person: String, group: String, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let personID = try resolve(person, in: PersonRow.self, db)
            let groupID = try resolve(group, in: AccessGroupRow.self, db)
            try db.execute(sql: "INSERT OR IGNORE INTO person_group (person_id, group_id) VALUES (?, ?)", arguments: [personID, groupID])
            try log.append(ActivityDraft(at: date, kind: .personChanged, event: "granted", personID: personID,
                                                 detail: try name(of: groupID, in: AccessGroupRow.self, db), actor: actor), in: db)
        }
    }
}

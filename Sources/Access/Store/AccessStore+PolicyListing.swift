import Foundation
import GRDB

// MARK: - Groups, schedules and holidays as listed (what `addGroup`, `addSchedule` and `addHoliday` made)

/// An access group and its doors, each open always or on a schedule (names, as they were given).
public struct GroupListing: Sendable, Hashable, Codable {
    public struct Door: Sendable, Hashable, Codable {
        public let door: String
        /// nil: open to the group at any time.
        public let schedule: String?
    }
    public let id: String
    public let name: String
    /// Sorted by door name.
    public let doors: [Door]
}

/// A weekly schedule in site time, in the words `keyway schedules add` takes (`mon-fri`, `08:00`).
public struct ScheduleListing: Sendable, Hashable, Codable {
    public struct Interval: Sendable, Hashable, Codable {
        public let days: String
        public let from: String
        public let to: String
    }
    public let id: String
    public let name: String
    public let openOnHolidays: Bool
    public let intervals: [Interval]
}

/// A holiday: a site day `YYYY-MM-DD`.
public struct HolidayListing: Sendable, Hashable, Codable {
    public let day: String
    public let name: String?
}

extension AccessStore {
    public func groups() throws -> [GroupListing] {
        try pool.read { db in
            var doors: [String: [GroupListing.Door]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT gd.group_id, d.name AS door, s.name AS schedule FROM group_door gd
                JOIN door d ON d.id = gd.door_id LEFT JOIN schedule s ON s.id = gd.schedule_id ORDER BY d.name
                """) {
                doors[row["group_id"], default: []].append(GroupListing.Door(door: row["door"], schedule: row["schedule"]))
            }
            return try Row.fetchAll(db, sql: "SELECT id, name FROM access_group ORDER BY name").map { row in
                let id: String = row["id"]
                return GroupListing(id: id, name: row["name"], doors: doors[id] ?? [])
            }
        }
    }

    public func schedules() throws -> [ScheduleListing] {
        try pool.read { db in
            var intervals: [String: [ScheduleListing.Interval]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT schedule_id, days, start_minute, end_minute FROM schedule_interval ORDER BY rowid") {
                let days = Weekdays(rawValue: row["days"])
                intervals[row["schedule_id"], default: []].append(ScheduleListing.Interval(
                    days: days == .everyDay ? "daily" : days.description, from: TimeOfDay(minutes: row["start_minute"]).description,
                    to: TimeOfDay(minutes: row["end_minute"]).description))
            }
            return try Row.fetchAll(db, sql: "SELECT id, name, open_on_holidays FROM schedule ORDER BY name").map { row in
                let id: String = row["id"]
                return ScheduleListing(id: id, name: row["name"], openOnHolidays: row["open_on_holidays"], intervals: intervals[id] ?? [])
            }
        }
    }

    public func holidays() throws -> [HolidayListing] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT day, name FROM holiday ORDER BY day").map { HolidayListing(day: $0["day"], name: $0["name"]) }
        }
    }
}

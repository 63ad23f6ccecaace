import Foundation

/// Days of the week a schedule interval applies to.
public struct Weekdays: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Monday first, as people write ranges (`mon-fri`).
    static let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    public static let everyDay = Weekdays(rawValue: 0b111_1111)

    static func day(_ index: Int) -> Weekdays { Weekdays(rawValue: 1 << index) }

    /// Parses `mon-fri`, `sat,sun`, `mon,wed-fri`, `daily`; nil when malformed.
    public init?(parsing text: String) {
        if text.lowercased() == "daily" { self = .everyDay; return }
        var days: Weekdays = []
        for part in text.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(bounds.count),
                  let first = Self.names.firstIndex(of: bounds[0]),
                  let last = Self.names.firstIndex(of: bounds[bounds.count - 1]),
                  first <= last
            else { return nil }
            for index in first...last { days.insert(.day(index)) }
        }
        self = days
    }

    public var description: String {
        Self.names.indices.filter { contains(.day($0)) }.map { Self.names[$0] }.joined(separator: ",")
    }
}

/// A wall-clock time in the site's zone, in minutes after midnight (`24:00` allowed as an end).
public struct TimeOfDay: Sendable, Hashable, Comparable {
    public let minutes: Int

    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...59).contains(minutes), (0...24).contains(hours), hours < 24 || minutes == 0
        else { return nil }
        self.minutes = hours * 60 + minutes
    }

    init(minutes: Int) { self.minutes = minutes }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }

    public var description: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}

/// One weekly window: on these days from `start` to `end` in wall-clock time; an end at or before the start
/// runs past midnight into the next day (22:00–06:00), which still belongs to the day it started.
public struct ScheduleInterval: Sendable, Hashable {
    public let days: Weekdays
    public let start: TimeOfDay
    public let end: TimeOfDay

    public init(days: Weekdays, start: TimeOfDay, end: TimeOfDay) {
        self.days = days
        self.start = start
        self.end = end
    }

    func contains(day: Int, minute: Int) -> Bool {
        if start < end { return days.contains(.day(day)) && start.minutes <= minute && minute < end.minutes }
        let previousDay = (day + 6) % 7
        return (days.contains(.day(day)) && minute >= start.minutes)
            || (days.contains(.day(previousDay)) && minute < end.minutes)
    }
}

/// A named weekly schedule. Evaluated in wall-clock time of the site's zone, so 08:00 is 08:00 on both sides
/// of a DST change; on a holiday it is closed unless it says otherwise.
struct Schedule: Sendable, Hashable {
    let id: String
    let name: String
    let intervals: [ScheduleInterval]
    let openOnHolidays: Bool

    enum Verdict { case inside, outside, holiday }

    func verdict(at moment: SiteMoment) -> Verdict {
        if moment.isHoliday && !openOnHolidays { return .holiday }
        return intervals.contains { $0.contains(day: moment.weekday, minute: moment.minute) } ? .inside : .outside
    }
}

/// A point in time as the site's wall clock sees it: what schedules, holidays and vacations are judged on.
struct SiteMoment: Sendable {
    let date: Date
    /// 0 = Monday … 6 = Sunday.
    let weekday: Int
    let minute: Int
    /// `YYYY-MM-DD` in the site's zone.
    let day: String
    let isHoliday: Bool

    init(_ date: Date, calendar: Calendar, holidays: Set<String>) {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        self.date = date
        weekday = (parts.weekday! + 5) % 7
        minute = parts.hour! * 60 + parts.minute!
        day = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        isHoliday = holidays.contains(day)
    }
}

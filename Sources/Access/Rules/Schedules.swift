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
    /// The site's calendar day as `YYYYMMDD` (2026-03-02 → 20260302), so days compare as integers.
    let day: Int
    let isHoliday: Bool
}

/// The site's wall clock, fast enough for every decision: the zone's UTC offsets are precomputed from its
/// transitions (2000–2100), and the calendar day comes from arithmetic (Hinnant's civil-from-days), not from
/// `Calendar`, which costs microseconds per call.
struct SiteClock: Sendable {
    let timeZone: TimeZone
    /// Instants (Unix seconds) at which the offset changes, ascending, and the offset from each one on.
    private let transitions: [Double]
    private let offsets: [Int]
    private static let covered = Date(timeIntervalSince1970: 946_684_800)..<Date(timeIntervalSince1970: 4_102_444_800)

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var transitions = [Self.covered.lowerBound.timeIntervalSince1970]
        var offsets = [timeZone.secondsFromGMT(for: Self.covered.lowerBound)]
        var date = Self.covered.lowerBound
        while let next = timeZone.nextDaylightSavingTimeTransition(after: date), next < Self.covered.upperBound {
            transitions.append(next.timeIntervalSince1970)
            offsets.append(timeZone.secondsFromGMT(for: next))
            date = next
        }
        self.transitions = transitions
        self.offsets = offsets
    }

    func offset(at date: Date) -> Int {
        let seconds = date.timeIntervalSince1970
        guard Self.covered.contains(date) else { return timeZone.secondsFromGMT(for: date) }
        var low = 0, high = transitions.count // the last transition at or before `seconds`
        while high - low > 1 {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle } else { high = middle }
        }
        return offsets[low]
    }

    func moment(_ date: Date, holidays: Set<Int>) -> SiteMoment {
        let local = Int((date.timeIntervalSince1970 + Double(offset(at: date))).rounded(.down))
        let (days, secondOfDay) = local.quotientAndRemainder(dividingBy: 86_400)
        let dayNumber = secondOfDay < 0 ? days - 1 : days
        let minute = ((secondOfDay + 86_400) % 86_400) / 60
        let day = Self.civilDay(fromDays: dayNumber)
        // 1970-01-01 was a Thursday (3 with Monday = 0).
        return SiteMoment(date: date, weekday: ((dayNumber + 3) % 7 + 7) % 7, minute: minute, day: day, isHoliday: holidays.contains(day))
    }

    /// `YYYYMMDD` of the day `days` after 1970-01-01 (proleptic Gregorian).
    static func civilDay(fromDays days: Int) -> Int {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return year * 10_000 + month * 100 + day
    }

    /// `YYYY-MM-DD` → `YYYYMMDD`.
    static func day(_ text: String) -> Int? {
        Int(text.replacingOccurrences(of: "-", with: ""))
    }
}

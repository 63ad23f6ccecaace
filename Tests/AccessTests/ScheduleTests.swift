import Foundation
import Testing
@testable import Access

@Suite struct ScheduleTests {
    let clock = SiteClock(timeZone: Site.zone)

    func moment(_ text: String, holidays: Set<Int> = []) -> SiteMoment {
        clock.moment(Site.time(text), holidays: holidays)
    }

    @Test func daysParse() {
        #expect(Weekdays(parsing: "mon-fri")?.description == "mon,tue,wed,thu,fri")
        #expect(Weekdays(parsing: "sat,sun")?.description == "sat,sun")
        #expect(Weekdays(parsing: "mon,wed-fri")?.description == "mon,wed,thu,fri")
        #expect(Weekdays(parsing: "daily") == .everyDay)
        for bad in ["", "fri-mon", "monday", "mon,", "mon--fri"] { #expect(Weekdays(parsing: bad) == nil, "\(bad)") }
        #expect(TimeOfDay(parsing: "24:00")?.minutes == 1440)
        for bad in ["24:01", "8:00", "08:60", "0800"] { #expect(TimeOfDay(parsing: bad) == nil, "\(bad)") }
    }

    @Test func aNightShiftRunsPastMidnightAndBelongsToItsFirstDay() {
        let nights = Schedule(id: "s", name: "Nights", intervals: [ScheduleInterval(
            days: Weekdays(parsing: "fri")!, start: TimeOfDay(parsing: "22:00")!, end: TimeOfDay(parsing: "06:00")!)], openOnHolidays: false)
        #expect(nights.verdict(at: moment("2026-03-06 21:59")) == .outside) // Friday
        #expect(nights.verdict(at: moment("2026-03-06 22:00")) == .inside)
        #expect(nights.verdict(at: moment("2026-03-07 05:59")) == .inside) // Saturday morning
        #expect(nights.verdict(at: moment("2026-03-07 06:00")) == .outside)
        #expect(nights.verdict(at: moment("2026-03-07 23:00")) == .outside) // Saturday night is not Friday's
        #expect(nights.verdict(at: moment("2026-03-06 23:00", holidays: [20260306])) == .holiday)
    }

    /// The fast clock agrees with Foundation's calendar, minute by minute across both DST changes and year ends.
    @Test func theSiteClockAgreesWithTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Site.zone
        let starts = ["2026-03-28T00:00:00Z", "2026-10-24T00:00:00Z", "2025-12-31T20:00:00Z", "2028-02-28T20:00:00Z"]
        for start in starts {
            let first = SiteTime.parse(start, timeZone: .gmt)!
            for step in stride(from: 0.0, to: 3 * 86_400, by: 420) {
                let date = first + step
                let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
                let moment = clock.moment(date, holidays: [])
                #expect(moment.day == parts.year! * 10_000 + parts.month! * 100 + parts.day!)
                #expect(moment.weekday == (parts.weekday! + 5) % 7)
                #expect(moment.minute == parts.hour! * 60 + parts.minute!)
            }
        }
    }

    @Test func timesParse() {
        let zone = Site.zone
        #expect(SiteTime.parse("2026-03-02 10:00", timeZone: zone) == SiteTime.parse("2026-03-02T09:00:00Z", timeZone: zone))
        #expect(SiteTime.parse("2026-07-02 10:00", timeZone: zone) == SiteTime.parse("2026-07-02T10:00:00+02:00", timeZone: zone))
        for bad in ["2026-03-02", "10:00", "2026-02-30 10:00", "next week", "2026-03-29 02:30"] {
            #expect(SiteTime.parse(bad, timeZone: zone) == nil, "\(bad)")
        }
        #expect(SiteTime.parseDay("2026-02-28") != nil)
        #expect(SiteTime.parseDay("2026-02-29") == nil)
    }
}

import Access
import Foundation
import Hummingbird

struct NewGroupBody: Decodable {
    struct GroupDoor: Decodable {
        let door: String
        /// A schedule (id or name); left out, the door is open to the group at any time.
        let schedule: String?
    }
    let name: String
    let doors: [GroupDoor]
}

struct NewScheduleBody: Decodable {
    /// `mon-fri`, `sat,sun`, `mon,wed-fri` or `daily`.
    let days: String
    let name: String
    /// `HH:MM`, site time.
    let from: String
    /// `HH:MM` (`24:00` for midnight); at or before `from`, the interval runs past midnight.
    let to: String
    let openOnHolidays: Bool?
}

struct NewHolidayBody: Decodable {
    /// `YYYY-MM-DD`, a site day.
    let day: String
    let name: String?
}

struct GrantBody: Decodable {
    let group: String
}

struct NamedView: Encodable {
    let id: String
    let site: String
    let name: String
}

struct HolidayView: Encodable {
    let day: String
    let name: String?
}

struct GrantView: Encodable {
    let person: String
    let group: String
}

extension KeywayAPI {
    /// Groups, schedules and holidays, as `keyway groups|schedules|holidays add` make them: the site's policy, for
    /// admins. Adding a person to a group (`keyway people grant`) is the desk's work too.
    func addPolicyRoutes(_ v1: RouterGroup<APIContext>) {
        v1.post("groups") { request, context in
            let caller = try await self.changingPolicy(request, context, "adding groups")
            let body = try await JSONBody.decode(NewGroupBody.self, from: request, context: context)
            guard !body.doors.isEmpty, body.doors.count <= APILimits.doorsPerRequest else {
                throw APIError.invalid("doors lists 1 to \(APILimits.doorsPerRequest) doors")
            }
            var doors: [(door: String, schedule: String?)] = []
            for entry in body.doors {
                doors.append((try Input.text(entry.door, "a door name", max: APILimits.nameLength),
                              try Input.optionalText(entry.schedule, "schedule", max: APILimits.nameLength)))
            }
            let group = try await self.access.addGroup(name: try Input.text(body.name, "name", max: APILimits.nameLength), doors: doors,
                                                       actor: caller.actor, at: Date())
            return JSONBody.response(NamedView(id: group.id, site: self.accounts.siteID, name: group.name), status: .created)
        }
        v1.post("schedules") { request, context in
            let caller = try await self.changingPolicy(request, context, "adding schedules")
            let body = try await JSONBody.decode(NewScheduleBody.self, from: request, context: context)
            let days = try Input.text(body.days, "days", max: APILimits.nameLength)
            guard let weekdays = Weekdays(parsing: days) else { throw APIError.invalid("days: '\(days)' is not like mon-fri or sat,sun") }
            guard let start = TimeOfDay(parsing: try Input.text(body.from, "from", max: 5)) else { throw APIError.invalid("from is HH:MM") }
            guard let end = TimeOfDay(parsing: try Input.text(body.to, "to", max: 5)) else { throw APIError.invalid("to is HH:MM (24:00 for midnight)") }
            let schedule = try await self.access.addSchedule(
                name: try Input.text(body.name, "name", max: APILimits.nameLength), interval: ScheduleInterval(days: weekdays, start: start, end: end),
                openOnHolidays: body.openOnHolidays ?? false, actor: caller.actor, at: Date())
            return JSONBody.response(NamedView(id: schedule.id, site: self.accounts.siteID, name: schedule.name), status: .created)
        }
        v1.post("holidays") { request, context in
            let caller = try await self.changingPolicy(request, context, "adding holidays")
            let body = try await JSONBody.decode(NewHolidayBody.self, from: request, context: context)
            let day = try Input.text(body.day, "day", max: 10)
            guard SiteTime.parseDay(day) != nil else { throw APIError.invalid("day is a date YYYY-MM-DD, not '\(day)'") }
            let name = try Input.optionalText(body.name, "name", max: APILimits.nameLength)
            try await self.access.addHoliday(day: day, name: name, actor: caller.actor, at: Date())
            return JSONBody.response(HolidayView(day: day, name: name), status: .created)
        }
        v1.post("people/:person/groups") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "adding people to groups")
            guard caller.token?.doors == nil else { throw APIError.forbidden("adding people to groups needs a token not limited to doors") }
            let body = try await JSONBody.decode(GrantBody.self, from: request, context: context)
            let person = try Input.path(context, "person")
            let group = try Input.text(body.group, "group", max: APILimits.nameLength)
            try await self.access.grant(person: person, group: group, actor: caller.actor, at: Date())
            return JSONBody.response(GrantView(person: person, group: group))
        }
    }

    /// The site's policy is the admin's, and reaches every door: no door-limited token changes it.
    private func changingPolicy(_ request: Request, _ context: APIContext, _ what: String) async throws -> Caller {
        let caller = try await caller(request, context)
        try caller.require(.admin, what)
        guard caller.token?.doors == nil else { throw APIError.forbidden("\(what) needs a token not limited to doors") }
        return caller
    }
}

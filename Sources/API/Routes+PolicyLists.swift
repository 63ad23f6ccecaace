import Access
import Foundation
import Hummingbird

struct GroupListView: Encodable {
    let id: String
    let site: String
    let name: String
    let doors: [GroupListing.Door]
}

struct ScheduleListView: Encodable {
    let id: String
    let site: String
    let name: String
    let openOnHolidays: Bool
    let intervals: [ScheduleListing.Interval]
}

extension KeywayAPI {
    /// Groups, schedules and holidays as listed, under the names `POST` makes them with. Staff read them (the desk
    /// adds people to groups); admins change them. A token limited to doors sees only those doors in a group, and no
    /// group without one of them.
    func addPolicyListRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("groups") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "listing groups")
            let groups = try await self.access.groups().compactMap { group -> GroupListView? in
                let doors = group.doors.filter { caller.mayReach(door: $0.door) }
                guard !doors.isEmpty || caller.token?.doors == nil else { return nil }
                return GroupListView(id: group.id, site: self.accounts.siteID, name: group.name, doors: doors)
            }
            return JSONBody.response(groups)
        }
        v1.get("schedules") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "listing schedules")
            return JSONBody.response(try await self.access.schedules().map {
                ScheduleListView(id: $0.id, site: self.accounts.siteID, name: $0.name, openOnHolidays: $0.openOnHolidays, intervals: $0.intervals)
            })
        }
        v1.get("holidays") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "listing holidays")
            return JSONBody.response(try await self.access.holidays().map { HolidayView(day: $0.day, name: $0.name) })
        }
    }
}

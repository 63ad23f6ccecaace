import Access
import Foundation
import Testing
@testable import API

/// GET /groups, /schedules and /holidays list what POST made, in the same words.
@Suite struct PolicyListTests {
    @Test func groupsSchedulesAndHolidaysAreListedAsTheyWereMade() async throws {
        let harness = try APIHarness()
        let (sessions, _) = try await harness.roleSessions()
        let admin = sessions[.admin]!.headers(changing: true)
        for (path, body) in [("schedules", #"{"name": "Office", "days": "mon-fri", "from": "08:00", "to": "18:00"}"#),
                             ("schedules", #"{"name": "Nights", "days": "daily", "from": "22:00", "to": "06:00", "open_on_holidays": true}"#),
                             ("groups", #"{"name": "Staff", "doors": [{"door": "Roof", "schedule": "Office"}, {"door": "Lobby"}]}"#),
                             ("groups", #"{"name": "Garage users", "doors": [{"door": "Garage"}]}"#),
                             ("holidays", #"{"day": "2030-12-25", "name": "Christmas"}"#), ("holidays", #"{"day": "2030-01-01"}"#)] {
            let made = try await harness.send(.post, "/api/v1/\(path)", json: body, headers: admin)
            #expect(made.status == .created, "\(made.text)")
        }
        let staff = sessions[.staff]!.headers()
        let groups = try await harness.send(.get, "/api/v1/groups", headers: staff).list
        #expect(groups.map { $0["name"] as? String } == ["Garage users", "Staff"])
        #expect(groups.allSatisfy { $0["site"] as? String == harness.storage.siteID && ($0["id"] as? String)?.hasPrefix("grp") == true })
        #expect((groups[1]["doors"] as? [[String: Any]])?.map { "\($0["door"]!)@\($0["schedule"] as? String ?? "-")" } == ["Lobby@-", "Roof@Office"])
        let schedules = try await harness.send(.get, "/api/v1/schedules", headers: staff).list
        #expect(schedules.map { $0["name"] as? String } == ["Nights", "Office"])
        #expect(schedules.map { $0["open_on_holidays"] as? Bool } == [true, false])
        #expect((schedules[1]["intervals"] as? [[String: Any]])?.map { "\($0["days"]!) \($0["from"]!)-\($0["to"]!)" } == ["mon,tue,wed,thu,fri 08:00-18:00"])
        #expect((schedules[0]["intervals"] as? [[String: Any]])?.first?["days"] as? String == "daily")
        let holidays = try await harness.send(.get, "/api/v1/holidays", headers: staff)
        #expect(holidays.text == #"[{"day":"2030-01-01"},{"day":"2030-12-25","name":"Christmas"}]"#)
        // A token limited to the Garage sees that door's group only.
        let limited = try await harness.token(sessions[.staff]!, doors: ["Garage"])
        let seen = try await harness.send(.get, "/api/v1/groups", headers: limited.headers).list
        #expect(seen.map { $0["name"] as? String } == ["Garage users"])
    }
}

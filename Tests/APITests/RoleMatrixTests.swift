import Access
import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import API

/// Every role against every resource: what an admin, a staff member and a resident (Ada, holding a key to the
/// Lobby) get back. Successes use valid bodies, so a refusal is the role's and nothing else's.
@Suite struct RoleMatrixTests {
    @Test func eachRoleGetsWhatItMayAndNoMore() async throws {
        let harness = try APIHarness()
        let (sessions, admin) = try await harness.roleSessions()
        _ = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: true, actor: "test", at: Date())
        // Bob's keys: one per role to share, one per role to revoke.
        var bobKeys: [String] = []
        for _ in 0..<6 {
            bobKeys.append(try await harness.storage.issueKey(person: "Bob", doors: ["Roof"], validUntil: nil, mayShare: true, actor: "test",
                                                              at: Date()).credential.id)
        }
        // A staff member's code per role to rotate (rotation ends the old code, so each role gets its own).
        let staffCodes = try (0..<3).map { _ in try harness.access.store.createPasscode(PasscodeRequest(label: "desk", doors: ["Roof"])).credential.id }
        var emails = 0
        func newUser() -> String {
            emails += 1
            return #"{"email": "new\#(emails)@example.org", "name": "New", "role": "staff"}"#
        }
        for (index, role) in [Role.admin, .staff, .resident].enumerated() {
            let rows: [RoleRow] = [
                RoleRow(method: .get, path: "/api/v1/users", body: nil, admin: .ok, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/users", body: newUser(), admin: .created, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .patch, path: "/api/v1/users/\(admin.id)", body: #"{"disabled": true}"#, admin: .badRequest, staff: .forbidden,
                    resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/users/\(admin.id)/password-link", body: nil, admin: .created, staff: .forbidden,
                    resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/tokens?all=true", body: nil, admin: .ok, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/tokens", body: #"{"name": "t", "role": "admin"}"#, admin: .created, staff: .forbidden,
                    resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/tokens", body: #"{"name": "t", "role": "resident"}"#, admin: .created, staff: .created,
                    resident: .created),
                RoleRow(method: .get, path: "/api/v1/doors", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .get, path: "/api/v1/keys?scope=all", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/keys?scope=mine", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .post, path: "/api/v1/keys", body: #"{"person": "Bob", "doors": ["Roof"]}"#, admin: .created, staff: .created,
                    resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/keys/\(bobKeys[0])", body: nil, admin: .ok, staff: .ok, resident: .notFound),
                RoleRow(method: .post, path: "/api/v1/keys/\(bobKeys[index])/shares", body: #"{"recipient": "guest@example.org"}"#,
                    admin: .created, staff: .created, resident: .notFound),
                RoleRow(method: .delete, path: "/api/v1/keys/\(bobKeys[3 + index])", body: nil, admin: .ok, staff: .ok, resident: .notFound),
                RoleRow(method: .post, path: "/api/v1/passcodes", body: #"{"label": "walker", "doors": ["Roof"]}"#, admin: .created,
                    staff: .created, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/passcodes", body: #"{"label": "walker", "doors": ["Lobby"], "uses": 1}"#,
                    admin: .created, staff: .created, resident: .created),
                RoleRow(method: .get, path: "/api/v1/passcodes", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .post, path: "/api/v1/passcodes/\(staffCodes[index])/rotate", body: #"{"overlap_seconds": 60}"#,
                    admin: .created, staff: .created, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/activity", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .post, path: "/api/v1/doors/Roof/unlock", body: nil, admin: .forbidden, staff: .forbidden, resident: .ok),
                RoleRow(method: .post, path: "/api/v1/doors/Garage/lockdown", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/doors/Back%20Door/timed-unlock", body: #"{"seconds": 5}"#, admin: .ok, staff: .ok,
                    resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/people?search=a", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/people", body: #"{"name": "Person \#(index)", "kind": "visitor"}"#, admin: .created,
                    staff: .created, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/people/Bob/suspend", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/people/Bob/reinstate", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/schedules", body: #"{"name": "S\#(index)", "days": "mon-fri", "from": "08:00", "to": "18:00"}"#,
                    admin: .created, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/groups", body: #"{"name": "G\#(index)", "doors": [{"door": "Roof"}]}"#, admin: .created,
                    staff: .forbidden, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/holidays", body: #"{"day": "2030-01-0\#(index + 1)"}"#, admin: .created, staff: .forbidden,
                    resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/people/Bob/groups", body: #"{"group": "G0"}"#, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/activity.csv", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .post, path: "/api/v1/doors/Garage/normal", body: nil, admin: .ok, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .put, path: "/api/v1/doors/Roof/device-binding", body: #"{"required": true}"#, admin: .ok, staff: .ok,
                    resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/doors/Roof/device-binding", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/keys/\(bobKeys[0])/device/allow", body: nil, admin: .conflict, staff: .conflict,
                    resident: .notFound),
                RoleRow(method: .get, path: "/api/v1/alerts", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/alerts/1/acknowledge", body: nil, admin: .notFound, staff: .notFound, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/groups", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/schedules", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/holidays", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/import?dry_run=true", body: "record,name\nunit,U\(index)\n", admin: .ok, staff: .ok,
                    resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/import", body: "record,name\nunit,U\(index)\n", admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/export.csv", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
            ]
            try await harness.expect(rows, as: role, sessions: sessions)
        }
        // What a resident may read is their own: their doors, their keys, their passcodes.
        let resident = sessions[.resident]!.headers()
        #expect(try await harness.send(.get, "/api/v1/doors", headers: resident).list.map { $0["name"] as? String } == ["Lobby"])
        #expect(try await harness.send(.get, "/api/v1/keys", headers: resident).list.allSatisfy { $0["person"] as? String == "Ada" })
        #expect(try await harness.send(.get, "/api/v1/passcodes", headers: resident).list.count == 1)
    }

    @Test func liveStreamsAreBounded() async throws {
        let harness = try APIHarness(adjust: { $0.maximumStreams = 0 })
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        let refused = try await harness.send(.get, "/api/v1/activity/stream", headers: staff.headers())
        #expect(refused.status == .tooManyRequests)
        #expect(refused.errorCode == "too_many_streams")
    }
}

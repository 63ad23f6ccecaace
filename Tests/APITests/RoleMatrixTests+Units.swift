import Access
import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import API

/// Every role against units, guest passes, the sharing policy and webhooks: an admin, a staff member and a resident
/// (Ada, of unit 4B, holding a shareable key to the Lobby).
@Suite struct UnitRoleMatrixTests {
    @Test func eachRoleGetsWhatItMayOfUnitsPolicyAndWebhooks() async throws {
        let harness = try APIHarness()
        let store = harness.access.store
        let sessions = try await harness.roleSessions().sessions
        try store.addUnit(name: "4B")
        try store.addUnit(name: "5C")
        try store.moveIn(person: "Ada", unit: "4B")
        try store.moveIn(person: "Bob", unit: "5C")
        for index in 0..<3 { try store.addPerson(name: "Mover \(index)") }
        let key = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: true, actor: "test", at: Date())
        _ = try store.shareKey(key.credential.id, to: "guest@example.org")
        var hooks: [String] = []
        for _ in 0..<3 { hooks.append(try store.addWebhook(url: "http://127.0.0.1:9/hook", events: [.accessDenied]).subscription.id) }

        for (index, role) in [Role.admin, .staff, .resident].enumerated() {
            let rows: [RoleRow] = [
                RoleRow(method: .get, path: "/api/v1/units", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/units", body: #"{"name": "U\#(index)"}"#, admin: .created, staff: .created,
                    resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/units/5C/residents", body: #"{"person": "Mover \#(index)"}"#, admin: .ok, staff: .ok,
                    resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/units/5C/move-out", body: #"{"person": "Mover \#(index)"}"#, admin: .ok, staff: .ok,
                    resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/units/4B/passes", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .get, path: "/api/v1/units/5C/passes", body: nil, admin: .ok, staff: .ok, resident: .notFound),
                RoleRow(method: .get, path: "/api/v1/policy", body: nil, admin: .ok, staff: .ok, resident: .ok),
                RoleRow(method: .patch, path: "/api/v1/policy", body: #"{"most_uses": 20}"#, admin: .ok, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/webhooks", body: nil, admin: .ok, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/webhooks", body: #"{"url": "http://127.0.0.1:9/h", "events": ["all"]}"#, admin: .created,
                    staff: .forbidden, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/webhooks/\(hooks[0])/deliveries", body: nil, admin: .ok, staff: .forbidden,
                    resident: .forbidden),
                RoleRow(method: .delete, path: "/api/v1/webhooks/\(hooks[index])", body: nil, admin: .ok, staff: .forbidden, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/webhook-events", body: nil, admin: .ok, staff: .forbidden, resident: .forbidden),
            ]
            try await harness.expect(rows, as: role, sessions: sessions)
        }
        // Ada sees her unit's active visitor access: the share she made, with her as its issuer.
        let passes = try await harness.send(.get, "/api/v1/units/4B/passes", headers: sessions[.resident]!.headers()).list
        #expect(passes.count == 1 && passes.first?["issuer"] as? String == "Ada" && passes.first?["recipient"] as? String == "guest@example.org")
    }

    /// The policy an admin sets through the API binds a resident's share made through the API: 422 naming the rule.
    @Test func aShareBeyondThePolicyIsRefusedWithTheRule() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
        let admin = try await harness.login("admin@example.org")
        let ada = try await harness.login("ada@example.org")
        let key = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: true, actor: "test", at: Date())
        let set = try await harness.send(.patch, "/api/v1/policy", json: #"{"longest_validity": 3600}"#, headers: admin.headers(changing: true))
        #expect(set.status == .ok, "\(set.text)")
        #expect((set["site"] as? [String: Any])?["longest_validity"] as? Int == 3600)
        let refused = try await harness.send(.post, "/api/v1/keys/\(key.credential.id)/shares", json: #"{"recipient": "guest@example.org"}"#,
                                             headers: ada.headers(changing: true))
        #expect(refused.status == .unprocessableContent)
        #expect(refused.errorCode == "policy_longest_validity", "\(refused.text)")
        let until = Timestamp.format(Date() + 1800)
        let shared = try await harness.send(.post, "/api/v1/keys/\(key.credential.id)/shares",
                                            json: #"{"recipient": "guest@example.org", "valid_until": "\#(until)"}"#, headers: ada.headers(changing: true))
        #expect(shared.status == .created, "\(shared.text)")
        // Bad values are refused with the bound, and nothing is set.
        let bad = try await harness.send(.patch, "/api/v1/policy", json: #"{"most_uses": 0}"#, headers: admin.headers(changing: true))
        #expect(bad.status == .unprocessableContent, "\(bad.text)")
        let both = try await harness.send(.patch, "/api/v1/policy", json: #"{"door": "Lobby", "group": "All"}"#, headers: admin.headers(changing: true))
        #expect(both.status == .badRequest)
    }

    /// A webhook's secret is in the answer that creates it and in no listing.
    @Test func aWebhookSecretIsShownOnce() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let admin = try await harness.login("admin@example.org")
        let created = try await harness.send(.post, "/api/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/h", "events": ["door.forced"]}"#,
                                             headers: admin.headers(changing: true))
        #expect(created.status == .created)
        let secret = try #require(created["secret"] as? String)
        #expect(secret.count == 64)
        let listed = try await harness.send(.get, "/api/v1/webhooks", headers: admin.headers())
        #expect(listed.list.count == 1 && !listed.text.contains(secret))
        let unknown = try await harness.send(.post, "/api/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/h", "events": ["door.opened"]}"#,
                                             headers: admin.headers(changing: true))
        #expect(unknown.status == .badRequest)
    }

    /// The dashboard offers exactly the event types a subscription may ask for, and lists when each was made.
    @Test func theEventTypesAndEachSubscriptionsCreationAreListed() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let admin = try await harness.login("admin@example.org")
        let events = try await harness.send(.get, "/api/v1/webhook-events", headers: admin.headers())
        #expect(events.status == .ok)
        let names = try #require(try JSONSerialization.jsonObject(with: events.body) as? [String], "\(events.text)")
        #expect(names == WebhookEventType.allCases.map(\.rawValue))
        let before = Date().addingTimeInterval(-1)
        _ = try await harness.send(.post, "/api/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/h", "events": ["duress"]}"#,
                                   headers: admin.headers(changing: true))
        let listed = try await harness.send(.get, "/api/v1/webhooks", headers: admin.headers())
        let created = try #require(listed.list.first?["created_at"] as? String, "\(listed.text)")
        #expect(try Timestamp.parse(created, field: "created_at") >= before, "\(created)")
        // all among names is all, listed as such (it takes the kinds a later Keyway adds).
        let every = try await harness.send(.post, "/api/v1/webhooks", json: #"{"url": "http://127.0.0.1:9/all", "events": ["duress", "all"]}"#,
                                           headers: admin.headers(changing: true))
        #expect(every.status == .created)
        let all = try await harness.send(.get, "/api/v1/webhooks", headers: admin.headers()).list.first { $0["url"] as? String == "http://127.0.0.1:9/all" }
        #expect(all?["events"] as? [String] == ["all"], "\(every.text)")
    }
}

/// A resident sees and revokes the guest passes anyone in their unit issued, and nobody else's.
@Suite struct UnitScopeTests {
    @Test func aResidentSeesAndRevokesTheirUnitsGuestPasses() async throws {
        let harness = try APIHarness()
        let store = harness.access.store
        try store.addPerson(name: "Carol")
        try store.addUnit(name: "4B")
        try store.addUnit(name: "5C")
        try store.moveIn(person: "Ada", unit: "4B")
        try store.moveIn(person: "Carol", unit: "4B")
        try store.moveIn(person: "Bob", unit: "5C")
        for person in ["Ada", "Carol", "Bob"] {
            _ = try await harness.storage.issueKey(person: person, doors: ["Lobby"], validUntil: nil, mayShare: true, actor: "test", at: Date())
            _ = try await harness.account(.resident, "\(person.lowercased())@example.org", person: person)
        }
        let ada = try await harness.login("ada@example.org")
        let carol = try await harness.login("carol@example.org")
        let bob = try await harness.login("bob@example.org")
        let until = Timestamp.format(Date() + 3600)
        let made = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "Dog walker", "doors": ["Lobby"], "uses": 3, "valid_until": "\#(until)"}"#,
                                          headers: carol.headers(changing: true))
        #expect(made.status == .created, "\(made.text)")
        let code = try #require(made["passcode.id"] as? String)
        // Carol's passcode is her unit's guest pass: in 4B's active visitor access, issued by her.
        let passes = try await harness.send(.get, "/api/v1/units/4B/passes", headers: ada.headers()).list
        #expect(passes.contains { $0["id"] as? String == code && $0["issuer"] as? String == "Carol" }, "\(passes)")
        #expect(try await harness.send(.get, "/api/v1/passcodes", headers: ada.headers()).list.contains { $0["id"] as? String == code })
        #expect(try await harness.send(.get, "/api/v1/passcodes", headers: bob.headers()).list.isEmpty)
        #expect(try await harness.send(.delete, "/api/v1/passcodes/\(code)", headers: bob.headers(changing: true)).status == .notFound)
        // Its rows in the log are Ada's to read too, not Bob's.
        let adasRows = try await harness.send(.get, "/api/v1/activity?credential=\(code)", headers: ada.headers())["entries"] as? [Any]
        #expect(adasRows?.isEmpty == false)
        let bobsRows = try await harness.send(.get, "/api/v1/activity?credential=\(code)", headers: bob.headers())["entries"] as? [Any]
        #expect(bobsRows?.isEmpty == true)
        let revoked = try await harness.send(.delete, "/api/v1/passcodes/\(code)", headers: ada.headers(changing: true))
        #expect(revoked.status == .ok, "\(revoked.text)")
    }

    /// The sharing policy binds a resident's passcode made through the API.
    @Test func aResidentsPasscodeBeyondThePolicyIsRefusedWithTheRule() async throws {
        let harness = try APIHarness()
        try harness.access.store.setSharingPolicy(SharingRules(mostUses: .atMost(5)), for: .site)
        _ = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: true, actor: "test", at: Date())
        _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
        let ada = try await harness.login("ada@example.org")
        let refused = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "Party", "doors": ["Lobby"], "uses": 50}"#,
                                             headers: ada.headers(changing: true))
        #expect(refused.status == .unprocessableContent)
        #expect(refused.errorCode == "policy_most_uses", "\(refused.text)")
    }
}

import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// Groups, schedules and holidays over HTTP, as `keyway groups|schedules|holidays add` and `keyway people grant`.
@Suite struct PolicyTests {
    @Test func aGroupOnAScheduleOpensItsDoorsToThePeopleGranted() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let schedule = try await harness.send(.post, "/api/v1/schedules",
                                              json: #"{"name": "Nights", "days": "daily", "from": "22:00", "to": "06:00", "open_on_holidays": true}"#,
                                              headers: manager)
        #expect(schedule.status == .created, "\(schedule.text)")
        let group = try await harness.send(.post, "/api/v1/groups",
                                           json: #"{"name": "Night staff", "doors": [{"door": "Back Door", "schedule": "Nights"}, {"door": "Lobby"}]}"#,
                                           headers: manager)
        #expect(group.status == .created, "\(group.text)")
        #expect(try await harness.send(.post, "/api/v1/people/Bob/groups", json: #"{"group": "Night staff"}"#, headers: manager).status == .ok)
        #expect(try await harness.send(.post, "/api/v1/holidays", json: #"{"day": "2030-12-25", "name": "Christmas"}"#, headers: manager).status == .created)
        // Bob's card opens the Lobby now, at the door's own decision.
        _ = try harness.access.store.addCards([CardEnrollment(person: "Bob", card: .fields(format: "h10301", facility: 1, number: 7))], at: Date())
        #expect(harness.access.check(.card(.fields(format: "h10301", facility: 1, number: 7)), door: "Lobby", at: Date()).granted)
        let log = try await harness.storage.activity(ActivityQuery(limit: 50))
        #expect(Set(log.compactMap(\.event)).isSuperset(of: ["group_added", "holiday_added", "granted"]))
    }

    @Test func hostilePolicyRequestsGetClearErrors() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let refusals: [(String, String, HTTPResponse.Status)] = [
            ("/api/v1/schedules", #"{"name": "S", "days": "someday", "from": "08:00", "to": "18:00"}"#, .badRequest),
            ("/api/v1/schedules", #"{"name": "S", "days": "mon", "from": "25:00", "to": "18:00"}"#, .badRequest),
            ("/api/v1/schedules", #"{"name": "S", "days": "mon", "from": "08:00", "to": "08:00"}"#, .unprocessableContent),
            ("/api/v1/groups", #"{"name": "G", "doors": []}"#, .badRequest),
            ("/api/v1/groups", #"{"name": "G", "doors": [{"door": "Nowhere"}]}"#, .notFound),
            ("/api/v1/groups", #"{"name": "G", "doors": [{"door": "Lobby", "schedule": "Never"}]}"#, .notFound),
            ("/api/v1/holidays", #"{"day": "2030-02-30"}"#, .badRequest),
            ("/api/v1/holidays", #"{"day": "christmas"}"#, .badRequest),
            ("/api/v1/people/Nobody/groups", #"{"group": "G"}"#, .notFound),
        ]
        for (path, body, status) in refusals {
            let answer = try await harness.send(.post, path, json: body, headers: manager)
            #expect(answer.status == status, "\(path) \(body) → \(answer.status) \(answer.text)")
            #expect(answer.errorCode != nil)
        }
        #expect(try await harness.send(.post, "/api/v1/holidays", json: #"{"day": "2030-01-01"}"#, headers: manager).status == .created)
        #expect(try await harness.send(.post, "/api/v1/holidays", json: #"{"day": "2030-01-01"}"#, headers: manager).status == .conflict)
    }
}

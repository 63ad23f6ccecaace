import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// Door modes over HTTP, as `keyway door lockdown|normal|unlock --for`: bounded, by role, logged with the caller.
@Suite struct DoorCommandTests {
    @Test func aLockdownRefusesTimedUnlocksAndKeysUntilAnAdminEndsIt() async throws {
        let harness = try APIHarness()
        let admin = try await harness.account(.admin, "admin@example.org")
        _ = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let key = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: false, actor: "test", at: Date())

        let lockdown = try await harness.send(.post, "/api/v1/doors/Lobby/lockdown", headers: desk)
        #expect(lockdown.status == .ok)
        #expect(lockdown["action"] as? String == "lockdown")
        #expect(harness.access.mode(ofDoor: "Lobby", at: Date()) == .lockdown)
        let refused = try await harness.send(.post, "/api/v1/doors/Lobby/timed-unlock", json: #"{"seconds": 10}"#, headers: desk)
        #expect(refused.status == .conflict)
        let denied = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(key.token)"}"#)
        #expect(denied["reason"] as? String == "door_locked_down")
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/normal", headers: desk).status == .forbidden)

        let normal = try await harness.send(.post, "/api/v1/doors/Lobby/normal", headers: manager)
        #expect(normal.status == .ok)
        #expect(harness.access.mode(ofDoor: "Lobby", at: Date()) == .cardOrPin)
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/timed-unlock", json: #"{"seconds": 10}"#, headers: desk).status == .ok)
        // The mode changes are in the log with who made them.
        let log = try await harness.storage.activity(ActivityQuery(limit: 50))
        #expect(log.contains { $0.actor == admin.id })
    }

    @Test func hostileDoorCommandsGetClearErrors() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        for body in [#"{"seconds": 0}"#, #"{"seconds": 6554}"#, #"{"seconds": 99999999999999999999}"#, #"{"seconds": "5"}"#, "{}", "", "[]"] {
            let answer = try await harness.send(.post, "/api/v1/doors/Lobby/timed-unlock", json: body, headers: manager)
            #expect(answer.status == .badRequest, "\(body) → \(answer.status) \(answer.text)")
            #expect(answer.errorCode == "invalid_request")
        }
        let tooLong = try await harness.send(.post, "/api/v1/doors/Lobby/timed-unlock", json: #"{"seconds": 7000}"#, headers: manager)
        #expect(tooLong.text.contains("6553"))
        #expect(try await harness.send(.post, "/api/v1/doors/Nowhere/lockdown", headers: manager).status == .notFound)
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/lockdown").status == .unauthorized)
    }
}

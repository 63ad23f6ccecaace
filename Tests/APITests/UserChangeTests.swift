import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// An admin changes an account's role and person (`PATCH /api/v1/users/{id}`), as the Users page does: the new role
/// binds the account's session and tokens at once; bad changes are refused and change nothing.
@Suite struct UserChangeTests {
    @Test func aNewRoleBindsTheAccountsSessionAndTokensAtOnce() async throws {
        let harness = try APIHarness()
        let admin = try await harness.account(.admin, "admin@example.org")
        let desk = try await harness.account(.staff, "desk@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let deskSession = try await harness.login("desk@example.org")
        let deskToken = try await harness.token(deskSession)
        #expect(try await harness.send(.get, "/api/v1/people", headers: deskToken.headers).status == .ok)

        let changed = try await harness.send(.patch, "/api/v1/users/\(desk.id)", json: #"{"role": "resident", "person": "Bob"}"#, headers: manager)
        #expect(changed.status == .ok, "\(changed.text)")
        #expect(changed["role"] as? String == "resident" && changed["person"] as? String == "Bob" && changed["disabled"] as? Bool == false)
        #expect(try await harness.send(.get, "/api/v1/people", headers: deskSession.headers()).status == .forbidden)
        #expect(try await harness.send(.get, "/api/v1/people", headers: deskToken.headers).status == .forbidden)
        let log = try await harness.storage.activity(ActivityQuery(limit: 50))
        #expect(log.contains { $0.event == "user_role_changed" && $0.actor == admin.id && ($0.detail ?? "").hasPrefix(desk.id) })

        // Disabling alone still works as before, and leaves the role.
        let disabled = try await harness.send(.patch, "/api/v1/users/\(desk.id)", json: #"{"disabled": true}"#, headers: manager)
        #expect(disabled["disabled"] as? Bool == true && disabled["role"] as? String == "resident")
    }

    @Test func badAccountChangesAreRefusedAndChangeNothing() async throws {
        let harness = try APIHarness()
        let admin = try await harness.account(.admin, "admin@example.org")
        let desk = try await harness.account(.staff, "desk@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let refusals: [(String, String, HTTPResponse.Status)] = [
            (desk.id, "{}", .badRequest), (desk.id, #"{"role": "owner"}"#, .badRequest), (desk.id, #"{"role": "resident"}"#, .badRequest),
            (desk.id, #"{"person": "  "}"#, .badRequest), (desk.id, #"{"person": "Nobody"}"#, .notFound),
            (desk.id, #"{"role": "admin", "person": "\#(String(repeating: "x", count: 201))"}"#, .badRequest),
            (admin.id, #"{"role": "staff"}"#, .badRequest), ("usr_nobody", #"{"role": "staff"}"#, .notFound),
        ]
        for (id, body, status) in refusals {
            let answer = try await harness.send(.patch, "/api/v1/users/\(id)", json: body, headers: manager)
            #expect(answer.status == status, "\(body) → \(answer.status) \(answer.text)")
            #expect(answer.errorCode != nil)
        }
        #expect(try await harness.storage.user(id: desk.id)?.role == .staff)
        #expect(try await harness.storage.user(id: desk.id)?.personID == nil)
        #expect(try await harness.storage.user(id: admin.id)?.role == .admin)
        // Staff change no account.
        _ = try await harness.account(.staff, "front@example.org")
        let front = try await harness.login("front@example.org").headers(changing: true)
        #expect(try await harness.send(.patch, "/api/v1/users/\(desk.id)", json: #"{"role": "admin"}"#, headers: front).status == .forbidden)
    }
}

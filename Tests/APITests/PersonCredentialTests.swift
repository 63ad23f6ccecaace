import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// A person's credentials over HTTP, for the managers' People page: every kind listed (never a code or token), a
/// card enrolled with `keyway cards add`'s names and validation, one revoked; each change logged with its actor.
@Suite struct PersonCredentialTests {
    @Test func eachRoleGetsWhatItMayOfAPersonsCredentials() async throws {
        let harness = try APIHarness()
        let sessions = try await harness.roleSessions().sessions
        var bobKeys: [String] = []
        for _ in 0..<3 {
            bobKeys.append(try await harness.storage.issueKey(person: "Bob", doors: ["Roof"], validUntil: nil, mayShare: false, actor: "test",
                                                              at: Date()).credential.id)
        }
        for (index, role) in [Role.admin, .staff, .resident].enumerated() {
            let rows: [RoleRow] = [
                RoleRow(method: .get, path: "/api/v1/people/Bob/credentials", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .get, path: "/api/v1/people/Ada/credentials", body: nil, admin: .ok, staff: .ok, resident: .forbidden),
                RoleRow(method: .post, path: "/api/v1/people/Bob/cards", body: #"{"format": "h10301", "facility": 12, "card": \#(100 + index)}"#,
                    admin: .created, staff: .created, resident: .forbidden),
                RoleRow(method: .delete, path: "/api/v1/people/Bob/credentials/\(bobKeys[index])", body: nil, admin: .ok, staff: .ok,
                    resident: .forbidden),
            ]
            try await harness.expect(rows, as: role, sessions: sessions)
        }
    }

    @Test func aManagerEnrolsACardSeesEveryKindAndRevokesOne() async throws {
        let harness = try APIHarness()
        let staff = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        let key = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: true, actor: "test", at: Date())
        let pin = try harness.access.store.addPIN(person: "Ada", code: "482913")
        _ = try await harness.storage.issueKey(person: "Bob", doors: ["Roof"], validUntil: nil, mayShare: false, actor: "test", at: Date())

        let card = try await harness.send(.post, "/api/v1/people/Ada/cards", json: #"{"format": "h10301", "facility": 12, "card": 345}"#,
                                          headers: desk)
        #expect(card.status == .created, "\(card.text)")
        #expect(card["kind"] as? String == "card" && card["shown"] as? String == "card h10301 12:345" && card["person"] as? String == "Ada")
        let raw = try await harness.send(.post, "/api/v1/people/Ada/cards", json: #"{"bits": "0110"}"#, headers: desk)
        #expect(raw["shown"] as? String == "card raw 4 bits", "\(raw.text)")
        // The same card again is refused while the first is active, as at the CLI.
        let again = try await harness.send(.post, "/api/v1/people/Bob/cards", json: #"{"format": "h10301", "facility": 12, "card": 345}"#,
                                           headers: desk)
        #expect(again.status == .conflict, "\(again.text)")

        let listed = try await harness.send(.get, "/api/v1/people/Ada/credentials", headers: desk)
        #expect(Set(listed.list.compactMap { $0["kind"] as? String }) == ["card", "pin", "key"])
        #expect(listed.list.count == 4)
        #expect(listed.list.allSatisfy { $0["person"] as? String == "Ada" })
        // Never a code's digits: a PIN shows its mask only.
        #expect(!listed.text.contains("482913"))
        #expect(listed.list.first { $0["id"] as? String == pin.credential.id }?["shown"] as? String == pin.credential.shown)

        let cardID = try #require(card["id"] as? String)
        let revoked = try await harness.send(.delete, "/api/v1/people/Ada/credentials/\(cardID)", json: #"{"reason": "lost"}"#, headers: desk)
        #expect(revoked.status == .ok, "\(revoked.text)")
        #expect(revoked["revoked"] as? [String] == [cardID])
        let after = try await harness.send(.get, "/api/v1/people/Ada/credentials", headers: desk)
        #expect(after.list.first { $0["id"] as? String == cardID }?["active"] as? Bool == false)
        #expect(after.list.first { $0["id"] as? String == cardID }?["revoked_reason"] as? String == "lost")
        #expect(try await harness.send(.delete, "/api/v1/people/Ada/credentials/\(cardID)", headers: desk).status == .conflict)
        // Revoking a key cascades to its shares, as everywhere else.
        let share = try harness.access.store.shareKey(key.credential.id, to: "guest@example.org")
        let cascade = try await harness.send(.delete, "/api/v1/people/Ada/credentials/\(key.credential.id)", headers: desk)
        #expect(Set(cascade["revoked"] as? [String] ?? []) == [key.credential.id, share.credential.id])

        let log = try await harness.storage.activity(ActivityQuery(limit: 50))
        #expect(log.contains { $0.kind == .credentialCreated && $0.credentialID == cardID && $0.actor == staff.id })
        #expect(log.contains { $0.kind == .credentialRevoked && $0.credentialID == cardID && $0.actor == staff.id })
    }

    @Test func hostileCardAndRevocationRequestsGetClearErrors() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let bobKey = try await harness.storage.issueKey(person: "Bob", doors: ["Roof"], validUntil: nil, mayShare: false, actor: "test", at: Date())
        let refusals: [(String, HTTPResponse.Status)] = [
            ("", .badRequest), ("{}", .badRequest), (#"{"format": "h10301"}"#, .badRequest), (#"{"card": 5}"#, .badRequest),
            (#"{"format": "h 10301", "card": 5}"#, .badRequest), (#"{"format": "", "card": 5}"#, .badRequest),
            (#"{"format": "h10301", "card": -1}"#, .badRequest), (#"{"format": "h10301", "card": 18446744073709551615}"#, .badRequest),
            (#"{"format": "h10301", "card": 5, "facility": 4294967296}"#, .badRequest),
            (#"{"format": "h10301", "card": 5, "bits": "01"}"#, .badRequest), (#"{"bits": "012"}"#, .badRequest), (#"{"bits": ""}"#, .badRequest),
            (#"{"bits": "\#(String(repeating: "1", count: 1025))"}"#, .badRequest), (#"{"bits": "01", "facility": 3}"#, .badRequest),
            (#"{"format": "h10301", "card": 5, "valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}"#, .unprocessableContent),
            (#"{"format": "h10301", "card": 5, "valid_until": "soon"}"#, .badRequest),
        ]
        for (body, status) in refusals {
            let answer = try await harness.send(.post, "/api/v1/people/Ada/cards", json: body, headers: manager)
            #expect(answer.status == status, "\(body) → \(answer.status) \(answer.text)")
            #expect(answer.errorCode != nil)
        }
        #expect(try await harness.send(.post, "/api/v1/people/Nobody/cards", json: #"{"bits": "01"}"#, headers: manager).status == .notFound)
        #expect(try await harness.send(.get, "/api/v1/people/Nobody/credentials", headers: manager).status == .notFound)
        #expect(try await harness.send(.get, "/api/v1/people/Ada/credentials?limit=201", headers: manager).status == .badRequest)
        // Another person's credential is not found under Ada, and nothing is revoked.
        let elsewhere = try await harness.send(.delete, "/api/v1/people/Ada/credentials/\(bobKey.credential.id)", headers: manager)
        #expect(elsewhere.status == .notFound)
        #expect(try await harness.storage.credential(bobKey.credential.id).credential.revokedAt == nil)
        #expect(try await harness.send(.delete, "/api/v1/people/Ada/credentials/nope", headers: manager).status == .notFound)
        // A token limited to doors changes no one's credentials: a card opens every door of its holder's groups.
        let token = try await harness.send(.post, "/api/v1/tokens", json: #"{"name": "panel", "role": "staff", "doors": ["Roof"]}"#, headers: manager)
        let bearer: HTTPFields = [.authorization: "Bearer \(try #require(token["secret"] as? String))"]
        #expect(try await harness.send(.post, "/api/v1/people/Ada/cards", json: #"{"bits": "01"}"#, headers: bearer).status == .forbidden)
        #expect(try await harness.send(.delete, "/api/v1/people/Bob/credentials/\(bobKey.credential.id)", headers: bearer).status == .forbidden)
    }
}

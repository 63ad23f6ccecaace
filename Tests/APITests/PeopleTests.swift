import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// People over HTTP, as `keyway people add|list|suspend|reinstate`: the same names and validation, paged, logged.
@Suite struct PeopleTests {
    @Test func peopleAreAddedSearchedAndPagedByName() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        for name in ["Grace Hopper", "Ada_Lovelace", "Alan Turing"] {
            let added = try await harness.send(.post, "/api/v1/people", json: #"{"name": "\#(name)", "kind": "staff"}"#, headers: desk)
            #expect(added.status == .created, "\(added.text)")
            #expect(added["kind"] as? String == "staff")
        }
        // A search is matched as written: "_" is no wildcard.
        let underscore = try await harness.send(.get, "/api/v1/people?search=_", headers: desk)
        #expect(underscore.list.map { $0["name"] as? String } == ["Ada_Lovelace"])
        let search = try await harness.send(.get, "/api/v1/people?search=A", headers: desk)
        #expect(search.list.map { $0["name"] as? String } == ["Ada", "Ada_Lovelace", "Alan Turing", "Grace Hopper"])
        let first = try await harness.send(.get, "/api/v1/people?limit=2", headers: desk)
        #expect(first.list.map { $0["name"] as? String } == ["Ada", "Ada_Lovelace"])
        let second = try await harness.send(.get, "/api/v1/people?limit=2&after=Ada_Lovelace", headers: desk)
        #expect(second.list.map { $0["name"] as? String } == ["Alan Turing", "Bob"])
    }

    @Test func aSuspendedPersonsKeyIsRefusedUntilReinstated() async throws {
        let harness = try APIHarness()
        let staff = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        let key = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: false, actor: "test", at: Date())
        let suspended = try await harness.send(.post, "/api/v1/people/Ada/suspend", headers: desk)
        #expect(suspended["suspended"] as? Bool == true)
        let denied = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(key.token)"}"#)
        #expect(denied["reason"] as? String == "suspended")
        let reinstated = try await harness.send(.post, "/api/v1/people/Ada/reinstate", headers: desk)
        #expect(reinstated["suspended"] as? Bool == false)
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(key.token)"}"#)["granted"] as? Bool == true)
        let log = try await harness.storage.activity(ActivityQuery(limit: 50))
        #expect(log.filter { $0.actor == staff.id && $0.kind == .personChanged }.compactMap(\.event) == ["reinstated", "suspended"])
    }

    @Test func hostilePeopleRequestsGetClearErrors() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let manager = try await harness.login("admin@example.org").headers(changing: true)
        let refusals: [(String, HTTPResponse.Status)] = [
            (#"{"name": "   "}"#, .badRequest), (#"{"name": "Ada"}"#, .conflict), (#"{"name": "X", "kind": "robot"}"#, .badRequest),
            (#"{"name": "\#(String(repeating: "x", count: 201))"}"#, .badRequest), (#"{"name": "a\u0007b"}"#, .badRequest), ("", .badRequest),
            (#"{"kind": "staff"}"#, .badRequest),
        ]
        for (body, status) in refusals {
            let answer = try await harness.send(.post, "/api/v1/people", json: body, headers: manager)
            #expect(answer.status == status, "\(body) → \(answer.status) \(answer.text)")
            #expect(answer.errorCode != nil)
        }
        #expect(try await harness.send(.post, "/api/v1/people/Nobody/suspend", headers: manager).status == .notFound)
        #expect(try await harness.send(.get, "/api/v1/people?limit=0", headers: manager).status == .badRequest)
        #expect(try await harness.send(.get, "/api/v1/people?search=%20", headers: manager).status == .badRequest)
        // A token limited to doors lists people but changes none: a person reaches every door of their groups.
        let token = try await harness.send(.post, "/api/v1/tokens", json: #"{"name": "panel", "role": "staff", "doors": ["Lobby"]}"#,
                                           headers: manager)
        let secret = try #require(token["secret"] as? String)
        let bearer: HTTPFields = [.authorization: "Bearer \(secret)"]
        #expect(try await harness.send(.get, "/api/v1/people", headers: bearer).status == .ok)
        #expect(try await harness.send(.post, "/api/v1/people/Ada/suspend", headers: bearer).status == .forbidden)
    }
}
